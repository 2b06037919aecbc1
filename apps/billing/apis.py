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
from veza.api.schema import error_response
from veza.api.views import PublicApiMixin
from veza.audit import RequestMeta

CONFLICT = error_response("CONFLICT: the subscription's state does not allow this (see message).")
PAYMENT_FAILED = error_response("PAYMENT_FAILED: the charge was declined; nothing was changed.")


def _subscription_response(subscription, status_code=status.HTTP_200_OK) -> Response:
    summary = selectors.subscription_summary(subscription=subscription)
    return Response(SubscriptionOutputSerializer(summary).data, status=status_code)


class PlanListApi(PublicApiMixin, generics.ListAPIView):
    serializer_class = PlanOutputSerializer

    def get_queryset(self):
        return selectors.plan_list()

    @extend_schema(tags=["billing"], summary="Plans on sale, with monthly and yearly prices")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class SubscriptionApi(APIView):
    permission_classes = [IsAuthenticated]
    extra_error_codes = ("402", "409")

    @extend_schema(
        tags=["billing"],
        responses={200: SubscriptionOutputSerializer},
        summary="My subscription (the Free plan when I have none)",
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

    @extend_schema(tags=["billing"], summary="My invoices, newest first")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
