"""Deleting an account (Art. 17): anonymised and unusable at once, finished 30 days later.

Contract: shared/API.md "Personal data (GDPR)"; changelog: "Suppression: keep_public_tracks,
anonymisation PII complète (users, user_profiles)", "HardDeleteWorker: final anonymization
après 30 jours". What each domain does is in :mod:`apps.gdpr.erasure`; what is kept and why
is in :mod:`apps.gdpr.retention`.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta

from dateutil.parser import isoparse
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.accounts.exceptions import InvalidOtp, InvalidPassword, OtpRequired
from apps.accounts.models import User
from apps.accounts.services import otp_verify, two_factor_is_enabled
from apps.billing.models import Invoice
from apps.gdpr.erasure import STEPS, ErasureContext
from apps.gdpr.exceptions import AlreadyDeleted
from apps.gdpr.models import AccountDeletion
from apps.gdpr.retention import retained
from apps.gdpr.services.ledger import ledger_records, ledger_write
from veza.api import ratelimit
from veza.audit import RequestMeta, audit_record
from veza.emails import email_send_on_commit

PSEUDONYM_PREFIX = "Deleted user"


def account_delete(
    *,
    user: User,
    password: str,
    otp_code: str | None,
    keep_public_tracks: bool,
    meta: RequestMeta | None = None,
    now: datetime | None = None,
) -> AccountDeletion:
    """The account holder deletes their account: the password (and a second factor when 2FA
    is on) proves it is them. Wrong ones count against the account's failed-login limit, like
    the login and turning 2FA off."""
    account = user.email_normalized
    ratelimit.account_failures_check(account=account)
    if not user.check_password(password):
        ratelimit.account_failure_record(account=account)
        raise InvalidPassword("The password is incorrect.")
    if two_factor_is_enabled(user=user):
        if not otp_code:
            raise OtpRequired(status_code=400)
        if not otp_verify(user=user, code=otp_code):
            ratelimit.account_failure_record(account=account)
            raise InvalidOtp(status_code=400)
    return account_erase(
        user=user, keep_public_tracks=keep_public_tracks, staff=None, meta=meta, now=now
    )


def _context(deletion: AccountDeletion, *, actor, meta, now) -> ErasureContext:
    return ErasureContext(
        user=deletion.user, deletion=deletion, actor=actor, meta=meta or RequestMeta(), now=now
    )


def _run_now(ctx: ErasureContext) -> dict:
    return {step.name: step.now(ctx) for step in STEPS if step.now is not None}


def _run_final(ctx: ErasureContext) -> dict:
    return {step.name: step.final(ctx) for step in STEPS if step.final is not None}


@transaction.atomic
def account_erase(
    *,
    user: User,
    keep_public_tracks: bool,
    staff: User | None = None,
    meta: RequestMeta | None = None,
    now: datetime | None = None,
    reason: str = "",
) -> AccountDeletion:
    """Erase ``user`` now: every step of :data:`apps.gdpr.erasure.STEPS` in one transaction,
    so the account is either fully anonymised or untouched. ``staff`` acts for a support
    request (no password asked; audited under their name)."""
    now = now or timezone.now()
    locked = User.objects.select_for_update().filter(pk=user.pk).first()
    if locked is None or AccountDeletion.objects.filter(user_id=user.pk).exists():
        raise AlreadyDeleted()
    deletion = AccountDeletion.objects.create(
        user=locked,
        requested_by_staff=staff,
        keep_public_tracks=keep_public_tracks,
        pseudonym=f"{PSEUDONYM_PREFIX} {secrets.token_hex(4)}",
        requested_at=now,
        hard_delete_after=now + timedelta(days=settings.GDPR_HARD_DELETE_DAYS),
    )
    # The address is about to be anonymised: tell its owner now (a deletion they did not ask
    # for means someone else holds their password).
    email_send_on_commit(
        template="gdpr_account_deleted",
        to=locked.email,
        context={
            "username": locked.username,
            "hard_delete_at": deletion.hard_delete_after.strftime("%Y-%m-%d"),
            "by_staff": staff is not None,
        },
    )
    audit_record(
        action="gdpr.account_delete",
        actor=staff or locked,
        target=deletion,
        meta=meta,
        metadata={
            "user_id": str(locked.pk),
            "keep_public_tracks": keep_public_tracks,
            "by_staff": staff is not None,
            **({"reason": reason} if reason else {}),
        },
    )
    deletion.summary = {
        "now": _run_now(_context(deletion, actor=staff or locked, meta=meta, now=now))
    }
    deletion.save(update_fields=["summary"])
    transaction.on_commit(lambda: ledger_write(deletion=deletion))
    return deletion


def deletion_finish(*, deletion_id, now: datetime | None = None) -> bool:
    """The hard delete of one account, once its 30 days are over. Idempotent: a finished or
    not-yet-due deletion is skipped, a deletion locked by another worker too; a crash rolls
    the whole step back and the next run does it again."""
    now = now or timezone.now()
    with transaction.atomic():
        deletion = (
            AccountDeletion.objects.select_for_update(skip_locked=True)
            .filter(pk=deletion_id, hard_deleted_at__isnull=True, hard_delete_after__lte=now)
            .first()
        )
        if deletion is None:
            return False
        final = _run_final(_context(deletion, actor=None, meta=None, now=now))
        deletion.summary = {**deletion.summary, "final": final}
        deletion.hard_deleted_at = now
        deletion.save(update_fields=["summary", "hard_deleted_at"])
        audit_record(
            action="gdpr.account_hard_delete",
            target=deletion,
            metadata={"user_id": str(deletion.user_id)},
        )
        transaction.on_commit(lambda: ledger_write(deletion=deletion))
    return True


def deletions_finish_due(*, now: datetime | None = None) -> int:
    """Every deletion whose hard delete is due (the daily job)."""
    now = now or timezone.now()
    due = AccountDeletion.objects.filter(hard_deleted_at__isnull=True, hard_delete_after__lte=now)
    ids = list(due.order_by("hard_delete_after").values_list("pk", flat=True))
    return sum(deletion_finish(deletion_id=pk, now=now) for pk in ids)


def retained_invoices_purge(*, now: datetime | None = None) -> int:
    """Invoices of deleted accounts are kept as issued for the legal retention period
    (``GDPR_INVOICE_RETENTION_YEARS``, :mod:`apps.gdpr.retention`), then deleted with their
    lines; idempotent."""
    now = now or timezone.now()
    limit = now - relativedelta(years=settings.GDPR_INVOICE_RETENTION_YEARS)
    expired = Invoice.objects.filter(user__deletion__isnull=False, issued_at__lt=limit)
    deleted, _ = expired.delete()
    return deleted


def erasures_replay(*, now: datetime | None = None) -> int:
    """Erase again every account the storage ledger lists (after a database restore brought
    some back). Re-creates missing deletion rows, re-runs the immediate steps, and the final
    ones where they had run or are due. Idempotent; returns how many accounts it replayed."""
    now = now or timezone.now()
    replayed = 0
    for record in ledger_records():
        user = User.objects.filter(pk=record["user_id"]).first()
        if user is None:
            continue
        with transaction.atomic():
            deletion, _ = AccountDeletion.objects.get_or_create(
                user=user,
                defaults={
                    "id": uuid.UUID(record["deletion_id"]),
                    "keep_public_tracks": record["keep_public_tracks"],
                    "pseudonym": record["pseudonym"],
                    "requested_at": isoparse(record["requested_at"]),
                    "hard_delete_after": isoparse(record["hard_delete_after"]),
                },
            )
            ctx = _context(deletion, actor=None, meta=None, now=now)
            _run_now(ctx)
            if record["hard_deleted_at"] or deletion.hard_delete_after <= now:
                _run_final(ctx)
                if deletion.hard_deleted_at is None:
                    deletion.hard_deleted_at = now
                    deletion.save(update_fields=["hard_deleted_at"])
        replayed += 1
    return replayed


def deletion_receipt(*, deletion: AccountDeletion) -> dict:
    """The 202 answer: what was done now, what happens at the hard delete, what is kept."""
    return {
        "status": "scheduled",
        "requested_at": deletion.requested_at,
        "hard_delete_at": deletion.hard_delete_after,
        "keep_public_tracks": deletion.keep_public_tracks,
        "pseudonym": deletion.pseudonym if deletion.keep_public_tracks else None,
        "done_now": [line for step in STEPS for line in step.erased_now],
        "at_hard_delete": [line for step in STEPS for line in step.erased_later],
        "kept": [item.as_dict() for item in retained()],
    }
