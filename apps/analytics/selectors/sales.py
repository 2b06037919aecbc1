"""Money earned, per source, currency and local day.

Each source is one function ``(creator, start, end) -> [SaleLine]`` in :data:`SALE_SOURCES`:
adding royalties when the distribution app lands is one function and one line there.
Subscriptions bring a creator nothing today (plans are what creators pay Veza; there are no
fan subscriptions), so they are not a source.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from django.utils import timezone

from apps.analytics.selectors.common import Range
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


SALE_SOURCES: dict[str, Callable[..., list[SaleLine]]] = {
    "courses": course_sale_lines,
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
