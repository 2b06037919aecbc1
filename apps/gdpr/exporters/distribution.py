"""Distribution: the user's releases on streaming platforms with their status history, and
every royalty amount paid to them (whole report lines of their tracks, and their split shares)."""

from __future__ import annotations

from django.db.models import Prefetch

from apps.distribution.models import Distribution, PlatformRelease, RoyaltyLine, RoyaltyShare
from apps.gdpr.exporters.base import CHUNK_SIZE, Exporter


def distribution_rows(user, cut_off):
    distributions = (
        Distribution.objects.filter(owner=user, created_at__lte=cut_off)
        .select_related("track")
        .prefetch_related(
            Prefetch("releases", queryset=PlatformRelease.objects.order_by("platform"))
        )
        .order_by("created_at", "id")
    )
    for distribution in distributions.iterator(chunk_size=200):
        yield {
            "id": str(distribution.pk),
            "track": {"id": str(distribution.track_id), "title": distribution.track.title},
            "isrc": distribution.isrc,
            "is_explicit": distribution.is_explicit,
            "created_at": distribution.created_at,
            "platforms": [
                {
                    "platform": release.platform,
                    "status": release.status,
                    "status_reason": release.status_reason,
                    "submitted_at": release.submitted_at,
                    "live_at": release.live_at,
                    "status_changed_at": release.status_changed_at,
                }
                for release in distribution.releases.all()
            ],
        }


def royalty_rows(user, cut_off):
    whole = (
        RoyaltyLine.objects.filter(
            payee=user, is_split=False, royalty_import__created_at__lte=cut_off
        )
        .order_by("sale_month", "id")
        .values_list(
            "sale_month", "platform", "country", "title", "isrc", "quantity", "earnings", "currency"
        )
    )
    for month, platform, country, title, isrc, quantity, amount, currency in whole.iterator(
        chunk_size=CHUNK_SIZE
    ):
        yield {
            "kind": "whole line",
            "sale_month": f"{month:%Y-%m}",
            "platform": platform,
            "country": country,
            "title": title,
            "isrc": isrc,
            "quantity": quantity,
            "amount": str(amount),
            "currency": currency,
        }
    shares = (
        RoyaltyShare.objects.filter(user=user, line__royalty_import__created_at__lte=cut_off)
        .order_by("sale_month", "id")
        .values_list(
            "sale_month",
            "platform",
            "country",
            "line__title",
            "line__isrc",
            "quantity",
            "amount",
            "currency",
        )
    )
    for month, platform, country, title, isrc, quantity, amount, currency in shares.iterator(
        chunk_size=CHUNK_SIZE
    ):
        yield {
            "kind": "split share",
            "sale_month": f"{month:%Y-%m}",
            "platform": platform,
            "country": country,
            "title": title,
            "isrc": isrc,
            "quantity": quantity,
            "amount": str(amount),
            "currency": currency,
        }


EXPORTERS = [
    Exporter(
        "distributions.jsonl",
        "Your releases on streaming platforms: per platform, its status and dates.",
        distribution_rows,
    ),
    Exporter(
        "royalties.jsonl",
        "Royalties paid to you, line by line: whole report lines of your tracks and your "
        "shares of split tracks; amounts are decimal strings in the report's currency.",
        royalty_rows,
    ),
]
