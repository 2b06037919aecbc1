"""Education background work: take ids, reload, call a service (idempotent)."""

from celery import shared_task

from apps.education import services


@shared_task(name="education.lesson_process", acks_late=True, reject_on_worker_lost=True)
def lesson_process(lesson_id: str) -> str | None:
    lesson = services.lesson_process(lesson_id=lesson_id)
    return lesson.status if lesson is not None else None
