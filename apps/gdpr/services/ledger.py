"""The erasure ledger in storage: one small JSON file per deleted account (ids and dates, no
personal data), written after each erasure step commits.

A database restored from a backup taken before a deletion would bring the account back; the
ledger lives outside the database, so ``manage.py gdpr_erasure_replay`` can erase it again.
"""

from __future__ import annotations

import json

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

LEDGER_DIR = "gdpr/erasure-ledger"


def _name(deletion_id) -> str:
    return f"{LEDGER_DIR}/{deletion_id}.json"


def ledger_write(*, deletion) -> None:
    record = {
        "deletion_id": str(deletion.pk),
        "user_id": str(deletion.user_id),
        "keep_public_tracks": deletion.keep_public_tracks,
        "pseudonym": deletion.pseudonym,
        "requested_at": deletion.requested_at.isoformat(),
        "hard_delete_after": deletion.hard_delete_after.isoformat(),
        "hard_deleted_at": deletion.hard_deleted_at.isoformat()
        if deletion.hard_deleted_at
        else None,
    }
    name = _name(deletion.pk)
    default_storage.delete(name)
    default_storage.save(name, ContentFile(json.dumps(record).encode()))


def ledger_records() -> list[dict]:
    if not default_storage.exists(LEDGER_DIR):
        return []
    _, files = default_storage.listdir(LEDGER_DIR)
    records = []
    for filename in sorted(files):
        if filename.endswith(".json"):
            with default_storage.open(f"{LEDGER_DIR}/{filename}", "rb") as handle:
                records.append(json.loads(handle.read()))
    return records
