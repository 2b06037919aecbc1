from django.urls import path

from apps.billing import apis

urlpatterns = [
    path("billing/plans", apis.PlanListApi.as_view(), name="billing-plans"),
    path("billing/subscription", apis.SubscriptionApi.as_view(), name="billing-subscription"),
    path(
        "billing/subscription/cancel",
        apis.SubscriptionCancelApi.as_view(),
        name="billing-subscription-cancel",
    ),
    path(
        "billing/subscription/reactivate",
        apis.SubscriptionReactivateApi.as_view(),
        name="billing-subscription-reactivate",
    ),
    path(
        "billing/subscription/change-plan",
        apis.SubscriptionChangePlanApi.as_view(),
        name="billing-subscription-change-plan",
    ),
    path(
        "billing/subscription/change-cycle",
        apis.SubscriptionChangeCycleApi.as_view(),
        name="billing-subscription-change-cycle",
    ),
    path("billing/invoices", apis.InvoiceListApi.as_view(), name="billing-invoices"),
]
