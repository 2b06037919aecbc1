"""What an erasure step is: one domain's part of deleting an account.

``now`` runs inside the deletion request's transaction (the account must be unusable and
anonymised the moment the 202 is sent); ``final`` runs in the hard-delete job 30 days later.
Both must be idempotent (conditional updates, deletes of what is left): the job may run twice,
after a crash, or replay the ledger after a database restore. Each returns counts for the
deletion's summary (never personal data). ``erased_now`` and ``erased_later`` say in plain
words what the step does: they make the deletion receipt.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from veza.audit import RequestMeta


@dataclass
class ErasureContext:
    user: Any
    deletion: Any
    actor: Any
    meta: RequestMeta
    now: datetime

    @property
    def keep_public_tracks(self) -> bool:
        return self.deletion.keep_public_tracks

    @property
    def pseudonym(self) -> str:
        return self.deletion.pseudonym


Step = Callable[[ErasureContext], dict]


@dataclass(frozen=True)
class ErasureStep:
    name: str
    now: Step | None = None
    final: Step | None = None
    erased_now: tuple[str, ...] = field(default_factory=tuple)
    erased_later: tuple[str, ...] = field(default_factory=tuple)
