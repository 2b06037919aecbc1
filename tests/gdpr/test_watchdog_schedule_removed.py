"""The exports watchdog's beat row goes with its task (the job sweeper replaced it)."""

import importlib

import pytest
from django.apps import apps
from django_celery_beat.models import IntervalSchedule, PeriodicTask

migration = importlib.import_module("apps.gdpr.migrations.0003_forget_exports_watchdog_schedule")

pytestmark = pytest.mark.django_db


def test_the_migration_deletes_the_watchdog_row_and_keeps_the_others():
    every_ten_minutes, _ = IntervalSchedule.objects.get_or_create(every=600, period="seconds")
    for name, task in [
        ("gdpr-exports-watchdog", "gdpr.exports_watchdog"),
        ("gdpr-exports-expire", "gdpr.exports_expire"),
    ]:
        PeriodicTask.objects.get_or_create(
            name=name, defaults={"task": task, "interval": every_ten_minutes}
        )

    migration.forget(apps, None)

    names = set(PeriodicTask.objects.values_list("name", flat=True))
    assert "gdpr-exports-watchdog" not in names
    assert "gdpr-exports-expire" in names
