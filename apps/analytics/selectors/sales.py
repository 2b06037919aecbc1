"""Money earned, per source, currency and local day.

Each source is one function ``(creator, start, end) -> [SaleLine]`` in :data:`SALE_SOURCES`.
Royalties are reported per sale month, not per day: a month's royalties count on its first day
(noon UTC, the same local date in every zone from UTC-12 to UTC+12).
Subscriptions bring a creator nothing today (plans are what creators pay Veza; there are no
fan subscriptions), so they are not a source.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.utils import timezone

from apps.analytics.selectors.common import Range
from apps.distribution.selectors import royalty_totals_by_month
from apps.education.models import Course
from apps.education.selectors import course_sales_for_creator
from veza.api.exceptions import NotFound


class SaleLine(NamedTuple):
    at: datetime
    currency: str
    amount: Decimal


def course_sale_lines(
    *, creator, start: datetime, end: datetime, course: str | None = None
) -> list[SaleLine]:
    sales = course_sales_for_creator(creator=creator, start=start, end=end).order_by()
    if course is not None:
        sales = sales.filter(course__slug=course)
    return [SaleLine(*row) for row in sales.values_list("sold_at", "currency", "amount")]


def royalty_lines(*, creator, start: datetime, end: datetime) -> list[SaleLine]:
    """Royalties paid to the creator (own tracks and shares of others'), one line per sale
    month and currency, placed on the month's first day."""
    first = (start - timedelta(days=1)).date().replace(day=1)
    last = (end + timedelta(days=1)).date()
    lines = []
    for month, currency, amount in royalty_totals_by_month(
        user=creator, month_from=first, month_to=last
    ):
        at = datetime(month.year, month.month, 1, 12, tzinfo=UTC)
        if start <= at < end:
            lines.append(SaleLine(at, currency, amount))
    return lines


SALE_SOURCES: dict[str, Callable[..., list[SaleLine]]] = {
    "courses": course_sale_lines,
    "royalties": royalty_lines,
}


def sales_lines(*, creator, start: datetime, end: datetime) -> dict[str, list[SaleLine]]:
    """Every source's lines of ``[start, end)`` (one query per source)."""
    return {
        name: source(creator=creator, start=start, end=end) for name, source in SALE_SOURCES.items()
    }


def money(amount: Decimal) -> str:
    return str(amount.quantize(Decimal("0.01")))


def sales_report(*, creator, range_: Range, course: str | None = None) -> dict:
    """Every source, or one of the creator's courses (another creator's course is 404)."""
    now = timezone.now()  # sales are written when paid: nothing waits for a job
    if course is None:
        lines = sales_lines(creator=creator, start=range_.start, end=range_.end)
    elif Course.objects.filter(owner=creator, slug=course).exists():
        lines = {
            "courses": course_sale_lines(
                creator=creator, start=range_.start, end=range_.end, course=course
            )
        }
    else:
        raise NotFound()
    days: dict[tuple, list] = defaultdict(lambda: [0, Decimal(0)])
    totals: dict[tuple, list] = defaultdict(lambda: [0, Decimal(0)])
    for source, source_lines in lines.items():
        for line in source_lines:
            day = days[(line.at.astimezone(range_.tz).date(), source, line.currency)]
            day[0] += 1
            day[1] += line.amount
            total = totals[(line.currency, source)]
            total[0] += 1
            total[1] += line.amount
    return {
        "course": course,
        "data_through": now,
        "sources": list(SALE_SOURCES),
        "totals": [
            {"currency": currency, "source": source, "count": n, "amount": money(amount)}
            for (currency, source), (n, amount) in sorted(totals.items())
        ],
        "days": [
            {
                "date": day.isoformat(),
                "source": source,
                "currency": currency,
                "count": n,
                "amount": money(amount),
            }
            for (day, source, currency), (n, amount) in sorted(days.items())
        ],
    }
