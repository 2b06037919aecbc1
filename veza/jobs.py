"""Background jobs that finish once, whatever happens to the worker running them.

A long job (a track's probe, its HLS renditions, a lesson's probe, a data export) lives on its
row: a status, an attempt count and a deadline. Its task *claims* it with one conditional
UPDATE that counts the attempt and sets the deadline to now + the task's hard time limit + a
margin (:func:`job_claim`). A second delivery of the message finds the job claimed and does
nothing; once the deadline has passed, no worker can still be running it (the hard time limit
kills a task before), so the job may be claimed again.

The beat task ``veza.jobs_sweep`` calls every app's sweep (``settings.JOBS_SWEEPERS``), each a
:func:`stalled_jobs_requeue` of its jobs: a job still queued or running past its deadline (its
worker was killed, its host lost, its message dropped) is put back in the queue and sent again;
one that was started ``JOBS_MAX_ATTEMPTS`` times without finishing is failed with the reason.
Both are audited. Redis redelivers an unacknowledged message only after the broker's
visibility timeout, also derived from the time limits (settings, "Background jobs").
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from veza.audit import audit_record
from veza.celery import app as celery_app

logger = logging.getLogger(__name__)


def task_time_limit(task: str) -> int:
    """The hard time limit of the task named ``task``, in seconds (settings)."""
    annotations = settings.CELERY_TASK_ANNOTATIONS.get(task, {})
    return annotations.get("time_limit", settings.CELERY_TASK_TIME_LIMIT)


def job_claim(*, task: str, attempts_field: str, deadline_field: str, now: datetime) -> dict:
    """The column updates of a claim: one more attempt, and a deadline past which the worker
    that claimed the job is certainly gone."""
    seconds = task_time_limit(task) + settings.JOBS_DEADLINE_MARGIN_SECONDS
    return {attempts_field: F(attempts_field) + 1, deadline_field: now + timedelta(seconds=seconds)}


def job_lease_expired(*, deadline_field: str, now: datetime) -> Q:
    """A claimed job whose worker is gone (past its deadline): it may be claimed again."""
    return Q(**{f"{deadline_field}__lt": now})


@dataclass(frozen=True)
class StalledJobs:
    """One kind of job, as the sweeper sees it."""

    #: Audit action prefix, e.g. ``track.processing`` (``.requeued``, ``.failed``).
    name: str
    #: The Celery task that runs the job, called with the row's id.
    task: str
    model: type[models.Model]
    #: Rows whose job is queued or running.
    active: Q
    attempts_field: str
    deadline_field: str
    #: When a job without a deadline yet was queued (rows queued before the deadline existed).
    queued_since_field: str
    #: Column updates that put a running job back in the queue.
    requeue: dict
    #: Column updates that fail the job, given the reason and the time.
    fail: Callable[[str, datetime], dict]
    #: Called with the row's id inside the transaction of a requeue or failure (caches).
    changed: Callable[[object], None] | None = None


def _overdue(jobs: StalledJobs, now: datetime) -> Q:
    queued_before = now - timedelta(seconds=settings.JOBS_QUEUE_TIMEOUT_SECONDS)
    return Q(**{f"{jobs.deadline_field}__lt": now}) | Q(
        **{f"{jobs.deadline_field}__isnull": True, f"{jobs.queued_since_field}__lt": queued_before}
    )


def _send(task: str, job_id: str) -> None:
    celery_app.tasks[task].delay(job_id)


def stalled_jobs_requeue(
    *, jobs: StalledJobs, now: datetime | None = None, limit: int = 500
) -> dict[str, int]:
    """Send again, or fail after ``JOBS_MAX_ATTEMPTS`` starts, the jobs past their deadline.

    Each row changes with a conditional UPDATE on what was read (still active, still overdue,
    same attempt count), so a worker claiming the job meanwhile, or a second sweeper, wins
    cleanly; the task is sent after the commit. A job sent again gets a fresh queue deadline.
    """
    now = now or timezone.now()
    overdue = jobs.active & _overdue(jobs, now)
    rows = list(
        jobs.model.objects.filter(overdue)
        .order_by(F(jobs.deadline_field).asc(nulls_first=True))
        .values_list("pk", jobs.attempts_field)[:limit]
    )
    queue_deadline = now + timedelta(seconds=settings.JOBS_QUEUE_TIMEOUT_SECONDS)
    counts = {"requeued": 0, "failed": 0}
    for pk, attempts in rows:
        with transaction.atomic():
            row = jobs.model.objects.filter(overdue, pk=pk, **{jobs.attempts_field: attempts})
            if attempts >= settings.JOBS_MAX_ATTEMPTS:
                reason = (
                    f"Started {attempts} times without finishing: "
                    "its worker was lost or ran out of time."
                )
                if not row.update(**jobs.fail(reason, now)):
                    continue
                outcome, details = "failed", {"reason": reason}
            else:
                if not row.update(**jobs.requeue, **{jobs.deadline_field: queue_deadline}):
                    continue
                outcome, details = "requeued", {}
                job_id = str(pk)
                transaction.on_commit(lambda job_id=job_id: _send(jobs.task, job_id))
            counts[outcome] += 1
            audit_record(
                action=f"{jobs.name}.{outcome}",
                target=jobs.model(pk=pk),
                metadata={"attempts": attempts, "task": jobs.task, **details},
            )
            if jobs.changed is not None:
                jobs.changed(pk)
    if counts["requeued"] or counts["failed"]:
        logger.warning(
            "Stalled %s jobs: %s sent again, %s failed",
            jobs.name,
            counts["requeued"],
            counts["failed"],
        )
    return counts


def jobs_sweep(*, now: datetime | None = None) -> dict[str, dict[str, int]]:
    """Every app's sweep of its stalled jobs (``settings.JOBS_SWEEPERS``), in turn."""
    now = now or timezone.now()
    return {path: import_string(path)(now=now) for path in settings.JOBS_SWEEPERS}
