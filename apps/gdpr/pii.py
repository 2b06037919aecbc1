"""Which columns of which tables hold personal data, and what an account's deletion does to
each. ``tests/gdpr/test_pii_coverage.py`` checks this against every model: a new column whose
name looks personal (:data:`LOOKS_PERSONAL`) must be declared here, as handled or as not
personal with a reason, or the suite fails.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Handling(StrEnum):
    ANONYMISED = "anonymised when the account is deleted"
    DELETED = "deleted with its row when the account is deleted"
    ERASED_LATER = "erased (or unlinked from the account) at the hard delete"
    KEPT = "kept on purpose (see apps.gdpr.retention)"


@dataclass(frozen=True)
class PiiTable:
    #: Lookup from a row to the account it is about (``"pk"`` for the user table itself).
    owner: str
    columns: dict[str, Handling]


A, D, E, K = Handling.ANONYMISED, Handling.DELETED, Handling.ERASED_LATER, Handling.KEPT

PII: dict[str, PiiTable] = {
    "accounts.user": PiiTable("pk", {"email": A, "email_normalized": A, "username": A}),
    "accounts.profile": PiiTable("user", {"display_name": A, "bio": A, "avatar": A, "country": A}),
    "accounts.auditlog": PiiTable("actor", {"actor_label": A, "ip_address": E, "user_agent": E}),
    "accounts.apikey": PiiTable("user", {"name": A}),
    "accounts.backupcodedevice": PiiTable("user", {"name": D}),
    "accounts.oauthaccount": PiiTable("user", {"email": D, "access_token": D, "refresh_token": D}),
    # Public tracks the user chose to keep stay as published, credited to a pseudonym.
    "catalog.track": PiiTable(
        "owner", {"artist_name": A, "description": K, "audio_file": K, "cover_image": K}
    ),
    "catalog.playlist": PiiTable("owner", {"description": D}),
    # A moderation record: what was reported and why; the reporter is the anonymised account.
    "catalog.report": PiiTable("reporter", {"details": K}),
    "streaming.playevent": PiiTable("listener", {"session_id": E, "country": E}),
    "messaging.message": PiiTable("sender", {"body": E}),
    "gdpr.dataexport": PiiTable("user", {"file": A}),
    # A teacher's courses stay for the learners who enrolled (archived, never sold again).
    "education.course": PiiTable("owner", {"description": K, "cover_image": K}),
    "education.lesson": PiiTable("course__owner", {"description": K, "media_file": K}),
    # Certificates stay verifiable without the learner's name; the issuer's name is part of
    # what the certificate proves, as issued.
    "education.certificate": PiiTable("enrollment__user", {"learner_name": A, "creator_name": K}),
    "education.review": PiiTable("user", {"body": D}),
    # An integrator's endpoints and what was sent to them stop and go at once (the events
    # recorded for the account too: apps.gdpr.erasure.webhooks).
    "webhooks.webhookendpoint": PiiTable("owner", {"url": D, "description": D}),
    "webhooks.webhookattempt": PiiTable("delivery__endpoint__owner", {"response_excerpt": D}),
}

#: Columns whose name looks personal but which hold nothing about a person.
NOT_PERSONAL: dict[str, str] = {
    "platform_settings.platformsetting.description": "what a platform switch does",
    "billing.plan.name": "a plan's name",
    "billing.plan.description": "a plan's description",
    "billing.invoiceline.description": "the plan and period billed",
    "distribution.royaltyimport.file_name": "the name of a distributor's report staff uploaded",
    "distribution.royaltyimport.file": "the stored report awaiting its import: sales per track",
    "distribution.royaltyline.country": "the sales territory a platform reported, not a person's",
    "distribution.royaltyshare.country": "the sales territory of the split line",
    "analytics.playrollup.country": "plays of a track summed per country and quarter hour",
    "analytics.listenerrollup.country": (
        "a country per listener key; the key of a deleted account is replaced at the hard "
        "delete (apps.gdpr.erasure.analytics)"
    ),
}

#: Column names that suggest personal data.
LOOKS_PERSONAL = re.compile(
    r"email|name|(^|_)ip(_|$)|bio|avatar|user_agent|phone|address|country|birth|body"
    r"|session_id|description|details|label|(^|_)token$|city|street|postal|image|(^|_)file$"
)
