"""The scheduled job: renewals, trial ends, failed charges and retries, idempotence and the
two-workers race (shared/API.md "Billing"; a renewal is charged and invoiced once however many
workers run the job at the same time)."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django_celery_beat.models import PeriodicTask

from apps.accounts.models import AuditLog
from apps.billing import selectors, services
from apps.billing.models import Invoice, Subscription
from apps.billing.tasks import process_due_subscriptions
from tests.accounts.factories import UserFactory
from tests.billing.factories import T0, RecordingGateway, at, decline, subscribe, undecline


@pytest.mark.django_db
def test_renewal_invoices_and_charges_the_next_period_once():
    user = UserFactory(verified=True)
    subscription = subscribe(user, "creator", "monthly")
    gateway = RecordingGateway()

    assert services.subscriptions_process_due(now=at(2026, 4, 1, 11, 59), gateway=gateway) == {}
    outcome = services.subscriptions_process_due(now=at(2026, 4, 1, 12), gateway=gateway)

    assert outcome == {"renewed": 1}
    subscription.refresh_from_db()
    assert subscription.status == "active"
    assert subscription.current_period_start == at(2026, 4, 1, 12)
    assert subscription.current_period_end == at(2026, 5, 1, 12)
    renewal = Invoice.objects.get(subscription=subscription, reason="subscription_cycle")
    assert renewal.number == "VZ-2026-000002"
    assert renewal.total == Decimal("9.99")
    assert renewal.status == "paid"
    assert renewal.issued_at == at(2026, 4, 1, 12)
    assert [(c["amount"], c["succeeded"]) for c in gateway.charges] == [(Decimal("9.99"), True)]
    entry = AuditLog.objects.get(action="subscription.renew")
    assert entry.actor_id is None
    assert entry.metadata == {
        "user_id": str(user.pk),
        "invoice": "VZ-2026-000002",
        "amount": "9.99",
        "currency": "USD",
        "status": "active",
        "period_end": "2026-05-01T12:00:00+00:00",
    }

    # Running the job again (same instant, or a bit later) charges nothing more.
    assert services.subscriptions_process_due(now=at(2026, 4, 1, 12), gateway=gateway) == {}
    assert services.subscriptions_process_due(now=at(2026, 4, 2), gateway=gateway) == {}
    assert len(gateway.charges) == 1
    assert Invoice.objects.filter(subscription=subscription).count() == 2


@pytest.mark.django_db
def test_trial_end_charges_the_first_invoice_and_activates():
    user = UserFactory(verified=True)
    subscription = subscribe(user, "premium", "yearly")

    outcome = services.subscriptions_process_due(now=at(2026, 3, 15, 12, 5))

    assert outcome == {"renewed": 1}
    subscription.refresh_from_db()
    assert subscription.status == "active"
    assert subscription.trial_end == at(2026, 3, 15, 12)
    assert subscription.current_period_start == at(2026, 3, 15, 12)
    assert subscription.current_period_end == at(2027, 3, 15, 12)
    invoice = Invoice.objects.get(subscription=subscription)
    assert invoice.reason == "subscription_cycle"
    assert invoice.total == Decimal("199.90")
    assert invoice.period_start == at(2026, 3, 15, 12)
    assert AuditLog.objects.get(action="subscription.trial_end").metadata["was_trial"] is True


@pytest.mark.django_db
def test_monthly_periods_keep_their_anchor_day_after_short_months():
    user = UserFactory(verified=True)
    subscription = subscribe(user, "creator", "monthly", now=at(2026, 1, 31, 9))

    ends = []
    for _ in range(3):
        subscription.refresh_from_db()
        services.subscriptions_process_due(now=subscription.current_period_end)
        subscription.refresh_from_db()
        ends.append(subscription.current_period_end)

    # Jan 31 -> Feb 28 -> Mar 31 -> Apr 30 -> May 31: never drifting to the 28th.
    assert ends == [at(2026, 3, 31, 9), at(2026, 4, 30, 9), at(2026, 5, 31, 9)]


@pytest.mark.django_db
def test_failed_renewal_goes_past_due_retries_on_schedule_then_expires(
    django_capture_on_commit_callbacks, mailoutbox
):
    user = UserFactory(verified=True)
    subscription = subscribe(user, "creator", "monthly")
    decline(user)
    gateway = RecordingGateway()
    due = at(2026, 4, 1, 12)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.subscriptions_process_due(now=due, gateway=gateway) == {"past_due": 1}
    subscription.refresh_from_db()
    assert subscription.status == "past_due"
    assert subscription.past_due_since == due
    assert subscription.payment_attempts == 1
    assert subscription.next_payment_retry_at == due + timedelta(days=1)
    assert selectors.user_has_paid_plan(user) is False
    renewal = Invoice.objects.get(subscription=subscription, reason="subscription_cycle")
    assert renewal.status == "open"
    assert renewal.number == "VZ-2026-000002"
    assert renewal.last_payment_error == "Card declined (sandbox: the email contains +decline)."

    # Not yet due: nothing happens.
    assert services.subscriptions_process_due(now=due + timedelta(hours=23), gateway=gateway) == {}
    # Retries at +1 day and +3 days fail; the schedule moves on.
    assert services.subscriptions_process_due(now=due + timedelta(days=1), gateway=gateway) == {
        "retry_failed": 1
    }
    subscription.refresh_from_db()
    assert subscription.next_payment_retry_at == due + timedelta(days=3)
    assert services.subscriptions_process_due(now=due + timedelta(days=3), gateway=gateway) == {
        "retry_failed": 1
    }
    subscription.refresh_from_db()
    assert subscription.next_payment_retry_at == due + timedelta(days=7)
    # The last retry (+7 days) fails: the subscription expires and the invoice is voided.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.subscriptions_process_due(now=due + timedelta(days=7), gateway=gateway) == {
            "expired": 1
        }
    subscription.refresh_from_db()
    assert subscription.status == "expired"
    assert subscription.ended_at == due + timedelta(days=7)
    assert subscription.payment_attempts == 4
    renewal.refresh_from_db()
    assert renewal.status == "void"
    assert len(gateway.charges) == 4
    assert len({charge["key"] for charge in gateway.charges}) == 4  # one key per attempt
    assert list(
        AuditLog.objects.filter(target_id=str(subscription.pk))
        .order_by("created_at", "id")
        .values_list("action", flat=True)
    ) == [
        "subscription.create",
        "subscription.payment_failed",
        "subscription.payment_failed",
        "subscription.payment_failed",
        "subscription.expire",
    ]
    assert AuditLog.objects.get(action="subscription.expire").metadata == {
        "user_id": str(user.pk),
        "reason": "payment_failed",
        "invoice": "VZ-2026-000002",
        "attempts": 4,
    }
    # The user heard about the first failure (with the retry date) and about the end.
    assert [(m.to, m.subject) for m in mailoutbox] == [
        ([user.email], "Your Veza payment did not go through"),
        ([user.email], "Your Veza Creator subscription has ended"),
    ]
    assert (
        "We could not collect 9.99 USD for your Veza Creator subscription "
        "(invoice VZ-2026-000002)." in mailoutbox[0].body
    )
    assert "We will try again on April 2, 2026." in mailoutbox[0].body
    assert "back on the Free plan" in mailoutbox[1].body
    assert "April 2, 2026" in mailoutbox[0].alternatives[0][0]


@pytest.mark.django_db
def test_a_successful_retry_recovers_the_subscription():
    user = UserFactory(verified=True)
    subscription = subscribe(user, "creator", "monthly")
    decline(user)
    services.subscriptions_process_due(now=at(2026, 4, 1, 12))
    undecline(user)

    outcome = services.subscriptions_process_due(now=at(2026, 4, 2, 12))

    assert outcome == {"recovered": 1}
    subscription.refresh_from_db()
    assert subscription.status == "active"
    assert subscription.past_due_since is None
    assert subscription.payment_attempts == 0
    assert subscription.next_payment_retry_at is None
    assert subscription.current_period_end == at(2026, 5, 1, 12)
    renewal = Invoice.objects.get(subscription=subscription, reason="subscription_cycle")
    assert renewal.status == "paid"
    assert renewal.paid_at == at(2026, 4, 2, 12)
    assert selectors.user_has_paid_plan(user) is True
    assert AuditLog.objects.filter(action="subscription.payment_recovered").count() == 1


@pytest.mark.django_db
def test_a_period_cannot_be_invoiced_twice():
    from django.db import IntegrityError, transaction

    user = UserFactory(verified=True)
    subscription = subscribe(user, "creator")
    first = Invoice.objects.get(subscription=subscription)

    with pytest.raises(IntegrityError), transaction.atomic():
        services.invoice_create(
            subscription=subscription,
            reason="subscription_cycle",
            lines=[],
            period_start=first.period_start,
            period_end=first.period_end,
            now=T0,
        )


@pytest.mark.django_db
def test_the_task_runs_the_job_and_is_registered_with_celery_beat():
    user = UserFactory(verified=True)
    subscription = subscribe(user, "creator", now=T0 - timedelta(days=400))

    process_due_subscriptions.delay()

    subscription.refresh_from_db()
    assert Invoice.objects.filter(subscription=subscription).count() == 2
    task = PeriodicTask.objects.get(task="billing.process_due_subscriptions")
    assert task.enabled is True
    assert (task.interval.every, task.interval.period) == (10, "minutes")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the race needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_never_charge_or_invoice_twice():
    users = [UserFactory(verified=True) for _ in range(12)]
    subscriptions = [subscribe(user, "creator", "monthly") for user in users[:8]]
    subscriptions += [subscribe(user, "premium", "monthly") for user in users[8:]]
    due = at(2026, 4, 1, 12)
    gateway = RecordingGateway()
    start = threading.Barrier(2)
    outcomes = []

    def worker():
        try:
            start.wait()
            outcomes.append(services.subscriptions_process_due(now=due, gateway=gateway))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    renewed = sum(outcome.get("renewed", 0) for outcome in outcomes)
    assert renewed == 12
    assert sum(outcome.get("error", 0) for outcome in outcomes) == 0
    assert len(gateway.charges) == 12
    assert len({charge["email"] for charge in gateway.charges}) == 12
    for subscription in subscriptions:
        assert (
            Invoice.objects.filter(subscription=subscription)
            .exclude(reason="subscription_create")
            .count()
            == 1
        )
    # 8 creator first invoices + 12 renewals (4 of them trial ends): 20 numbers, no gap.
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == [f"VZ-2026-{n:06d}" for n in range(1, 21)]
    assert (
        AuditLog.objects.filter(action__in=["subscription.renew", "subscription.trial_end"]).count()
        == 12
    )
    assert Subscription.objects.filter(status="active", current_period_end__gt=due).count() == 12
