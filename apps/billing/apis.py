"""Billing API (shared/API.md, Billing). Thin: parse, call one service or selector, serialize."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.billing import selectors, services
from apps.billing.exceptions import NoSubscription
from apps.billing.serializers import (
    ChangeCycleInputSerializer,
    ChangePlanInputSerializer,
    InvoiceOutputSerializer,
    PlanOutputSerializer,
    SubscribeInputSerializer,
    SubscriptionOutputSerializer,
)
from veza.api.examples import request_example, response_example
from veza.api.schema import error_response
from veza.api.views import PublicApiMixin
from veza.audit import RequestMeta

SUBSCRIBE_EXAMPLES = [
    request_example("Premium, billed monthly", {"plan": "premium", "billing_cycle": "monthly"}),
    response_example(
        "Premium trial started",
        {
            "id": "436a0e92-dc17-4923-91a2-c513a1817134",
            "plan": {
                "code": "premium",
                "name": "Premium",
                "description": "Everything Veza offers, with a 14-day free trial.",
                "monthly_price": "19.99",
                "yearly_price": "199.90",
                "currency": "USD",
                "trial_days": 14,
                "features": [
                    "Everything in Creator",
                    "Advanced analytics and exports",
                    "Sell courses",
                    "Priority support",
                ],
            },
            "billing_cycle": "monthly",
            "status": "trialing",
            "has_paid_plan": True,
            "current_period_start": "2026-11-28T09:19:00.155097Z",
            "current_period_end": "2026-12-12T09:19:00.155097Z",
            "trial_end": "2026-12-12T09:19:00.155097Z",
            "cancel_at_period_end": False,
            "canceled_at": None,
            "scheduled_change": None,
            "next_payment_retry_at": None,
            "created_at": "2026-11-28T09:19:00.155097Z",
        },
        status=201,
        description="The first payment is taken when the trial ends.",
    ),
    response_example(
        "Card declined",
        {
            "error": {
                "code": "PAYMENT_FAILED",
                "message": "The payment was declined. Nothing was changed.",
                "details": {"reason": "Card declined (sandbox: the email contains +decline)."},
            }
        },
        status=402,
    ),
]

CONFLICT = error_response("CONFLICT: the subscription's state does not allow this (see message).")
PAYMENT_FAILED = error_response("PAYMENT_FAILED: the charge was declined; nothing was changed.")


def _subscription_response(subscription, status_code=status.HTTP_200_OK) -> Response:
    summary = selectors.subscription_summary(subscription=subscription)
    return Response(SubscriptionOutputSerializer(summary).data, status=status_code)


class PlanListApi(PublicApiMixin, generics.ListAPIView):
    serializer_class = PlanOutputSerializer

    def get_queryset(self):
        return selectors.plan_list()

    @extend_schema(
        tags=["billing"],
        summary="Plans on sale, with monthly and yearly prices",
        description=(
            "Free, Creator and Premium with their monthly and yearly prices (decimal strings "
            "plus currency). Public."
        ),
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class SubscriptionApi(APIView):
    permission_classes = [IsAuthenticated]
    extra_error_codes = ("402", "409")

    @extend_schema(
        tags=["billing"],
        responses={200: SubscriptionOutputSerializer},
        summary="My subscription (the Free plan when I have none)",
        description=(
            "The live subscription (trialing, active or past due) with its plan, cycle, "
            "period end and pending changes; with none, the Free plan."
        ),
    )
    def get(self, request):
        return _subscription_response(selectors.subscription_live_for_user(user=request.user))

    @extend_schema(
        tags=["billing"],
        request=SubscribeInputSerializer,
        responses={
            201: SubscriptionOutputSerializer,
            402: PAYMENT_FAILED,
            409: error_response("CONFLICT: you already have a subscription."),
        },
        summary="Subscribe to Creator or Premium (Premium starts with a 14-day trial, once)",
        examples=SUBSCRIBE_EXAMPLES,
        description=(
            "`plan` is creator or premium, `billing_cycle` monthly or yearly. Premium starts "
            "with a 14-day trial once per account (nothing is charged until it ends); "
            "otherwise the first period is charged now and invoiced. A declined charge: 402 "
            "PAYMENT_FAILED and nothing is created. Already subscribed: 409 CONFLICT (use "
            "change-plan)."
        ),
    )
    def post(self, request):
        data = SubscribeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        subscription = services.subscription_create(
            user=request.user,
            plan_code=data.validated_data["plan"],
            billing_cycle=data.validated_data["billing_cycle"],
            meta=RequestMeta.from_request(request),
        )
        return _subscription_response(subscription, status.HTTP_201_CREATED)


class _LiveSubscriptionApi(APIView):
    permission_classes = [IsAuthenticated]
    extra_error_codes = ("409",)

    def live_subscription(self, request):
        subscription = selectors.subscription_live_for_user(user=request.user)
        if subscription is None:
            raise NoSubscription()
        return subscription


class SubscriptionCancelApi(_LiveSubscriptionApi):
    @extend_schema(
        tags=["billing"],
        request=None,
        responses={200: SubscriptionOutputSerializer, 409: CONFLICT},
        summary="Cancel at the period end (a past-due subscription ends now)",
        description=(
            "The subscription stays until the end of the paid period, then ends (reactivate "
            "undoes it until then); a past-due subscription ends now. No subscription, or one"
            " already cancelled: 409 CONFLICT."
        ),
    )
    def post(self, request):
        subscription = services.subscription_cancel(
            subscription=self.live_subscription(request),
            actor=request.user,
            meta=RequestMeta.from_request(request),
        )
        return _subscription_response(subscription)


class SubscriptionReactivateApi(_LiveSubscriptionApi):
    @extend_schema(
        tags=["billing"],
        request=None,
        responses={200: SubscriptionOutputSerializer, 409: CONFLICT},
        summary="Undo a pending cancellation before the period ends",
        description=(
            "Undoes a pending cancellation before the period ends. Nothing to undo: 409 CONFLICT."
        ),
    )
    def post(self, request):
        subscription = services.subscription_reactivate(
            subscription=self.live_subscription(request),
            actor=request.user,
            meta=RequestMeta.from_request(request),
        )
        return _subscription_response(subscription)


class SubscriptionChangePlanApi(_LiveSubscriptionApi):
    extra_error_codes = ("402", "409")

    @extend_schema(
        tags=["billing"],
        request=ChangePlanInputSerializer,
        responses={200: SubscriptionOutputSerializer, 402: PAYMENT_FAILED, 409: CONFLICT},
        summary="Upgrade now (prorated invoice) or downgrade at the period end",
        description=(
            "An upgrade applies now and charges the prorated difference (402 PAYMENT_FAILED "
            "when declined, nothing changes); a downgrade applies at the period end. No "
            "subscription, the same plan, or a pending cancellation: 409 CONFLICT."
        ),
    )
    def post(self, request):
        data = ChangePlanInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        subscription = services.subscription_change_plan(
            subscription=self.live_subscription(request),
            plan_code=data.validated_data["plan"],
            actor=request.user,
            meta=RequestMeta.from_request(request),
        )
        return _subscription_response(subscription)


class SubscriptionChangeCycleApi(_LiveSubscriptionApi):
    @extend_schema(
        tags=["billing"],
        request=ChangeCycleInputSerializer,
        responses={200: SubscriptionOutputSerializer, 409: CONFLICT},
        summary="Switch monthly/yearly at the next renewal",
        description=(
            "Monthly or yearly from the next renewal; nothing is charged now. No "
            "subscription, the same cycle, or a state that does not allow it: 409 CONFLICT."
        ),
    )
    def post(self, request):
        data = ChangeCycleInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        subscription = services.subscription_change_cycle(
            subscription=self.live_subscription(request),
            billing_cycle=data.validated_data["billing_cycle"],
            actor=request.user,
            meta=RequestMeta.from_request(request),
        )
        return _subscription_response(subscription)


class InvoiceListApi(generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = InvoiceOutputSerializer

    def get_queryset(self):
        return selectors.invoice_list_for_user(user=self.request.user)

    @extend_schema(
        tags=["billing"],
        summary="My invoices, newest first",
        description=(
            "The caller's invoices, newest first, money as decimal strings with their currency."
        ),
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
