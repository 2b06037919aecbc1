"""The data migrations (plans, the periodic task) are reversible."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_celery_beat.models import PeriodicTask

from apps.billing.models import Plan

SCHEMA = ("billing", "0001_plans_subscriptions_invoices")
TASK = "billing.process_due_subscriptions"


def _migrate(target=None):
    """Migrate to ``target``, or every app back to its latest migration: going back in billing
    also unapplies the migrations of apps that depend on it (education), so returning only to
    billing's own leaf would leave them out."""
    executor = MigrationExecutor(connection)
    executor.migrate([target] if target else executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_seed_migrations_unapply_and_reapply():
    try:
        _migrate(SCHEMA)
        assert Plan.objects.count() == 0
        assert not PeriodicTask.objects.filter(task=TASK).exists()
    finally:
        _migrate()

    assert sorted(
        Plan.objects.values_list("code", "monthly_price", "yearly_price", "trial_days")
    ) == [
        ("creator", Decimal("9.99"), Decimal("99.90"), 0),
        ("free", Decimal("0.00"), Decimal("0.00"), 0),
        ("premium", Decimal("19.99"), Decimal("199.90"), 14),
    ]
    task = PeriodicTask.objects.get(task=TASK)
    assert (task.interval.every, task.interval.period, task.enabled) == (10, "minutes", True)
