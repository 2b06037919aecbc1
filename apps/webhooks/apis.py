"""``/api/v1/developer/webhooks`` (README "Webhooks for integrators").

Owner only: another account's endpoint or delivery answers 404. Usable with a bearer token, the
session, or an API key within its scopes (``read`` lists, ``write`` changes and sends).
"""

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.webhooks import selectors, services
from apps.webhooks.catalogue import EVENT_TYPES, event_body_example
from apps.webhooks.serializers import (
    WebhookDeliveryOutputSerializer,
    WebhookEndpointCreatedOutputSerializer,
    WebhookEndpointInputSerializer,
    WebhookEndpointOutputSerializer,
    WebhookEndpointUpdateInputSerializer,
    WebhookEventTypeOutputSerializer,
)
from veza.api.schema import error_response
from veza.api.views import PublicApiMixin
from veza.audit import RequestMeta

TAG = "webhooks"
_NOT_FOUND = error_response("NOT_FOUND: no such endpoint among yours")


def _catalogue_rows() -> list[dict]:
    return [
        {
            "type": spec.name,
            "description": spec.description,
            "receiver": spec.receiver,
            "ordered": spec.ordered,
            "example": event_body_example(spec.name),
        }
        for spec in EVENT_TYPES.values()
    ]


class WebhookListCreateApi(generics.ListAPIView):
    serializer_class = WebhookEndpointOutputSerializer

    def get_queryset(self):
        return selectors.webhook_endpoints_of_user(user=self.request.user)

    @extend_schema(
        tags=[TAG],
        summary="My webhook endpoints",
        description="The caller's endpoints, newest first. The signing secret is never listed.",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=[TAG],
        request=WebhookEndpointInputSerializer,
        responses={
            201: WebhookEndpointCreatedOutputSerializer,
            400: error_response(
                "VALIDATION_ERROR: the URL (https only in production; no credentials; not a "
                "private address) or an unknown event type"
            ),
            403: error_response(
                "EMAIL_NOT_VERIFIED, or API_KEY_SCOPE (an API key without the write scope)"
            ),
            409: error_response(
                "WEBHOOK_LIMIT_REACHED: the account has WEBHOOKS_MAX_PER_USER (default 10) "
                "endpoints; `details.limit` says how many"
            ),
        },
        summary="Add a webhook endpoint; its signing secret is in this response only",
        description=(
            "Registers a URL for the given event types. The answer carries `secret` "
            "(`whsec_…`), the key of the `Veza-Signature` HMAC: store it now, it is never "
            "shown again (rotate it with `POST …/{id}/rotate-secret`)."
        ),
    )
    def post(self, request):
        data = WebhookEndpointInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint, secret = services.webhook_endpoint_create(
            owner=request.user, meta=RequestMeta.from_request(request), **data.validated_data
        )
        endpoint.secret = secret  # only on this instance, only in this response
        return Response(
            WebhookEndpointCreatedOutputSerializer(endpoint).data, status=status.HTTP_201_CREATED
        )


class WebhookEventTypesApi(PublicApiMixin, APIView):
    @extend_schema(
        tags=[TAG],
        responses={200: WebhookEventTypeOutputSerializer(many=True)},
        examples=[OpenApiExample("catalogue", value=_catalogue_rows(), response_only=True)],
        summary="The webhook event catalogue",
        description=(
            "Every event type an endpoint can subscribe to: what it means, whose endpoints "
            "receive it, whether deliveries keep order per object, and an example body. Every "
            "delivery is a POST of `{id, type, created, api_version, data: {object}}` signed "
            'in `Veza-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`.'
        ),
    )
    def get(self, request):
        return Response(WebhookEventTypeOutputSerializer(_catalogue_rows(), many=True).data)


