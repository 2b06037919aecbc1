"""Cancel keeps access until the period end; reactivate undoes it; then the subscription expires
(shared/API.md, Billing: cancel, reactivate)."""

from datetime import timedelta

import pytest
from freezegun import freeze_time

from apps.accounts.models import AuditLog
from apps.billing import selectors, services
from apps.billing.models import Invoice, Subscription
from tests.accounts.factories import UserFactory
from tests.billing.factories import T0, at, decline, subscribe
from tests.conftest import bearer_client
from tests.helpers import assert_error

CANCEL = "/api/v1/billing/subscription/cancel"
REACTIVATE = "/api/v1/billing/subscription/reactivate"


@pytest.mark.django_db
def test_cancel_keeps_access_until_the_period_end_then_expires_to_free():
    user = UserFactory(verified=True)
    subscription = subscribe(user, "creator", "monthly")
    with freeze_time(at(2026, 3, 10)):
        response = bearer_client(user).post(CANCEL)

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "active"
    assert body["has_paid_plan"] is True
    assert body["cancel_at_period_end"] is True
    assert body["canceled_at"] == "2026-03-10T00:00:00Z"
    assert body["current_period_end"] == "2026-04-01T12:00:00Z"
    assert selectors.user_has_paid_plan(user) is True
    assert AuditLog.objects.get(action="subscription.cancel").metadata == {
        "user_id": str(user.pk),
        "immediate": False,
        "effective_at": "2026-04-01T12:00:00+00:00",
    }

    outcome = services.subscriptions_process_due(now=at(2026, 4, 1, 12))

    assert outcome == {"expired": 1}
    subscription.refresh_from_db()
    assert subscription.status == "expired"
    assert subscription.ended_at == at(2026, 4, 1, 12)
    assert Invoice.objects.filter(subscription=subscription).count() == 1  # never renewed
    assert selectors.user_has_paid_plan(user) is False
    assert AuditLog.objects.get(action="subscription.expire").metadata == {
        "user_id": str(user.pk),
        "reason": "canceled",
        "was_trial": False,
    }
    with freeze_time(at(2026, 4, 2)):
        body = bearer_client(user).get("/api/v1/billing/subscription").json()
    assert body["plan"]["code"] == "free"
    assert body["id"] is None


@pytest.mark.django_db
def test_cancel_twice_is_a_no_op(user):
    subscription = subscribe(user, "creator")
    services.subscription_cancel(subscription=subscription, now=at(2026, 3, 5))

    response = bearer_client(user).post(CANCEL)

    assert response.status_code == 200
    assert response.json()["canceled_at"] == "2026-03-05T00:00:00Z"
    assert AuditLog.objects.filter(action="subscription.cancel").count() == 1


@pytest.mark.django_db
def test_reactivate_before_the_end_undoes_the_cancel_and_renewal_happens():
    user = UserFactory(verified=True)
    subscription = subscribe(user, "creator", "monthly")
    services.subscription_cancel(subscription=subscription, now=at(2026, 3, 10))
    with freeze_time(at(2026, 3, 20)):
        response = bearer_client(user).post(REACTIVATE)

    assert response.status_code == 200
    assert response.json()["cancel_at_period_end"] is False
    assert response.json()["canceled_at"] is None
    assert AuditLog.objects.filter(action="subscription.reactivate").count() == 1

    services.subscriptions_process_due(now=at(2026, 4, 1, 12))

    subscription.refresh_from_db()
    assert subscription.status == "active"
    assert subscription.current_period_end == at(2026, 5, 1, 12)
    assert Invoice.objects.filter(subscription=subscription).count() == 2


@pytest.mark.django_db
def test_reactivate_without_a_pending_cancel_is_a_conflict(user):
    subscription = subscribe(user, "creator")

    response = bearer_client(user).post(REACTIVATE)

    error = assert_error(response, 409, "CONFLICT", details={})
    assert error["message"] == "This subscription has no pending cancellation."
    subscription.refresh_from_db()
    assert subscription.cancel_at_period_end is False
    assert not AuditLog.objects.filter(action="subscription.reactivate").exists()


@pytest.mark.django_db
def test_reactivate_after_the_subscription_expired_is_a_conflict(user):
    subscription = subscribe(user, "creator")
    services.subscription_cancel(subscription=subscription, now=at(2026, 3, 10))
    services.subscriptions_process_due(now=at(2026, 4, 1, 12))

    with freeze_time(at(2026, 4, 2)):
        response = bearer_client(user).post(REACTIVATE)

    error = assert_error(response, 409, "CONFLICT", details={})
    assert error["message"] == "You have no paid subscription."
    subscription.refresh_from_db()
    assert subscription.status == "expired"


@pytest.mark.django_db
def test_reactivate_after_the_period_end_but_before_the_job_is_a_conflict(user):
    subscription = subscribe(user, "creator")
    services.subscription_cancel(subscription=subscription, now=at(2026, 3, 10))

    with pytest.raises(Exception, match="already ended"):
        services.subscription_reactivate(subscription=subscription, now=at(2026, 4, 1, 13))

    subscription.refresh_from_db()
    assert subscription.cancel_at_period_end is True


@pytest.mark.django_db
def test_cancel_without_subscription_is_a_conflict(user_client, user):
    response = user_client.post(CANCEL)

    assert_error(response, 409, "CONFLICT")
    assert not Subscription.objects.filter(user=user).exists()
    assert not AuditLog.objects.filter(action="subscription.cancel").exists()


@pytest.mark.django_db
def test_cancel_during_a_trial_ends_it_at_the_trial_end_without_any_charge():
    user = UserFactory(verified=True)
    subscription = subscribe(user, "premium")
    services.subscription_cancel(subscription=subscription, now=T0 + timedelta(days=1))

    services.subscriptions_process_due(now=at(2026, 3, 15, 12))

    subscription.refresh_from_db()
    assert subscription.status == "expired"
    assert not Invoice.objects.filter(subscription=subscription).exists()
    assert AuditLog.objects.get(action="subscription.expire").metadata["was_trial"] is True


@pytest.mark.django_db
def test_cancel_of_a_past_due_subscription_ends_it_now_and_voids_the_open_invoice():
    user = UserFactory(verified=True)
    subscription = subscribe(user, "creator")
    decline(user)
    services.subscriptions_process_due(now=at(2026, 4, 1, 12))
    subscription.refresh_from_db()
    assert subscription.status == "past_due"

    with freeze_time(at(2026, 4, 1, 18)):
        response = bearer_client(user).post(CANCEL)

    assert response.status_code == 200
    assert response.json()["plan"]["code"] == "free"  # nothing live any more
    subscription.refresh_from_db()
    assert subscription.status == "canceled"
    assert subscription.ended_at == at(2026, 4, 1, 18)
    assert subscription.next_payment_retry_at is None
    renewal = Invoice.objects.get(subscription=subscription, reason="subscription_cycle")
    assert renewal.status == "void"
    assert renewal.voided_at == at(2026, 4, 1, 18)
    assert AuditLog.objects.get(action="subscription.cancel").metadata == {
        "user_id": str(user.pk),
        "immediate": True,
        "status": "canceled",
    }
