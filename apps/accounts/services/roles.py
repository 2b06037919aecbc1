"""Role changes: self-service creator upgrade and staff assignment.

Contract: shared/API.md "POST /api/v1/users/me/upgrade-creator"; changelog: the v1.0.6
"upgrade-creator" entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from apps.accounts.exceptions import EmailNotVerified, UserNotFound
from apps.accounts.models import CONTENT_CREATOR_ROLES, Role, User
from veza.api.exceptions import ValidationFailed
from veza.audit import RequestMeta, audit_record


@dataclass(frozen=True)
class UpgradeResult:
    role: str
    promoted_to_creator_at: datetime | None
    already_elevated: bool


def creator_upgrade(*, user: User, meta: RequestMeta) -> UpgradeResult:
    """One-way flip ``user`` → ``creator`` for a verified account.

    The write is a single ``UPDATE … WHERE role='user' AND is_verified``: a concurrent admin
    assignment can never be overwritten, and two parallel clicks write one timestamp. When it
    changes no row, the fresh row decides the answer.
    """
    now = timezone.now()
    updated = User.objects.filter(pk=user.pk, role=Role.USER, is_verified=True).update(
        role=Role.CREATOR, promoted_to_creator_at=now
    )
    if updated:
        # The upgrade has committed (autocommit); a failing audit write cannot undo it.
        audit_record(
            action="user.upgrade_creator",
            actor=user,
            target=user,
            meta=meta,
            metadata={"from_role": Role.USER, "to_role": Role.CREATOR},
        )
        return UpgradeResult(role=Role.CREATOR, promoted_to_creator_at=now, already_elevated=False)

    current = (
        User.objects.filter(pk=user.pk).values("role", "is_verified", "promoted_to_creator_at")
    ).first()
    if current is None:
        raise UserNotFound()
    if not current["is_verified"]:
        raise EmailNotVerified()
    if current["role"] in CONTENT_CREATOR_ROLES:
        return UpgradeResult(
            role=current["role"],
            promoted_to_creator_at=current["promoted_to_creator_at"],
            already_elevated=True,
        )
    # Verified ``user`` that the UPDATE missed: it was verified between the two statements.
    return creator_upgrade(user=user, meta=meta)


@transaction.atomic
def user_role_assign(*, user: User, role: str, actor: User | None, meta: RequestMeta) -> User:
    """Staff assign a role (admin site, later the admin API). Always audited.

    Writes only ``role``, so a concurrent self-upgrade's timestamp is never erased; an admin
    assignment leaves ``promoted_to_creator_at`` untouched (out-of-band roles stay distinguishable
    from organic creators).
    """
    if role not in Role.values:
        raise ValidationFailed(details={"role": [f'"{role}" is not a valid role.']})
    locked = User.objects.select_for_update().get(pk=user.pk)
    previous = locked.role
    if previous != role:
        User.objects.filter(pk=user.pk).update(role=role)
        audit_record(
            action="user.role_change",
            actor=actor,
            target=locked,
            meta=meta,
            metadata={"from_role": previous, "to_role": role},
        )
    user.role = role
    return user
