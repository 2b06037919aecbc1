"""Personal-data API (shared/API.md, Personal data (GDPR)). Thin: parse, call one service or
selector, serialize."""

import logging

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.apis import MeApi
from apps.gdpr import selectors, services
from apps.gdpr.serializers import (
    AccountDeleteInputSerializer,
    DeletionReceiptSerializer,
    ExportCreatedSerializer,
    ExportOutputSerializer,
)
from apps.streaming import media
from apps.streaming import selectors as streaming_selectors
from veza.api.exceptions import NotFound
from veza.api.pagination import PageNumberPagination, paginated_response
from veza.api.permissions import LoginSessionRequired
from veza.api.renderers import JSONRenderer
from veza.api.schema import error_response
from veza.audit import RequestMeta

logger = logging.getLogger(__name__)


# ``/users/me``: the accounts app's read and edit, plus deleting the account. Deleting reaches
# into every app, which only this top layer may import, so the route is served from here with
# the accounts view's GET and PATCH unchanged (``veza/urls.py`` routes ``users/me`` here before
# the accounts URLs). A comment, not a docstring: the schema of GET and PATCH stays the same.
class AccountApi(MeApi):
    def get_permissions(self):
        if self.request is not None and self.request.method == "DELETE":
            return [IsAuthenticated(), LoginSessionRequired()]
        return super().get_permissions()

    @extend_schema(
        tags=["users"],
        request=AccountDeleteInputSerializer,
        responses={
            202: OpenApiResponse(
                DeletionReceiptSerializer,
                description="Deleted: anonymised and unusable now; the receipt says what was "
                "done, what is kept and why, and when the final erasure runs.",
            ),
            400: error_response(
                "INVALID_PASSWORD; with 2FA on, OTP_REQUIRED or INVALID_OTP; VALIDATION_ERROR"
            ),
            403: error_response("API_KEY_NOT_ALLOWED: needs a bearer token or a session"),
            429: error_response("RATE_LIMITED: too many wrong passwords or codes"),
        },
        summary="Delete my account (password, and a one-time code when 2FA is on)",
        description=(
            "Needs the password (and, with 2FA on, `otp_code`). Personal data is anonymised "
            "now, sessions and keys are revoked, and the final erasure happens 30 days later;"
            " the answer lists what was anonymised, what is kept and why. Not with an API key"
            " (403 API_KEY_NOT_ALLOWED)."
        ),
    )
    def delete(self, request):
        data = AccountDeleteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        deletion = services.account_delete(
            user=request.user,
            password=data.validated_data["password"],
            otp_code=data.validated_data.get("otp_code") or None,
            keep_public_tracks=data.validated_data["keep_public_tracks"],
            meta=RequestMeta.from_request(request),
        )
        receipt = services.deletion_receipt(deletion=deletion)
        return Response(DeletionReceiptSerializer(receipt).data, status=status.HTTP_202_ACCEPTED)


class PersonalDataApi(APIView):
    """The archive holds everything about the person: only they may ask for it and fetch it,
    with their own login (a bearer token or a session), never with an integrator's API key."""

    permission_classes = [IsAuthenticated, LoginSessionRequired]


class ExportRequestApi(PersonalDataApi):
    extra_error_codes = ("429",)

    @extend_schema(
        tags=["users"],
        request=None,
        responses={
            202: ExportCreatedSerializer,
            429: error_response("RATE_LIMITED: 3 exports in the last 24 hours (see Retry-After)"),
        },
        summary="Ask for an archive of all my data (emailed when ready; 3 a day)",
        description=(
            "Builds a ZIP of everything about the caller in the background and emails them "
            "when it is ready. At most 3 a day (429 RATE_LIMITED). Only with the person's own"
            " login, never an API key (403 API_KEY_NOT_ALLOWED)."
        ),
    )
    def post(self, request):
        export = services.export_request(user=request.user, meta=RequestMeta.from_request(request))
        return Response(ExportCreatedSerializer(export).data, status=status.HTTP_202_ACCEPTED)


class ExportListApi(PersonalDataApi):
    pagination_class = PageNumberPagination

    @extend_schema(
        tags=["users"],
        responses={200: ExportOutputSerializer(many=True)},
        summary="My data exports and their status, newest first",
        description=(
            "The caller's exports and their status (pending, processing, ready, failed, "
            "expired). Not with an API key (403 API_KEY_NOT_ALLOWED)."
        ),
    )
    def get(self, request):
        return paginated_response(
            view=self,
            request=request,
            queryset=selectors.export_list_for_user(user=request.user),
            serializer_class=ExportOutputSerializer,
        )


class ZipRenderer(BaseRenderer):
    """Lets clients that ask for ``application/zip`` reach the download (the body itself is a
    ``FileResponse``, which no renderer touches; errors are JSON, see ``handle_exception``)."""

    media_type = "application/zip"
    format = "zip"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class ExportDownloadApi(PersonalDataApi):
    renderer_classes = [JSONRenderer, ZipRenderer]
    extra_error_codes = ("409",)

    def handle_exception(self, exc):
        # An error is the JSON envelope even when the client asked for application/zip.
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response

    @extend_schema(
        tags=["users"],
        responses={
            (200, "application/zip"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The ZIP archive."
            ),
            (206, "application/zip"): OpenApiResponse(
                OpenApiTypes.BINARY, description="A byte range of the ZIP archive."
            ),
            302: OpenApiResponse(
                description="Redirect to a short-lived signed URL of the archive "
                "(STREAM_DELIVERY signed or presigned)."
            ),
            404: error_response("NOT_FOUND: no such export of yours, or it has expired"),
            409: error_response("EXPORT_NOT_READY: still being built, or it failed"),
        },
        summary="Download one of my data exports (its owner only, for 7 days)",
        description=(
            "The ZIP, to its owner only (404 for anyone else), until it expires. Not ready "
            "yet: 409 EXPORT_NOT_READY. Not with an API key (403 API_KEY_NOT_ALLOWED)."
        ),
    )
    def get(self, request, export_id):
        export = selectors.export_downloadable(export_id=export_id, user=request.user)
        archive = streaming_selectors.media_file_get(
            storage_name=export.file,
            content_type="application/zip",
            etag=f'"{export.sha256}"' if export.sha256 else None,
        )
        if archive is None:
            logger.error("FILE_MISSING: export %s has no archive at %r", export.pk, export.file)
            raise NotFound()
        filename = f"veza-data-{export.created_at:%Y%m%d}-{str(export.pk)[:8]}.zip"
        # The archive leaves like a private track (README "Serving media"): a short-lived
        # signed link or the app's own streaming, never a lasting public URL.
        return media.serve_media(
            request,
            archive,
            cache_control="private, no-store",
            disposition=media.attachment_disposition(filename),
        )
