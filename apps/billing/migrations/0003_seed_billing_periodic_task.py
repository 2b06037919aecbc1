"""Register the billing job with django-celery-beat (every 10 minutes), so `celery -A veza beat`
runs it and staff can change or pause it in the admin (Periodic tasks)."""

from django.db import migrations
from django.utils import timezone

TASK_NAME = "Billing: renewals, trial ends, scheduled changes, expiries, retries"
TASK = "billing.process_due_subscriptions"


def register(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    every_ten_minutes, _ = IntervalSchedule.objects.get_or_create(every=10, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={
            "task": TASK,
            "interval": every_ten_minutes,
            "enabled": True,
            "description": "Idempotent; safe on several workers (row locks, one invoice per period).",
        },
    )
    # Tell a running beat that its schedule changed (what PeriodicTask.save() does normally).
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def unregister(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0002_seed_plans"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(register, unregister)]
