"""Billing in the operations console. Subscriptions change only through the services (audited);
invoices are read-only; plans are edited here (edits are audited, renewals use the new price)."""

from functools import partial

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm

from apps.billing import services
from apps.billing.gateways import SANDBOX_DECLINE_MARKER
from apps.billing.models import Invoice, InvoiceLine, Plan, Subscription, SubscriptionStatus
from veza.admin_tools import (
    NEEDS_ATTENTION,
    ReadOnlyAdminMixin,
    action_confirm,
    list_column,
    operations_count_panel,
    truncated,
)
from veza.api.exceptions import ApplicationError
from veza.audit import RequestMeta

SANDBOX_NOTE = (
    "Sandbox payments: every charge succeeds, except for accounts whose email contains "
    f'"{SANDBOX_DECLINE_MARKER}" before the @ (e.g. alice{SANDBOX_DECLINE_MARKER}@example.com), '
    "which are always declined."
)


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    # plans are referenced by subscriptions and invoices: deactivate instead of deleting
    allow_add = True
    allow_change = True

    list_display = (
        "code",
        "name",
        "monthly_price",
        "yearly_price",
        "currency",
        "trial_days",
        "display_order",
        "is_active",
        "updated_at",
    )
    list_filter = ("is_active", "currency")
    search_fields = ("code", "name")
    ordering = ("display_order", "monthly_price")
    readonly_fields = ("created_at", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        # Codes are referenced by clients and by the Free rule; they never change once created.
        return (*self.readonly_fields, "code") if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        services.plan_save(
            plan=obj,
            changed_fields=list(form.changed_data),
            created=not change,
            actor=request.user,
            meta=RequestMeta.from_request(request),
        )


def _days_field():
    return forms.IntegerField(
        required=False, min_value=1, max_value=366, initial=7, label="Days (for “extend”)"
    )


class SubscriptionActionForm(ActionForm):
    days = _days_field()


class ExtendDaysForm(forms.Form):
    days = _days_field()


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    allow_change = True

    list_display = (
        "user_email",
        "plan",
        "cycle",
        "status",
        "period_end",
        "trial_end_column",
        "cancels",
        "scheduled_change",
        "next_retry",
        "created",
    )
    period_end = list_column("current_period_end", description="period ends")
    trial_end_column = list_column("trial_end", description="trial ends")
    next_retry = list_column("next_payment_retry_at", description="next retry")
    created = list_column("created_at", description="created")
    list_filter = ("status", "plan", "billing_cycle", "cancel_at_period_end")
    search_fields = ("user__email", "user__username", "=id")
    list_select_related = ("user", "plan", "scheduled_plan")
    ordering = ("-created_at",)
    show_full_result_count = False
    action_form = SubscriptionActionForm
    actions = ["cancel_at_period_end_action", "extend_period", "apply_scheduled_change_now"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def save_model(self, request, obj, form, change):
        """Every field is read-only: a stale form must never overwrite what the job wrote."""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
        }
        return super().change_view(request, object_id, form_url, extra_context=extra_context)

    @admin.display(description="User", ordering="user__email")
    def user_email(self, obj):
        return truncated(obj.user.email, 28)

    @admin.display(description="cycle", ordering="billing_cycle")
    def cycle(self, obj):
        return obj.get_billing_cycle_display()

    @admin.display(description="cancels", boolean=True, ordering="cancel_at_period_end")
    def cancels(self, obj):
        return obj.cancel_at_period_end

    @admin.display(description="then")
    def scheduled_change(self, obj):
        if obj.scheduled_plan_id is None and not obj.scheduled_billing_cycle:
            return "—"
        plan = obj.scheduled_plan.name if obj.scheduled_plan_id else obj.plan.name
        return f"{plan}, {obj.scheduled_billing_cycle or obj.billing_cycle}"

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "subtitle": SANDBOX_NOTE}
        return super().changelist_view(request, extra_context=extra_context)

    def _run(self, request, queryset, label, call):
        meta = RequestMeta.from_request(request)
        done, refused = 0, []
        for subscription in queryset.select_related("user", "plan"):
            try:
                call(subscription=subscription, actor=request.user, meta=meta)
                done += 1
            except ApplicationError as exc:
                refused.append(f"{subscription.user.email}: {exc.message}")
        if done:
            self.message_user(request, f"{label}: {done} subscription(s).", messages.SUCCESS)
        for message in refused:
            self.message_user(request, message, messages.WARNING)

    @admin.action(description="Cancel at period end…", permissions=["change"])
    def cancel_at_period_end_action(self, request, queryset):
        def perform(reason: str) -> None:
            cancel = partial(services.subscription_cancel, reason=reason)
            self._run(request, queryset, "Canceled", cancel)

        return action_confirm(
            self,
            request,
            queryset.select_related("user", "plan"),
            title="Cancel subscriptions",
            consequence=(
                "Active and trialing subscriptions end at their period end (access stays until "
                "then; reactivating undoes it). Past-due ones end now and their open invoice is "
                "voided."
            ),
            confirm_label="Yes, cancel",
            perform=perform,
            describe=lambda sub: f"{sub.user.email}: {sub.plan.name} ({sub.get_status_display()})",
        )

    @admin.action(description="Extend the current period by N days (free)", permissions=["change"])
    def extend_period(self, request, queryset):
        form = ExtendDaysForm(request.POST)
        if not form.is_valid() or not form.cleaned_data.get("days"):
            self.message_user(request, "Give a number of days from 1 to 366.", messages.ERROR)
            return
        days = form.cleaned_data["days"]

        def extend(**kwargs):
            return services.subscription_extend_period(days=days, **kwargs)

        self._run(request, queryset, f"Extended by {days} day(s)", extend)

    @admin.action(description="Apply the scheduled change now", permissions=["change"])
    def apply_scheduled_change_now(self, request, queryset):
        self._run(
            request,
            queryset,
            "Scheduled change applied",
            services.subscription_scheduled_change_apply_now,
        )


class InvoiceLineInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = InvoiceLine
    fields = (
        "position",
        "description",
        "plan",
        "billing_cycle",
        "amount",
        "period_start",
        "period_end",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "number",
        "user_email",
        "reason",
        "status",
        "total",
        "currency",
        "period",
        "issued",
        "paid",
    )
    issued = list_column("issued_at", description="issued")
    paid = list_column("paid_at", description="paid")
    list_filter = ("status", "reason", "currency")
    search_fields = ("=number", "user__email")
    list_select_related = ("user",)
    ordering = ("-issued_at", "-number")
    date_hierarchy = "issued_at"
    show_full_result_count = False
    inlines = [InvoiceLineInline]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    @admin.display(description="User", ordering="user__email")
    def user_email(self, obj):
        return truncated(obj.user.email, 28)

    @admin.display(description="period", ordering="period_start")
    def period(self, obj):
        if obj.period_start is None:
            return "—"
        return f"{obj.period_start:%Y-%m-%d} → {obj.period_end:%Y-%m-%d}"


operations_count_panel(
    key="past_due",
    section=NEEDS_ATTENTION,
    title="Past-due subscriptions",
    help_text="A renewal payment failed; retries are scheduled, then the subscription ends.",
    model=Subscription,
    filters={"status__exact": SubscriptionStatus.PAST_DUE},
    order=20,
)
