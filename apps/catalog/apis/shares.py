"""Share links: create one for a track or a playlist, revoke it."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.catalog import selectors, services
from apps.catalog.apis.common import NO_CONTENT, share_token_from_request
from apps.catalog.serializers import ShareInputSerializer, ShareOutputSerializer
from veza.api.parsers import JSONParser
from veza.audit import RequestMeta


def _share_created_response(request, share, raw, path) -> Response:
    url = request.build_absolute_uri(f"{path}?share_token={raw}")
    body = {"id": share.pk, "token": raw, "url": url, "expires_at": share.expires_at}
    return Response(ShareOutputSerializer(body).data, status=status.HTTP_201_CREATED)


class TrackShareApi(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        tags=["tracks"],
        request=ShareInputSerializer,
        responses={201: ShareOutputSerializer},
        summary="Create a share token that lets anyone stream this track (owner)",
        description=(
            "Owner only. The token lets anyone holding it stream this one track "
            "(`?share_token=`) until it expires or is revoked with DELETE /shares/{id}."
        ),
    )
    def post(self, request, track_id):
        track = selectors.track_owned(track_id=track_id, user=request.user)
        data = ShareInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        share, raw = services.share_token_create(
            actor=request.user,
            track=track,
            expires_at=data.validated_data.get("expires_at"),
            meta=RequestMeta.from_request(request),
        )
        return _share_created_response(request, share, raw, f"/api/v1/tracks/{track.pk}/stream")


class PlaylistShareApi(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        tags=["playlists"],
        request=ShareInputSerializer,
        responses={201: ShareOutputSerializer},
        summary="Create a share token for this playlist (owner)",
        description=(
            "Owner only. The token lets anyone holding it open this playlist and its tracks "
            "(`?share_token=`) until it expires or is revoked with DELETE /shares/{id}."
        ),
    )
    def post(self, request, playlist_id):
        playlist = selectors.playlist_owned(
            playlist_id=playlist_id,
            user=request.user,
            share_token=share_token_from_request(request),
        )
        data = ShareInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        share, raw = services.share_token_create(
            actor=request.user,
            playlist=playlist,
            expires_at=data.validated_data.get("expires_at"),
            meta=RequestMeta.from_request(request),
        )
        return _share_created_response(request, share, raw, f"/api/v1/playlists/{playlist.pk}")


class ShareRevokeApi(APIView):
    @extend_schema(
        tags=["tracks"],
        request=None,
        responses={204: NO_CONTENT},
        summary="Revoke a share token",
        description=(
            "The owner of the shared track or playlist revokes the token; it stops working at"
            " once. Anyone else: 404."
        ),
    )
    def delete(self, request, share_id):
        share = selectors.share_owned(share_id=share_id, user=request.user)
        services.share_token_revoke(
            share=share, actor=request.user, meta=RequestMeta.from_request(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