class WebhookDetailApi(APIView):
    @extend_schema(
        tags=[TAG],
        responses={200: WebhookEndpointOutputSerializer, 404: _NOT_FOUND},
        summary="One of my webhook endpoints",
        description="The endpoint's settings and health (last success, failure streak).",
    )
    def get(self, request, webhook_id):
        endpoint = selectors.webhook_endpoint_of_user(user=request.user, endpoint_id=webhook_id)
        return Response(WebhookEndpointOutputSerializer(endpoint).data)

    @extend_schema(
        tags=[TAG],
        request=WebhookEndpointUpdateInputSerializer,
        responses={
            200: WebhookEndpointOutputSerializer,
            400: error_response("VALIDATION_ERROR: the URL or an event type"),
            404: _NOT_FOUND,
        },
        summary="Change a webhook endpoint",
        description=(
            "Any of `url`, `event_types`, `description`, `is_active`. Setting `is_active` "
            "to true re-enables an endpoint that was disabled after failing."
        ),
    )
    def patch(self, request, webhook_id):
        endpoint = selectors.webhook_endpoint_of_user(user=request.user, endpoint_id=webhook_id)
        data = WebhookEndpointUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        endpoint = services.webhook_endpoint_update(
            endpoint=endpoint,
            data=data.validated_data,
            actor=request.user,
            meta=RequestMeta.from_request(request),
        )
        return Response(WebhookEndpointOutputSerializer(endpoint).data)

    @extend_schema(
        tags=[TAG],
        responses={
            204: OpenApiResponse(description="Deleted, with its delivery log."),
            404: _NOT_FOUND,
        },
        summary="Delete a webhook endpoint",
        description="No further deliveries; the endpoint's delivery log goes with it.",
    )
    def delete(self, request, webhook_id):
        endpoint = selectors.webhook_endpoint_of_user(user=request.user, endpoint_id=webhook_id)
        services.webhook_endpoint_delete(
            endpoint=endpoint, actor=request.user, meta=RequestMeta.from_request(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookSecretRotateApi(APIView):
    @extend_schema(
        tags=[TAG],
        request=None,
        responses={200: WebhookEndpointCreatedOutputSerializer, 404: _NOT_FOUND},
        summary="Rotate a webhook endpoint's signing secret",
        description=(
            "A new secret, in this response only. For 24 hours deliveries carry two `v1=` "
            "signatures, one per secret, so receivers can switch without missing one."
        ),
    )
    def post(self, request, webhook_id):
        endpoint = selectors.webhook_endpoint_of_user(user=request.user, endpoint_id=webhook_id)
        endpoint, secret = services.webhook_endpoint_secret_rotate(
            endpoint=endpoint, actor=request.user, meta=RequestMeta.from_request(request)
        )
        endpoint.secret = secret
        return Response(WebhookEndpointCreatedOutputSerializer(endpoint).data)


_MANUAL_ERRORS = {
    404: _NOT_FOUND,
    429: error_response("RATE_LIMITED: 60 pings and redeliveries per hour (see Retry-After)"),
}


class WebhookPingApi(APIView):
    @extend_schema(
        tags=[TAG],
        request=None,
        responses={202: WebhookDeliveryOutputSerializer, **_MANUAL_ERRORS},
        summary="Send a test event to a webhook endpoint",
        description=(
            'Queues a `ping` event (`data.object`: `{object: "ping", endpoint, message}`) '
            "for this endpoint only (one attempt, no retries); follow it in "
            "`GET …/{id}/deliveries`."
        ),
    )
    def post(self, request, webhook_id):
        endpoint = selectors.webhook_endpoint_of_user(user=request.user, endpoint_id=webhook_id)
        delivery = services.webhook_endpoint_ping(endpoint=endpoint)
        return Response(
            WebhookDeliveryOutputSerializer(delivery).data, status=status.HTTP_202_ACCEPTED
        )


class WebhookDeliveryListApi(generics.ListAPIView):
    serializer_class = WebhookDeliveryOutputSerializer

    def get_queryset(self):
        endpoint = selectors.webhook_endpoint_of_user(
            user=self.request.user, endpoint_id=self.kwargs["webhook_id"]
        )
        return selectors.webhook_deliveries_of_endpoint(endpoint=endpoint)

    @extend_schema(
        tags=[TAG],
        responses={200: WebhookDeliveryOutputSerializer(many=True), 404: _NOT_FOUND},
        summary="A webhook endpoint's delivery log",
        description=(
            "Newest first: the event, its status, every attempt (status code, duration, "
            "error) and when the next retry is due."
        ),
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class WebhookRedeliverApi(APIView):
    @extend_schema(
        tags=[TAG],
        request=None,
        responses={
            202: WebhookDeliveryOutputSerializer,
            404: error_response("NOT_FOUND: no such endpoint or delivery among yours"),
            429: _MANUAL_ERRORS[429],
        },
        summary="Send a delivery's event again",
        description=(
            "The same event (same id) as a new delivery with one attempt, whatever the "
            "first one's outcome."
        ),
    )
    def post(self, request, webhook_id, delivery_id):
        endpoint = selectors.webhook_endpoint_of_user(user=request.user, endpoint_id=webhook_id)
        delivery = selectors.webhook_delivery_of_endpoint(
            endpoint=endpoint, delivery_id=delivery_id
        )
        again = services.webhook_delivery_redeliver(delivery=delivery)
        return Response(
            WebhookDeliveryOutputSerializer(again).data, status=status.HTTP_202_ACCEPTED
        )
