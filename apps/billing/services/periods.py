"""Calendar arithmetic of billing periods and the proration formula (README, "Billing")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta

from apps.billing.models import CYCLE_MONTHS

CENT = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    """Round to the cent, half up (0.005 -> 0.01)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def months_after(anchor: datetime, months: int) -> datetime:
    """``anchor`` plus whole calendar months, clamped to the month's last day (Jan 31 + 1 = Feb 28).

    Always counted from the anchor, never from the previous period end, so the day of the
    month does not drift after a short month.
    """
    return anchor + relativedelta(months=months)


def cycle_months(cycle: str) -> int:
    return CYCLE_MONTHS[cycle]


@dataclass(frozen=True)
class Proration:
    period_seconds: int
    remaining_seconds: int
    credit: Decimal
    charge: Decimal

    @property
    def amount_due(self) -> Decimal:
        return self.charge - self.credit


def proration_compute(
    *,
    old_price: Decimal,
    new_price: Decimal,
    period_start: datetime,
    period_end: datetime,
    now: datetime,
) -> Proration:
    """The upgrade formula, by the second::

    period    = whole seconds from period start to period end
    remaining = whole seconds from now to period end (fractions of a second dropped)
    credit    = round_half_up(old_price * remaining / period, 0.01)
    charge    = round_half_up(new_price * remaining / period, 0.01)
    due       = charge - credit
    """
    period_seconds = int((period_end - period_start).total_seconds())
    remaining_seconds = min(max(int((period_end - now).total_seconds()), 0), period_seconds)
    credit = money(old_price * remaining_seconds / period_seconds)
    charge = money(new_price * remaining_seconds / period_seconds)
    return Proration(
        period_seconds=period_seconds,
        remaining_seconds=remaining_seconds,
        credit=credit,
        charge=charge,
    )
