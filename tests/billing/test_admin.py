"""Billing in the operations console: plans editable, subscription actions through the
audited services, invoices read-only with their lines."""

from decimal import Decimal

import pytest
from django.urls import reverse

from apps.accounts.models import AuditLog
from apps.billing import services
from apps.billing.models import Invoice, Plan, Subscription
from tests.accounts.factories import UserFactory
from tests.billing.factories import T0, SubscriptionFactory, at, subscribe


@pytest.fixture
def admin_client(client, staff_user):
    client.force_login(staff_user)
    return client


def _action(admin_client, action, subscriptions, **extra):
    return admin_client.post(
        reverse("admin:billing_subscription_changelist"),
        {
            "action": action,
            "_selected_action": [str(s.pk) for s in subscriptions],
            "index": "0",
            **extra,
        },
        follow=True,
    )


@pytest.mark.django_db
def test_staff_edit_a_plan_price_and_the_edit_is_audited(admin_client, staff_user):
    plan = Plan.objects.get(code="creator")

    response = admin_client.post(
        reverse("admin:billing_plan_change", args=[plan.pk]),
        {
            "name": "Creator",
            "description": plan.description,
            "monthly_price": "10.99",
            "yearly_price": "109.90",
            "currency": "USD",
            "trial_days": "0",
            "features": '["Everything in Free"]',
            "display_order": "10",
            "is_active": "on",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    plan.refresh_from_db()
    assert plan.monthly_price == Decimal("10.99")
    assert plan.yearly_price == Decimal("109.90")
    assert plan.code == "creator"
    entry = AuditLog.objects.get(action="plan.update")
    assert entry.actor_id == staff_user.pk
    assert entry.metadata["fields"] == ["features", "monthly_price", "yearly_price"]
    assert entry.metadata["monthly_price"] == "10.99"


@pytest.mark.django_db
def test_subscription_list_filters_and_searches_by_user_email(admin_client):
    alice = UserFactory(verified=True, email="alice@example.com")
    bob = UserFactory(verified=True, email="bob@example.com")
    subscribe(alice, "creator")
    subscribe(bob, "premium")
    url = reverse("admin:billing_subscription_changelist")

    searched = admin_client.get(url, {"q": "alice@"})
    filtered = admin_client.get(url, {"status__exact": "trialing"})
    by_plan = admin_client.get(url, {"plan__id__exact": Plan.objects.get(code="creator").pk})

    assert searched.status_code == 200
    assert list(searched.context["cl"].result_list.values_list("user__email", flat=True)) == [
        "alice@example.com"
    ]
    assert list(filtered.context["cl"].result_list.values_list("user__email", flat=True)) == [
        "bob@example.com"
    ]
    assert list(by_plan.context["cl"].result_list.values_list("user__email", flat=True)) == [
        "alice@example.com"
    ]
    assert "+decline" in searched.content.decode()  # the sandbox switch is documented there


@pytest.mark.django_db
def test_admin_cancel_action_cancels_at_period_end_and_is_audited(admin_client, staff_user):
    user = UserFactory(verified=True)
    subscription = subscribe(user, "creator")

    response = _action(
        admin_client,
        "cancel_at_period_end_action",
        [subscription],
        confirm="yes",
        reason="Asked by phone",
    )

    assert response.status_code == 200
    subscription.refresh_from_db()
    assert subscription.cancel_at_period_end is True
    assert subscription.status == "active"
    entry = AuditLog.objects.get(action="subscription.cancel")
    assert entry.actor_id == staff_user.pk
    assert entry.target_id == str(subscription.pk)
    assert entry.metadata["reason"] == "Asked by phone"


@pytest.mark.django_db
def test_admin_extend_action_pushes_the_period_end_and_is_audited(admin_client, staff_user):
    user = UserFactory(verified=True)
    subscription = subscribe(user, "premium")  # trial to 2026-03-15 12:00

    _action(admin_client, "extend_period", [subscription], days="10")

    subscription.refresh_from_db()
    assert subscription.current_period_end == at(2026, 3, 25, 12)
    assert subscription.trial_end == at(2026, 3, 25, 12)
    entry = AuditLog.objects.get(action="subscription.extend")
    assert entry.actor_id == staff_user.pk
    assert entry.metadata == {
        "user_id": str(user.pk),
        "days": 10,
        "from_period_end": "2026-03-15T12:00:00+00:00",
        "to_period_end": "2026-03-25T12:00:00+00:00",
    }
    # The trial now ends (and is billed) on the new date.
    assert services.subscriptions_process_due(now=at(2026, 3, 20)) == {}
    assert services.subscriptions_process_due(now=at(2026, 3, 25, 12)) == {"renewed": 1}


@pytest.mark.django_db
def test_admin_extend_action_without_days_changes_nothing(admin_client):
    subscription = subscribe(UserFactory(verified=True), "creator")

    response = _action(admin_client, "extend_period", [subscription], days="")

    assert "Give a number of days" in response.content.decode()
    subscription.refresh_from_db()
    assert subscription.current_period_end == at(2026, 4, 1, 12)
    assert not AuditLog.objects.filter(action="subscription.extend").exists()


@pytest.mark.django_db
def test_admin_applies_a_scheduled_downgrade_now(admin_client, staff_user):
    user = UserFactory(verified=True)
    subscription = subscribe(user, "creator", "monthly")
    services.subscription_change_cycle(subscription=subscription, billing_cycle="yearly")
    other = subscribe(UserFactory(verified=True), "creator")  # nothing scheduled

    response = _action(admin_client, "apply_scheduled_change_now", [subscription, other])

    subscription.refresh_from_db()
    assert subscription.billing_cycle == "yearly"
    assert subscription.scheduled_billing_cycle == ""
    assert "has no scheduled change" in response.content.decode()
    entry = AuditLog.objects.get(action="subscription.scheduled_change_apply")
    assert entry.actor_id == staff_user.pk
    assert entry.metadata["applied_early"] is True
    # The next renewal starts a yearly period at the old period end.
    services.subscriptions_process_due(now=at(2026, 4, 1, 12))
    subscription.refresh_from_db()
    assert subscription.current_period_end == at(2027, 4, 1, 12)
    assert Invoice.objects.filter(subscription=subscription).latest("issued_at").total == (
        Decimal("99.90")
    )


@pytest.mark.django_db
def test_admin_apply_scheduled_move_to_free_ends_the_subscription(admin_client):
    subscription = subscribe(UserFactory(verified=True), "creator")
    services.subscription_change_plan(subscription=subscription, plan_code="free")

    _action(admin_client, "apply_scheduled_change_now", [subscription])

    subscription.refresh_from_db()
    assert subscription.status == "expired"
    assert AuditLog.objects.get(action="subscription.expire").metadata["applied_early"] is True


@pytest.mark.django_db
def test_subscriptions_cannot_be_added_or_edited_by_hand(admin_client):
    subscription = SubscriptionFactory(cancel_pending=True)

    add = admin_client.get(reverse("admin:billing_subscription_add"))
    page = admin_client.get(reverse("admin:billing_subscription_change", args=[subscription.pk]))
    change = admin_client.post(
        reverse("admin:billing_subscription_change", args=[subscription.pk]),
        {"status": "expired", "cancel_at_period_end": ""},
    )

    assert add.status_code == 403
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert change.status_code == 302
    subscription.refresh_from_db()
    assert subscription.status == "active"
    assert subscription.cancel_at_period_end is True  # the stale form wrote nothing
    assert Subscription.objects.count() == 1


@pytest.mark.django_db
def test_invoices_are_read_only_with_their_lines(admin_client):
    user = UserFactory(verified=True, email="carol@example.com")
    subscribe(user, "creator")
    invoice = Invoice.objects.get(user=user)

    listing = admin_client.get(reverse("admin:billing_invoice_changelist"), {"q": "carol@"})
    detail = admin_client.get(reverse("admin:billing_invoice_change", args=[invoice.pk]))
    edit = admin_client.post(
        reverse("admin:billing_invoice_change", args=[invoice.pk]), {"status": "void"}
    )
    delete = admin_client.post(
        reverse("admin:billing_invoice_delete", args=[invoice.pk]), {"post": "yes"}
    )

    assert listing.status_code == 200
    assert "VZ-2026-000001" in listing.content.decode()
    assert detail.status_code == 200
    page = detail.content.decode()
    assert "Creator (monthly)" in page  # the line, inline
    assert "9.99" in page
    assert edit.status_code == 403
    assert delete.status_code == 403
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    assert Invoice.objects.count() == 1
    assert T0 == invoice.issued_at


@pytest.mark.django_db
def test_plan_features_must_be_a_list_of_strings_and_currency_a_code(admin_client):
    plan = Plan.objects.get(code="premium")

    response = admin_client.post(
        reverse("admin:billing_plan_change", args=[plan.pk]),
        {
            "name": "Premium",
            "monthly_price": "19.99",
            "yearly_price": "199.90",
            "currency": "usd",
            "trial_days": "14",
            "features": '{"analytics": true}',
            "display_order": "20",
            "is_active": "on",
        },
    )

    assert response.status_code == 200  # the form again, with errors
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"currency", "features"}
    plan.refresh_from_db()
    assert plan.currency == "USD"
    assert plan.features[0] == "Everything in Creator"
    assert not AuditLog.objects.filter(action="plan.update").exists()
