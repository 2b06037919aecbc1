"""Transactional email: rendered from ``templates/emails/<name>.{subject.txt,txt,html}``.

Callers use :func:`email_send_on_commit`; the Celery task renders and sends after the
transaction that caused the email commits, so a rolled-back registration sends nothing.
"""

from __future__ import annotations

from django.db import transaction

from veza.tasks import send_templated_email


def email_send_on_commit(*, template: str, to: str, context: dict) -> None:
    transaction.on_commit(
        lambda: send_templated_email.delay(template=template, to=to, context=context)
    )
