"""The exports watchdog is replaced by the job sweeper (``veza.jobs_sweep``), which sends a
stalled export again before failing it. Beat copied the old entry into django-celery-beat's
table, where it would keep calling a task that no longer exists: it goes."""

from django.db import migrations
from django.utils import timezone

ENTRY = "gdpr-exports-watchdog"


def forget(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    if PeriodicTask.objects.filter(name=ENTRY).delete()[0]:
        # Tell a running beat that its schedule changed (what PeriodicTask.delete() does).
        PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


class Migration(migrations.Migration):
    dependencies = [
        ("gdpr", "0002_export_job_attempts_deadline"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forget, migrations.RunPython.noop)]
