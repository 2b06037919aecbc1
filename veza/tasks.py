"""Shared Celery tasks."""

import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from veza import jobs


@shared_task(
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def send_templated_email(*, template: str, to: str, context: dict) -> None:
    """Render the text and HTML parts of ``templates/emails/<template>`` and send them."""
    context = {**context, "frontend_url": settings.FRONTEND_URL}
    subject = render_to_string(f"emails/{template}.subject.txt", context).strip()
    text = render_to_string(f"emails/{template}.txt", context)
    html = render_to_string(f"emails/{template}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    message.send()


@shared_task(name="veza.jobs_sweep", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def jobs_sweep() -> dict[str, dict[str, int]]:
    """Beat, every ``JOBS_SWEEP_INTERVAL_SECONDS``: stalled jobs are sent again or failed."""
    return jobs.jobs_sweep()
