"""Billing payloads. Money is a decimal string plus ``currency`` (shared/API.md, Conventions)."""

from rest_framework import serializers

from apps.billing.models import MONEY, BillingCycle, Invoice, InvoiceLine, Plan, SubscriptionStatus


class PlanOutputSerializer(serializers.ModelSerializer):
    monthly_price = serializers.DecimalField(**MONEY, read_only=True)
    yearly_price = serializers.DecimalField(**MONEY, read_only=True)
    features = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Plan
        fields = (
            "code",
            "name",
            "description",
            "monthly_price",
            "yearly_price",
            "currency",
            "trial_days",
            "features",
        )
        read_only_fields = fields


class ScheduledChangeOutputSerializer(serializers.Serializer):
    plan = serializers.CharField(
        source="plan.code", allow_null=True, read_only=True, help_text="Plan code, or null."
    )
    billing_cycle = serializers.ChoiceField(
        choices=BillingCycle.choices, allow_null=True, read_only=True
    )
    effective_at = serializers.DateTimeField(read_only=True)


class SubscriptionOutputSerializer(serializers.Serializer):
    """The caller's subscription; with none, ``plan`` is Free and the rest is empty."""

    id = serializers.UUIDField(allow_null=True, read_only=True)
    plan = PlanOutputSerializer(read_only=True)
    billing_cycle = serializers.ChoiceField(
        choices=BillingCycle.choices, allow_null=True, read_only=True
    )
    status = serializers.ChoiceField(
        choices=SubscriptionStatus.choices, allow_null=True, read_only=True
    )
    has_paid_plan = serializers.BooleanField(
        read_only=True, help_text="True while an active or trialing paid plan grants access."
    )
    current_period_start = serializers.DateTimeField(allow_null=True, read_only=True)
    current_period_end = serializers.DateTimeField(allow_null=True, read_only=True)
    trial_end = serializers.DateTimeField(allow_null=True, read_only=True)
    cancel_at_period_end = serializers.BooleanField(read_only=True)
    canceled_at = serializers.DateTimeField(allow_null=True, read_only=True)
    scheduled_change = ScheduledChangeOutputSerializer(allow_null=True, read_only=True)
    next_payment_retry_at = serializers.DateTimeField(allow_null=True, read_only=True)
    created_at = serializers.DateTimeField(allow_null=True, read_only=True)


class SubscribeInputSerializer(serializers.Serializer):
    plan = serializers.CharField(max_length=32, help_text="A paid plan code: creator or premium.")
    billing_cycle = serializers.ChoiceField(choices=BillingCycle.choices)


class ChangePlanInputSerializer(serializers.Serializer):
    plan = serializers.CharField(max_length=32, help_text="free, creator or premium.")


class ChangeCycleInputSerializer(serializers.Serializer):
    billing_cycle = serializers.ChoiceField(choices=BillingCycle.choices)


class InvoiceLineOutputSerializer(serializers.ModelSerializer):
    plan = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    billing_cycle = serializers.CharField(read_only=True)
    amount = serializers.DecimalField(**MONEY, read_only=True, help_text="Negative for a credit.")

    class Meta:
        model = InvoiceLine
        fields = ("description", "plan", "billing_cycle", "amount", "period_start", "period_end")
        read_only_fields = fields


class InvoiceOutputSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True, help_text="VZ-<year>-<6 digits>.")
    subtotal = serializers.DecimalField(**MONEY, read_only=True)
    total = serializers.DecimalField(**MONEY, read_only=True)
    lines = InvoiceLineOutputSerializer(many=True, read_only=True)

    class Meta:
        model = Invoice
        fields = (
            "id",
            "number",
            "status",
            "reason",
            "currency",
            "subtotal",
            "total",
            "period_start",
            "period_end",
            "issued_at",
            "paid_at",
            "lines",
        )
        read_only_fields = fields
