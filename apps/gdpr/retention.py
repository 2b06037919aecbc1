"""What Veza keeps after an account is deleted, why and for how long.

The single source of the README's retention table and of the deletion receipt (the 202 answer
of ``DELETE /users/me``). Each entry: what is kept, the legal basis, how long.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.conf import settings


@dataclass(frozen=True)
class Retained:
    what: str
    why: str
    kept_for: str

    def as_dict(self) -> dict:
        return asdict(self)


def retained() -> list[Retained]:
    days = settings.GDPR_HARD_DELETE_DAYS
    return [
        Retained(
            what="Invoices, as issued (number, amounts, periods, plan)",
            why=(
                "Tax and commercial law require invoices to be kept unaltered "
                "(GDPR Art. 17(3)(b)); only staff can see them and the account they point to "
                "is anonymised."
            ),
            kept_for=f"{settings.GDPR_INVOICE_RETENTION_YEARS} years from the invoice date",
        ),
        Retained(
            what="Public tracks, if you chose to keep them",
            why="Your choice (keep_public_tracks); credited to a pseudonym, not to you.",
            kept_for="Until staff or a rights holder removes them",
        ),
        Retained(
            what="Message bodies you sent, in the other participants' conversations",
            why="The other participants' copy of the conversation, shown as from 'Deleted user'.",
            kept_for=f"{days} days, then emptied",
        ),
        Retained(
            what="Playback events you made, linked to the account",
            why="Play counts and creators' statistics; the link to you is removed.",
            kept_for=f"{days} days linked, then anonymous",
        ),
        Retained(
            what="IP addresses and browsers in the security audit log",
            why="Investigating abuse or account takeover reported shortly after deletion "
            "(legitimate interest, Art. 6(1)(f)).",
            kept_for=f"{days} days, then erased",
        ),
        Retained(
            what="Reports you filed about tracks",
            why="Moderation records of what was reported and why; they name the anonymised "
            "account, not you.",
            kept_for="As long as the reported track's moderation history",
        ),
        Retained(
            what="The deletion record (account id, dates, no personal data)",
            why="Proof of erasure, and replaying it after a database restore.",
            kept_for="Indefinitely",
        ),
    ]
