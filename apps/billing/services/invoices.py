"""Invoices: creation with lines, gapless numbering and charging through the gateway."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction

from apps.billing.exceptions import PaymentFailed
from apps.billing.gateways import ChargeResult, PaymentGateway, get_gateway
from apps.billing.models import (
    Invoice,
    InvoiceCounter,
    InvoiceLine,
    InvoiceReason,
    InvoiceStatus,
    Plan,
    Subscription,
)
from apps.billing.services.common import invoice_event_record


@dataclass(frozen=True)
class LineSpec:
    description: str
    amount: Decimal
    period_start: datetime
    period_end: datetime
    plan: Plan | None = None
    billing_cycle: str = ""


def invoice_number_next(*, year: int) -> str:
    """The next ``VZ-<year>-<6 digits>``, without gaps even under concurrency.

    The year's counter row is locked (``SELECT … FOR UPDATE``) and incremented inside the
    caller's transaction: concurrent invoices queue on the row, and a rolled-back invoice
    releases its number with the rollback. Callers number an invoice as the last write of their
    transaction so the lock is held as briefly as possible.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("invoice_number_next() must run inside the invoice's transaction.")
    InvoiceCounter.objects.bulk_create([InvoiceCounter(year=year)], ignore_conflicts=True)
    counter = InvoiceCounter.objects.select_for_update().get(year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"VZ-{year}-{counter.last_number:06d}"


def invoice_create(
    *,
    subscription: Subscription,
    reason: str,
    lines: list[LineSpec],
    period_start: datetime,
    period_end: datetime,
    now: datetime,
) -> Invoice:
    """An open invoice, not yet numbered (see :func:`invoice_number_assign`).

    For whole-period invoices the unique (subscription, period_start) constraint makes a second
    insert for the same period fail: a period is never invoiced twice.
    """
    subtotal = sum((line.amount for line in lines), Decimal("0.00"))
    invoice = Invoice.objects.create(
        number=None,
        user_id=subscription.user_id,
        subscription=subscription,
        reason=reason,
        status=InvoiceStatus.OPEN,
        currency=subscription.plan.currency,
        subtotal=subtotal,
        total=max(subtotal, Decimal("0.00")),
        period_start=period_start,
        period_end=period_end,
        issued_at=now,
    )
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            invoice=invoice,
            position=position,
            description=line.description,
            plan=line.plan,
            billing_cycle=line.billing_cycle,
            amount=line.amount,
            period_start=line.period_start,
            period_end=line.period_end,
        )
        for position, line in enumerate(lines, start=1)
    )
    return invoice


def invoice_number_assign(*, invoice: Invoice) -> Invoice:
    invoice.number = invoice_number_next(year=invoice.issued_at.year)
    Invoice.objects.filter(pk=invoice.pk).update(number=invoice.number)
    return invoice


def invoice_charge(
    *, invoice: Invoice, gateway: PaymentGateway, attempt: int, now: datetime
) -> ChargeResult:
    """Charge an open invoice once. The idempotency key is derived from what is being paid
    (subscription, reason, period start, attempt), so a transaction retried after a crash asks
    the provider for the same charge again instead of a new one."""
    if invoice.total == 0:
        result = ChargeResult(succeeded=True, reference="no_charge_zero_total")
    else:
        key = (
            f"veza:{invoice.subscription_id}:{invoice.reason}:"
            f"{invoice.period_start.isoformat()}:{attempt}"
        )
        result = gateway.charge(
            user=invoice.user,
            amount=invoice.total,
            currency=invoice.currency,
            description=f"Veza {invoice.get_reason_display()}",
            idempotency_key=key,
        )
    if result.succeeded:
        invoice.status = InvoiceStatus.PAID
        invoice.paid_at = now
        invoice.payment_reference = result.reference
        invoice.last_payment_error = ""
    else:
        invoice.payment_reference = result.reference
        invoice.last_payment_error = result.failure_reason[:255]
    invoice.save(update_fields=["status", "paid_at", "payment_reference", "last_payment_error"])
    return result


def invoice_void(*, invoice: Invoice, now: datetime) -> Invoice:
    invoice.status = InvoiceStatus.VOID
    invoice.voided_at = now
    invoice.save(update_fields=["status", "voided_at"])
    return invoice


def purchase_invoice_charge(
    *,
    user,
    description: str,
    amount: Decimal,
    currency: str,
    idempotency_key: str,
    now: datetime,
    gateway: PaymentGateway | None = None,
) -> Invoice:
    """Invoice and charge a one-off purchase (e.g. a course), inside the caller's transaction.

    The invoice has one line, no subscription and an empty period (``period_start`` =
    ``period_end`` = ``now``). It is charged through the configured gateway with the caller's
    ``idempotency_key`` (the same key never moves money twice) and numbered last (gapless
    ``VZ-YYYY-NNNNNN``, :func:`invoice_number_next`). A declined charge raises
    :class:`PaymentFailed` so that the caller's transaction rolls the open invoice back: nothing
    of a declined purchase is kept.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("purchase_invoice_charge() must run inside the purchase's transaction.")
    gateway = gateway or get_gateway()
    invoice = Invoice.objects.create(
        number=None,
        user=user,
        subscription=None,
        reason=InvoiceReason.PURCHASE,
        status=InvoiceStatus.OPEN,
        currency=currency,
        subtotal=amount,
        total=amount,
        period_start=now,
        period_end=now,
        issued_at=now,
    )
    InvoiceLine.objects.create(
        invoice=invoice,
        position=1,
        description=description[:255],
        amount=amount,
        period_start=now,
        period_end=now,
    )
    if amount == 0:
        result = ChargeResult(succeeded=True, reference="no_charge_zero_total")
    else:
        result = gateway.charge(
            user=user,
            amount=amount,
            currency=currency,
            description=description,
            idempotency_key=idempotency_key,
        )
    if not result.succeeded:
        raise PaymentFailed(details={"reason": result.failure_reason})
    invoice.status = InvoiceStatus.PAID
    invoice.paid_at = now
    invoice.payment_reference = result.reference
    invoice.save(update_fields=["status", "paid_at", "payment_reference"])
    invoice_number_assign(invoice=invoice)
    invoice_event_record(invoice=invoice)
    return invoice
