"""Every read of distribution and royalties that an API, a task or a service needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, Max, Prefetch, Q, QuerySet, Sum

from apps.billing.models import FREE_PLAN_CODE, LIVE_STATUSES, Subscription
from apps.billing.selectors import user_has_paid_plan
from apps.catalog.models import ProcessingStatus, Track
from apps.distribution.models import (
    OCCUPYING_STATUSES,
    POLLED_STATUSES,
    Distribution,
    Platform,
    PlatformCoverage,
    PlatformRelease,
    RoyaltyImport,
    RoyaltyLine,
    RoyaltyShare,
    RoyaltySplit,
    RoyaltySplitShare,
    StatusChange,
    TrackIsrc,
)
from apps.distribution.providers import ReleaseSpec
from veza.api.exceptions import NotFound

#: ``?ordering=`` whitelist of the distribution list (shared/API.md, Conventions).
DISTRIBUTION_ORDERINGS = frozenset({"created_at", "updated_at"})


def user_is_eligible(user) -> bool:
    """Distribution is for an ``active`` or ``trialing`` Creator/Premium subscription."""
    return user_has_paid_plan(user)


def track_for_distribution(*, track_id, user) -> Track:
    """A ready track the caller owns; any other track is 404 (the caller learns nothing about
    other people's tracks)."""
    track = (
        Track.objects.select_related("owner", "owner__profile")
        .filter(pk=track_id, owner=user, status=ProcessingStatus.READY)
        .first()
    )
    if track is None:
        raise NotFound("No ready track of yours has this id.")
    return track


def track_owned(*, track_id, user) -> Track:
    """A track of the caller, whatever its processing state; anyone else's is 404."""
    track = Track.objects.filter(pk=track_id, owner=user).first()
    if track is None:
        raise NotFound()
    return track


def cover_size(track: Track) -> tuple[int, int] | None:
    """The cover art's pixel size (Pillow reads only the header), or ``None`` without one."""
    if not track.cover_image:
        return None
    from PIL import Image, UnidentifiedImageError  # on use: web processes need not load Pillow

    try:
        with track.cover_image.open("rb") as handle, Image.open(handle) as image:
            return image.size
    except (OSError, UnidentifiedImageError, ValueError):
        return None


def track_isrc(*, track: Track) -> str | None:
    return TrackIsrc.objects.filter(track=track).values_list("isrc", flat=True).first()


def release_spec(*, track: Track, isrc: str, is_explicit: bool | None) -> ReleaseSpec:
    profile = getattr(track.owner, "profile", None)
    artist = track.artist_name or (profile.display_name if profile else "")
    return ReleaseSpec(
        title=track.title or "",
        artist=artist or "",
        isrc=isrc,
        is_explicit=is_explicit,
        cover_size=cover_size(track),
        duration=track.duration,
        bitrate=track.bitrate,
        codec=track.codec or "",
    )


def releases_occupying(*, track: Track, platforms: list[str]) -> list[str]:
    """The platforms among ``platforms`` where ``track`` is already live or on its way."""
    return sorted(
        PlatformRelease.objects.filter(
            track=track, platform__in=platforms, status__in=OCCUPYING_STATUSES
        ).values_list("platform", flat=True)
    )


def _with_releases(queryset: QuerySet[Distribution]) -> QuerySet[Distribution]:
    return queryset.select_related("track").prefetch_related(
        Prefetch("releases", queryset=PlatformRelease.objects.order_by("platform"))
    )


def distribution_list(
    *, user, track=None, status: str | None = None, ordering: str | None = None
) -> QuerySet[Distribution]:
    """The caller's distributions with their per-platform releases."""
    queryset = Distribution.objects.filter(owner=user)
    if track is not None:
        queryset = queryset.filter(track_id=track)
    if status:
        queryset = queryset.filter(releases__status=status).distinct()
    value = (ordering or "").strip()
    name = value.removeprefix("-")
    chosen = value if name in DISTRIBUTION_ORDERINGS else "-created_at"
    return _with_releases(queryset).order_by(chosen, "-id")


def distribution_get(*, distribution_id, user) -> Distribution:
    """The caller's distribution; anyone else's is 404."""
    distribution = _with_releases(Distribution.objects.filter(pk=distribution_id, owner=user))
    found = distribution.first()
    if found is None:
        raise NotFound()
    return found


def distribution_get_any(*, distribution_id) -> Distribution:
    found = _with_releases(Distribution.objects.filter(pk=distribution_id)).first()
    if found is None:
        raise NotFound()
    return found


def royalty_import_get(*, import_id) -> RoyaltyImport:
    """A royalty import (staff read any); an unknown id is 404."""
    found = RoyaltyImport.objects.filter(pk=import_id).first()
    if found is None:
        raise NotFound("No royalty import has this id.")
    return found


def distribution_history(*, distribution: Distribution) -> QuerySet[StatusChange]:
    """Every transition of every platform of a distribution, oldest first."""
    return (
        StatusChange.objects.filter(release__distribution=distribution)
        .select_related("release", "actor")
        .order_by("created_at", "id")
    )


def releases_due(*, now: datetime, limit: int) -> list:
    return list(
        PlatformRelease.objects.filter(status__in=POLLED_STATUSES, next_check_at__lte=now)
        .order_by("next_check_at")
        .values_list("pk", flat=True)[:limit]
    )


def owners_past_grace(*, cutoff: datetime) -> list:
    """Owners of releases still occupying a platform whose paid plan ended before ``cutoff``
    (or who never had one), and who have no live paid subscription now. ``past_due`` still
    counts as live here: billing is retrying the payment."""
    owners = set(
        PlatformRelease.objects.filter(status__in=OCCUPYING_STATUSES).values_list(
            "distribution__owner_id", flat=True
        )
    )
    if not owners:
        return []
    paying = set(
        Subscription.objects.filter(user_id__in=owners, status__in=LIVE_STATUSES)
        .exclude(plan__code=FREE_PLAN_CODE)
        .values_list("user_id", flat=True)
    )
    ended = dict(
        Subscription.objects.filter(user_id__in=owners - paying, ended_at__isnull=False)
        .exclude(plan__code=FREE_PLAN_CODE)
        .values_list("user_id")
        .annotate(last=Max("ended_at"))
    )
    return sorted(
        (owner for owner in owners - paying if ended.get(owner) is None or ended[owner] < cutoff),
        key=str,
    )


def split_versions(*, track_ids) -> dict:
    """Each track's split versions, newest first, with their shares."""
    versions: dict = {}
    for split in (
        RoyaltySplit.objects.filter(track_id__in=track_ids)
        .prefetch_related(Prefetch("shares", queryset=RoyaltySplitShare.objects.order_by("pk")))
        .order_by("track_id", "-effective_from")
    ):
        versions.setdefault(split.track_id, []).append(split)
    return versions


def split_list(*, user, track_id=None) -> QuerySet[RoyaltySplit]:
    """Split versions of the caller's tracks, newest first."""
    queryset = RoyaltySplit.objects.filter(Q(track__owner=user) | Q(shares__user=user)).distinct()
    if track_id is not None:
        queryset = queryset.filter(track_id=track_id)
    return queryset.prefetch_related(
        Prefetch("shares", queryset=RoyaltySplitShare.objects.select_related("user"))
    ).order_by("track_id", "-effective_from", "id")


GROUPS = {"platform": "platform", "track": "track_id", "month": "sale_month", "country": "country"}


@dataclass(frozen=True)
class RoyaltyTotal:
    key: str | None
    label: str
    currency: str
    earnings: Decimal
    quantity: int
    lines: int


@dataclass(frozen=True)
class RoyaltySummary:
    group_by: str
    date_from: date | None
    date_to: date | None
    totals: list[RoyaltyTotal]
    groups: list[RoyaltyTotal]
    reported_through: list[PlatformCoverage]


def royalty_summary(
    *, user, group_by: str, date_from: date | None, date_to: date | None
) -> RoyaltySummary:
    """The caller's royalties, per currency and group: lines of their tracks without a split
    (paid to them whole) plus their shares of split lines, theirs or others'.

    Reads only rows naming the caller (``payee`` of a line, ``user`` of a share), so another
    creator's lines never enter the totals. ``from``/``to`` are sale months.
    """
    column = GROUPS[group_by]
    whole = RoyaltyLine.objects.filter(payee=user, is_split=False)
    shares = RoyaltyShare.objects.filter(user=user)
    if date_from:
        whole = whole.filter(sale_month__gte=date_from.replace(day=1))
        shares = shares.filter(sale_month__gte=date_from.replace(day=1))
    if date_to:
        whole = whole.filter(sale_month__lte=date_to)
        shares = shares.filter(sale_month__lte=date_to)
    sums: dict[tuple, list] = {}
    for queryset, amount in ((whole, "earnings"), (shares, "amount")):
        rows = (
            queryset.values(column, "currency")
            .annotate(total=Sum(amount), units=Sum("quantity"), count=Count("id"))
            .order_by()
        )
        for row in rows:
            entry = sums.setdefault((row[column], row["currency"]), [Decimal(0), 0, 0])
            entry[0] += row["total"]
            entry[1] += row["units"]
            entry[2] += row["count"]
    labels: dict = {}
    if group_by == "track":
        labels = dict(
            Track.objects.filter(pk__in={key for key, _ in sums if key}).values_list("pk", "title")
        )
    elif group_by == "platform":
        labels = dict(Platform.choices)
    groups, totals = [], {}
    for (key, currency), (earnings, quantity, lines) in sorted(
        sums.items(), key=lambda item: (str(item[0][0] or ""), item[0][1])
    ):
        if isinstance(key, date):
            label = shown = f"{key:%Y-%m}"
        else:
            label = str(labels.get(key, key or ""))
            shown = str(key) if key is not None else ""
        groups.append(RoyaltyTotal(shown, label, currency, earnings, quantity, lines))
        total = totals.setdefault(currency, [Decimal(0), 0, 0])
        total[0] += earnings
        total[1] += quantity
        total[2] += lines
    return RoyaltySummary(
        group_by=group_by,
        date_from=date_from,
        date_to=date_to,
        totals=[
            RoyaltyTotal(None, "", currency, *values) for currency, values in sorted(totals.items())
        ],
        groups=groups,
        reported_through=list(PlatformCoverage.objects.order_by("platform")),
    )


def royalty_totals_by_month(*, user, month_from: date, month_to: date) -> list[tuple]:
    """``(sale_month, currency, amount)`` of everything paid to ``user`` for the sale months
    ``[month_from, month_to]``: lines of their unsplit tracks whole, plus their shares. Two
    queries; creator analytics reads royalties through this."""
    sums: dict[tuple, Decimal] = {}
    whole = RoyaltyLine.objects.filter(payee=user, is_split=False)
    shares = RoyaltyShare.objects.filter(user=user)
    for queryset, amount in ((whole, "earnings"), (shares, "amount")):
        rows = (
            queryset.filter(sale_month__gte=month_from, sale_month__lte=month_to)
            .values("sale_month", "currency")
            .annotate(total=Sum(amount))
            .order_by()
        )
        for row in rows:
            key = (row["sale_month"], row["currency"])
            sums[key] = sums.get(key, Decimal(0)) + row["total"]
    return [(month, currency, total) for (month, currency), total in sorted(sums.items())]
