"""Royalty splits: versions by sale month, and the arithmetic that never loses a cent.

A split says which percentage of a track's royalties goes to whom, from a sale month on. A
line's earnings are divided in minor units with the largest-remainder rule, so the shares of a
line always add up to the line exactly; the shares are written once, when the line is matched,
and never recomputed (a new version applies to later sale months only).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import Max

from apps.accounts.models import User
from apps.catalog.models import Track
from apps.distribution import selectors
from apps.distribution.exceptions import StatementsExist
from apps.distribution.models import RoyaltyLine, RoyaltyShare, RoyaltySplit, RoyaltySplitShare
from veza.api.exceptions import Conflict, NotFound, ValidationFailed
from veza.audit import RequestMeta, audit_record

HUNDRED = Decimal(100)
#: Shares are stored with 12 decimal places; no line is split finer than that.
MAX_EXPONENT = 12
#: The currency's own minor unit (cents) is the coarsest unit a line is split in.
MIN_EXPONENT = 2


def split_minor_units(total: int, percents: Sequence[Decimal]) -> list[int]:
    """Divide ``total`` minor units by ``percents`` (summing to 100) with the largest-remainder
    rule: everyone gets the floor of their exact quota, and the units left over go one each to
    the largest fractional remainders (ties: the order given). The result sums to ``total``;
    a negative total (a refund line) is split like its absolute value."""
    sign = -1 if total < 0 else 1
    total = abs(total)
    quotas = [Decimal(total) * percent / HUNDRED for percent in percents]
    floors = [int(quota) for quota in quotas]
    left = total - sum(floors)
    order = sorted(range(len(quotas)), key=lambda i: (-(quotas[i] - floors[i]), i))
    for index in order[:left]:
        floors[index] += 1
    return [sign * value for value in floors]


def split_amount(amount: Decimal, percents: Sequence[Decimal]) -> list[Decimal]:
    """Split a money amount in its minor units: cents, or the line's own finer precision
    (reports carry fractions of a cent, which must not be lost)."""
    exponent = -amount.normalize().as_tuple().exponent
    exponent = min(max(exponent, MIN_EXPONENT), MAX_EXPONENT)
    units = int(amount.scaleb(exponent))
    return [Decimal(value).scaleb(-exponent) for value in split_minor_units(units, percents)]


@dataclass(frozen=True)
class ShareSpec:
    user_id: object
    percent: Decimal


def _version_for(versions: list[RoyaltySplit], sale_month: date) -> RoyaltySplit | None:
    """The version in force for a sale month (versions newest first)."""
    return next((v for v in versions if v.effective_from <= sale_month), None)


def line_payees_assign(*, lines: list[RoyaltyLine]) -> None:
    """Set who is paid each matched line (unsaved): its track's owner, and whether a split
    version is in force for its sale month (then :func:`line_shares_write` pays the shares)."""
    track_ids = {line.track_id for line in lines if line.track_id is not None}
    owners = dict(Track.objects.filter(pk__in=track_ids).values_list("pk", "owner_id"))
    versions = selectors.split_versions(track_ids=track_ids)
    for line in lines:
        line.payee_id = owners.get(line.track_id)
        line.is_split = _version_for(versions.get(line.track_id, []), line.sale_month) is not None


SHARE_COLUMNS = (
    "line_id",
    "user_id",
    "track_id",
    "sale_month",
    "platform",
    "country",
    "quantity",
    "amount",
    "currency",
)
#: What :func:`line_shares_write` reads of a line (model instances or ``values_list`` rows).
LINE_FIELDS = (
    "id",
    "track_id",
    "sale_month",
    "platform",
    "country",
    "quantity",
    "earnings",
    "currency",
)


def _shares_insert(rows: list[tuple]) -> int:
    """New share rows in one go: PostgreSQL ``COPY`` (a report may split hundreds of thousands
    of lines), ``bulk_create`` elsewhere. Only lines without shares get here (just imported or
    just matched), so no conflict is possible."""
    if not rows:
        return 0
    if connection.vendor == "postgresql":
        table = RoyaltyShare._meta.db_table
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({', '.join(SHARE_COLUMNS)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
    else:
        RoyaltyShare.objects.bulk_create(
            RoyaltyShare(**dict(zip(SHARE_COLUMNS, row, strict=True))) for row in rows
        )
    return len(rows)


def line_shares_write(*, lines: Iterable, batch_size: int = 5000) -> int:
    """Write the shares of split lines (instances or rows with :data:`LINE_FIELDS`): the
    split version in force for each line's sale month, divided with the largest-remainder
    rule. Lines without a version in force are paid whole to their payee and skipped here."""
    written = 0
    batch: list[tuple] = []
    versions_by_track: dict = {}
    for line in lines:
        if line.track_id is None:
            continue
        if line.track_id not in versions_by_track:
            versions_by_track[line.track_id] = [
                (version.effective_from, [(s.user_id, s.percent) for s in version.shares.all()])
                for version in selectors.split_versions(track_ids=[line.track_id]).get(
                    line.track_id, []
                )
            ]
        shares = next(
            (
                shares
                for start, shares in versions_by_track[line.track_id]
                if start <= line.sale_month
            ),
            None,
        )
        if shares is None:
            continue
        amounts = split_amount(line.earnings, [percent for _, percent in shares])
        for (user_id, _), amount in zip(shares, amounts, strict=True):
            batch.append(
                (
                    line.id,
                    user_id,
                    line.track_id,
                    line.sale_month,
                    line.platform,
                    line.country,
                    line.quantity,
                    amount,
                    line.currency,
                )
            )
        if len(batch) >= batch_size:
            written += _shares_insert(batch)
            batch = []
    return written + _shares_insert(batch)


def month_start(value: date) -> date:
    return value.replace(day=1)


@transaction.atomic
def royalty_split_create(
    *,
    track: Track,
    actor,
    shares: list[ShareSpec],
    effective_from: date,
    meta: RequestMeta | None = None,
) -> RoyaltySplit:
    """A new split version of the owner's track, from a sale month on.

    Percentages are positive, two decimals, one per person, summing to exactly 100. A version
    may not start at or before a sale month whose royalties were already split (409
    ``STATEMENTS_EXIST``): statements already shown never change.
    """
    if track.owner_id != getattr(actor, "pk", None):
        raise NotFound()
    errors: dict[str, list[str]] = {}
    users = [share.user_id for share in shares]
    if not shares:
        errors["shares"] = ["Name at least one person."]
    elif len(set(users)) != len(users):
        errors["shares"] = ["Each person appears once."]
    elif sum((share.percent for share in shares), Decimal(0)) != HUNDRED:
        errors["shares"] = ["The percentages must add up to exactly 100."]
    if errors:
        raise ValidationFailed(details=errors)
    known = set(User.objects.filter(pk__in=users, is_active=True).values_list("pk", flat=True))
    missing = [str(user) for user in users if user not in known]
    if missing:
        raise ValidationFailed(details={"shares": [f"Unknown user: {', '.join(missing)}."]})
    start = month_start(effective_from)
    latest = RoyaltyLine.objects.filter(track=track).aggregate(latest=Max("sale_month"))["latest"]
    if latest is not None and start <= latest:
        raise StatementsExist(details={"effective_from": [f"Choose a month after {latest:%Y-%m}."]})
    try:
        with transaction.atomic():
            split = RoyaltySplit.objects.create(track=track, effective_from=start, created_by=actor)
    except IntegrityError as error:
        raise Conflict("A split version already starts in this month.") from error
    RoyaltySplitShare.objects.bulk_create(
        RoyaltySplitShare(split=split, user_id=share.user_id, percent=share.percent)
        for share in shares
    )
    audit_record(
        action="royalty.split_create",
        actor=actor,
        target=split,
        meta=meta,
        metadata={
            "track_id": str(track.pk),
            "effective_from": start.isoformat(),
            "shares": {str(share.user_id): str(share.percent) for share in shares},
        },
    )
    return selectors.split_list(user=actor, track_id=track.pk).get(pk=split.pk)
