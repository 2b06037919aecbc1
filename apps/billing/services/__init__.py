"""Every write of the billing domain. The API, the admin and the scheduled job call these."""

from apps.billing.services.invoices import (
    LineSpec,
    invoice_charge,
    invoice_create,
    invoice_number_assign,
    invoice_number_next,
    invoice_void,
    purchase_invoice_charge,
)
from apps.billing.services.periods import Proration, money, months_after, proration_compute
from apps.billing.services.plans import plan_save
from apps.billing.services.renewals import (
    PAYMENT_RETRY_SCHEDULE,
    subscription_payment_retry,
    subscription_period_end_process,
    subscriptions_process_due,
)
from apps.billing.services.subscriptions import (
    subscription_cancel,
    subscription_change_cycle,
    subscription_change_plan,
    subscription_create,
    subscription_extend_period,
    subscription_reactivate,
    subscription_scheduled_change_apply_now,
)

__all__ = [
    "PAYMENT_RETRY_SCHEDULE",
    "LineSpec",
    "Proration",
    "invoice_charge",
    "invoice_create",
    "invoice_number_assign",
    "invoice_number_next",
    "invoice_void",
    "money",
    "months_after",
    "plan_save",
    "proration_compute",
    "purchase_invoice_charge",
    "subscription_cancel",
    "subscription_change_cycle",
    "subscription_change_plan",
    "subscription_create",
    "subscription_extend_period",
    "subscription_payment_retry",
    "subscription_period_end_process",
    "subscription_reactivate",
    "subscription_scheduled_change_apply_now",
    "subscriptions_process_due",
]
