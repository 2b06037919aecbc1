"""Billing: subscriptions and invoices."""

from __future__ import annotations

from django.db.models import Prefetch

from apps.billing.models import Invoice, InvoiceLine, Subscription
from apps.gdpr.exporters.base import CHUNK_SIZE, Exporter


def subscription_rows(user, cut_off):
    subscriptions = (
        Subscription.objects.filter(user=user, created_at__lte=cut_off)
        .select_related("plan")
        .order_by("created_at", "id")
    )
    for subscription in subscriptions.iterator(chunk_size=CHUNK_SIZE):
        yield {
            "id": str(subscription.pk),
            "plan": subscription.plan.code,
            "billing_cycle": subscription.billing_cycle,
            "status": subscription.status,
            "current_period_start": subscription.current_period_start,
            "current_period_end": subscription.current_period_end,
            "trial_end": subscription.trial_end,
            "cancel_at_period_end": subscription.cancel_at_period_end,
            "canceled_at": subscription.canceled_at,
            "ended_at": subscription.ended_at,
            "created_at": subscription.created_at,
        }


def invoice_rows(user, cut_off):
    invoices = (
        Invoice.objects.filter(user=user, issued_at__lte=cut_off)
        .order_by("issued_at", "id")
        .prefetch_related(Prefetch("lines", queryset=InvoiceLine.objects.order_by("position")))
    )
    for invoice in invoices.iterator(chunk_size=200):
        yield {
            "id": str(invoice.pk),
            "number": invoice.number,
            "subscription_id": str(invoice.subscription_id) if invoice.subscription_id else None,
            "reason": invoice.reason,
            "status": invoice.status,
            "currency": invoice.currency,
            "subtotal": str(invoice.subtotal),
            "total": str(invoice.total),
            "period_start": invoice.period_start,
            "period_end": invoice.period_end,
            "issued_at": invoice.issued_at,
            "paid_at": invoice.paid_at,
            "lines": [
                {"description": line.description, "amount": str(line.amount)}
                for line in invoice.lines.all()
            ],
        }


EXPORTERS = [
    Exporter(
        "subscriptions.jsonl",
        "Your subscriptions over time: plan, billing cycle, status and periods.",
        subscription_rows,
    ),
    Exporter(
        "invoices.jsonl",
        "Your invoices with their lines; amounts are decimal strings in the invoice's currency.",
        invoice_rows,
    ),
]
