"""Billing: plans, subscriptions, invoices and the per-year invoice counter.

Contract: shared/API.md "Billing"; changelog: "Add subscription module". The rules live in
:mod:`apps.billing.services`; this module only holds tables and the invariants the database keeps.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

#: The plan everyone is on without a live subscription. Never subscribed to directly.
FREE_PLAN_CODE = "free"

MONEY = {"max_digits": 10, "decimal_places": 2}


class BillingCycle(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    YEARLY = "yearly", "Yearly"


#: Length of a billing period in calendar months.
CYCLE_MONTHS = {BillingCycle.MONTHLY: 1, BillingCycle.YEARLY: 12}


class SubscriptionStatus(models.TextChoices):
    TRIALING = "trialing", "Trialing"
    ACTIVE = "active", "Active"
    PAST_DUE = "past_due", "Past due"
    CANCELED = "canceled", "Canceled"
    EXPIRED = "expired", "Expired"


#: A subscription in one of these states is the user's current one (at most one per user).
LIVE_STATUSES = (
    SubscriptionStatus.TRIALING,
    SubscriptionStatus.ACTIVE,
    SubscriptionStatus.PAST_DUE,
)
#: States that grant the plan's features.
ACCESS_STATUSES = (SubscriptionStatus.TRIALING, SubscriptionStatus.ACTIVE)


class Plan(models.Model):
    """A price list entry. Edited by staff in the admin; renewals charge the price of the day."""

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=64)
    description = models.CharField(max_length=255, blank=True)
    monthly_price = models.DecimalField(
        **MONEY, validators=[MinValueValidator(Decimal("0.00"))], help_text="Price per month."
    )
    yearly_price = models.DecimalField(
        **MONEY, validators=[MinValueValidator(Decimal("0.00"))], help_text="Price per year."
    )
    currency = models.CharField(
        max_length=3,
        default="USD",
        validators=[RegexValidator(r"^[A-Z]{3}$", "An ISO 4217 code in capitals, e.g. USD.")],
    )
    trial_days = models.PositiveSmallIntegerField(
        default=0, help_text="Free trial on first subscription (once per account ever)."
    )
    features = models.JSONField(default=list, blank=True, help_text="A list of feature names.")
    display_order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(
        default=True, help_text="Inactive plans are hidden and cannot be subscribed to."
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["display_order", "monthly_price", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(monthly_price__gte=0) & Q(yearly_price__gte=0),
                name="billing_plan_prices_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["is_active", "display_order"], name="billing_plan_active_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not isinstance(self.features, list) or not all(
            isinstance(feature, str) for feature in self.features
        ):
            raise ValidationError({"features": 'A list of strings, e.g. ["Creator analytics"].'})

    @property
    def is_free(self) -> bool:
        return self.code == FREE_PLAN_CODE

    def price_for(self, cycle: str) -> Decimal:
        return self.yearly_price if cycle == BillingCycle.YEARLY else self.monthly_price


class Subscription(models.Model):
    """A user's paid plan over time. Ended subscriptions stay as history.

    Paid periods are anchored: ``current_period_start == billing_anchor + anchor_months`` and
    the end is ``billing_anchor + anchor_months + cycle months``, so a subscription started on
    the 31st renews on the last day of short months and comes back to the 31st afterwards.
    During a trial the period is the trial itself and the anchor is the trial's end.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions"
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    billing_cycle = models.CharField(max_length=8, choices=BillingCycle.choices)
    status = models.CharField(max_length=16, choices=SubscriptionStatus.choices)
    billing_anchor = models.DateTimeField()
    anchor_months = models.PositiveIntegerField(default=0)
    current_period_start = models.DateTimeField()
    current_period_end = models.DateTimeField()
    trial_end = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    canceled_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    scheduled_plan = models.ForeignKey(
        Plan,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Plan that takes over at the period end (a downgrade).",
    )
    scheduled_billing_cycle = models.CharField(
        max_length=8,
        choices=BillingCycle.choices,
        blank=True,
        help_text="Billing cycle that takes over at the next renewal.",
    )
    past_due_since = models.DateTimeField(null=True, blank=True)
    payment_attempts = models.PositiveSmallIntegerField(
        default=0, help_text="Failed charge attempts of the open invoice."
    )
    next_payment_retry_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status__in=LIVE_STATUSES),
                name="billing_one_live_subscription_per_user",
            ),
            models.CheckConstraint(
                condition=Q(current_period_end__gt=models.F("current_period_start")),
                name="billing_subscription_period_positive",
            ),
            models.CheckConstraint(
                condition=Q(status__in=SubscriptionStatus.values),
                name="billing_subscription_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="billing_sub_user_idx"),
            models.Index(
                fields=["current_period_end"],
                name="billing_sub_due_idx",
                condition=Q(status__in=ACCESS_STATUSES),
            ),
            models.Index(
                fields=["next_payment_retry_at"],
                name="billing_sub_retry_idx",
                condition=Q(status=SubscriptionStatus.PAST_DUE),
            ),
            models.Index(fields=["status", "plan"], name="billing_sub_status_plan_idx"),
            models.Index(fields=["-created_at"], name="billing_sub_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} ({self.billing_cycle}, {self.status})"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES


class InvoiceStatus(models.TextChoices):
    OPEN = "open", "Open"
    PAID = "paid", "Paid"
    VOID = "void", "Void"


class InvoiceReason(models.TextChoices):
    SUBSCRIPTION_CREATE = "subscription_create", "First period of a subscription"
    SUBSCRIPTION_CYCLE = "subscription_cycle", "Renewal (or end of trial)"
    SUBSCRIPTION_UPDATE = "subscription_update", "Prorated upgrade"
    PURCHASE = "purchase", "One-off purchase"


#: Invoices that bill a whole period: at most one per subscription period.
PERIOD_REASONS = (InvoiceReason.SUBSCRIPTION_CREATE, InvoiceReason.SUBSCRIPTION_CYCLE)


class Invoice(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    number = models.CharField(
        max_length=20,
        unique=True,
        null=True,
        blank=True,
        help_text="VZ-<year>-<6 digits>; assigned as the last write of the invoice's transaction.",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="invoices"
    )
    subscription = models.ForeignKey(
        Subscription,
        on_delete=models.PROTECT,
        related_name="invoices",
        null=True,
        blank=True,
        help_text="Empty for a one-off purchase (reason purchase).",
    )
    reason = models.CharField(max_length=24, choices=InvoiceReason.choices)
    status = models.CharField(max_length=8, choices=InvoiceStatus.choices)
    currency = models.CharField(max_length=3)
    subtotal = models.DecimalField(**MONEY)
    total = models.DecimalField(**MONEY)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    issued_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    payment_reference = models.CharField(max_length=128, blank=True)
    last_payment_error = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-issued_at", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "period_start"],
                condition=Q(reason__in=PERIOD_REASONS),
                name="billing_one_invoice_per_subscription_period",
            ),
            models.CheckConstraint(
                condition=Q(total__gte=0), name="billing_invoice_total_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(status__in=InvoiceStatus.values),
                name="billing_invoice_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-issued_at", "-number"], name="billing_inv_user_idx"),
            models.Index(fields=["subscription", "status"], name="billing_inv_sub_status_idx"),
            models.Index(fields=["status", "-issued_at"], name="billing_inv_status_idx"),
            models.Index(fields=["-issued_at", "-number"], name="billing_inv_issued_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class InvoiceLine(models.Model):
    """One priced line. Credits (unused time on an upgrade) are negative amounts."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    description = models.CharField(max_length=255)
    plan = models.ForeignKey(
        Plan, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    billing_cycle = models.CharField(max_length=8, choices=BillingCycle.choices, blank=True)
    amount = models.DecimalField(**MONEY)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()

    class Meta:
        ordering = ["invoice", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "position"], name="billing_invoice_line_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.description


class InvoiceCounter(models.Model):
    """The last invoice number issued per year, locked while an invoice is numbered.

    The increment happens inside the invoice's transaction: a rolled-back invoice gives its
    number back, so the sequence has no gaps.
    """

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"
