"""Celery's fleet settings: two queues, time limits per task, a visibility timeout derived
from them, and the job sweeper on the beat schedule (README "Scaling out")."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from apps.catalog.models import ProcessingStatus
from apps.catalog.services.jobs import TRACK_PROCESSING
from apps.distribution.services import ROYALTY_IMPORT
from apps.education.services.jobs import LESSON_PROCESSING
from apps.gdpr.services.exports import EXPORT_BUILD
from apps.streaming.services import HLS_TRANSCODING
from tests.catalog.factories import TrackFactory
from veza import jobs
from veza.celery import app as celery_app

MEDIA = ("catalog.track_process", "streaming.hls_transcode", "education.lesson_process")
#: Tasks whose bodies are idempotent: a worker lost mid-task gets the message redelivered.
REDELIVERED_ON_WORKER_LOSS = (
    *MEDIA,
    "gdpr.export_build",
    "distribution.royalty_import_process",
    "analytics.rollup_advance",
    "billing.process_due_subscriptions",
    "veza.jobs_sweep",
)


@pytest.fixture(autouse=True, scope="module")
def _every_task_registered():
    """What a worker does at start: import every app's tasks module."""
    celery_app.loader.import_default_modules()


def _queue_of(name: str) -> str:
    return celery_app.amqp.router.route({}, name)["queue"].name


@pytest.mark.parametrize("name", MEDIA)
def test_media_processing_goes_to_the_media_queue(name):
    assert _queue_of(name) == "media"


@pytest.mark.parametrize(
    "name",
    [
        "veza.tasks.send_templated_email",
        "billing.process_due_subscriptions",
        "gdpr.export_build",
        "veza.jobs_sweep",
        "distribution.release_submit",
        "distribution.royalty_import_process",
    ],
)
def test_everything_else_goes_to_the_default_queue(name):
    assert name in celery_app.tasks
    assert _queue_of(name) == "default"


def test_a_plain_worker_consumes_both_queues():
    assert {queue.name for queue in celery_app.conf.task_queues} == {"default", "media"}


@pytest.mark.parametrize("name", REDELIVERED_ON_WORKER_LOSS)
def test_idempotent_tasks_are_acknowledged_late_and_redelivered_when_their_worker_dies(name):
    task = celery_app.tasks[name]
    assert (task.acks_late, task.reject_on_worker_lost) == (True, True)


def test_an_email_is_not_redelivered_when_its_worker_dies_mid_send():
    """Sending twice is worse than a retry by the sender: the mail may have left already."""
    assert not celery_app.tasks["veza.tasks.send_templated_email"].reject_on_worker_lost


def test_long_tasks_have_their_own_soft_and_hard_time_limits():
    hls = celery_app.tasks["streaming.hls_transcode"]
    export = celery_app.tasks["gdpr.export_build"]
    assert (hls.time_limit, hls.soft_time_limit) == (
        settings.MEDIA_TASK_TIME_LIMIT,
        settings.MEDIA_TASK_TIME_LIMIT * 9 // 10,
    )
    assert export.time_limit == settings.GDPR_EXPORT_TIMEOUT_MINUTES * 60
    royalties = celery_app.tasks["distribution.royalty_import_process"]
    assert royalties.time_limit == settings.ROYALTY_IMPORT_TIMEOUT_MINUTES * 60
    assert (celery_app.conf.task_time_limit, celery_app.conf.task_soft_time_limit) == (
        settings.CELERY_TASK_TIME_LIMIT,
        settings.CELERY_TASK_TIME_LIMIT * 9 // 10,
    )


def test_the_visibility_timeout_outlasts_the_longest_task_by_the_margin():
    longest = max(
        settings.CELERY_TASK_TIME_LIMIT,
        settings.MEDIA_TASK_TIME_LIMIT,
        settings.GDPR_EXPORT_TIMEOUT_MINUTES * 60,
        settings.ROYALTY_IMPORT_TIMEOUT_MINUTES * 60,
    )
    assert celery_app.conf.broker_transport_options["visibility_timeout"] == (
        longest + settings.JOBS_DEADLINE_MARGIN_SECONDS
    )


def test_the_sweeper_is_on_the_beat_schedule_and_every_job_task_exists():
    entry = settings.CELERY_BEAT_SCHEDULE["jobs-sweep"]
    assert entry == {"task": "veza.jobs_sweep", "schedule": 60.0}
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled <= set(celery_app.tasks)
    specs = (TRACK_PROCESSING, HLS_TRANSCODING, LESSON_PROCESSING, EXPORT_BUILD, ROYALTY_IMPORT)
    assert {spec.task for spec in specs} == {
        *MEDIA,
        "gdpr.export_build",
        "distribution.royalty_import_process",
    }
    assert all(callable(import_string(path)) for path in settings.JOBS_SWEEPERS)


@pytest.mark.django_db
def test_the_sweep_runs_every_apps_sweep(media_root, django_capture_on_commit_callbacks):
    now = timezone.now()
    track = TrackFactory(
        status=ProcessingStatus.PROCESSING,
        content=b"not audio",
        processing_attempts=1,
        processing_deadline=now - timedelta(seconds=1),
    )

    with django_capture_on_commit_callbacks(execute=True):
        result = jobs.jobs_sweep(now=now)

    nothing = {"requeued": 0, "failed": 0}
    assert result == {
        "apps.catalog.services.tracks_requeue_stalled": {"requeued": 1, "failed": 0},
        "apps.streaming.services.hls_requeue_stalled": nothing,
        "apps.education.services.lessons_requeue_stalled": nothing,
        "apps.gdpr.services.exports_requeue_stalled": nothing,
        "apps.distribution.services.royalty_imports_requeue_stalled": nothing,
    }
    track.refresh_from_db()
    # Probed again (eagerly here): the bytes are not audio, so the job ends, as failed.
    assert (track.status, track.processing_attempts) == (ProcessingStatus.FAILED, 2)


@pytest.mark.django_db
def test_an_idle_sweep_costs_one_query_per_kind_of_job(django_assert_num_queries):
    """It runs every minute on every deployment: nothing stalled, five indexed reads."""

    with django_assert_num_queries(5):
        jobs.jobs_sweep()
