"""Follows, the feed of followed creators and the caller's library."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.models import User
from apps.catalog import selectors, services
from apps.catalog.apis.common import NO_CONTENT, serializer_context, share_token_from_request
from apps.catalog.serializers import (
    FollowOutputSerializer,
    LibraryEntryOutputSerializer,
    TrackListItemSerializer,
)
from veza.api.pagination import CursorPagination, PageNumberPagination, paginated_response


class CreatedCursorPagination(CursorPagination):
    ordering = ("-created_at", "-id")


class FeedApi(APIView):
    pagination_class = CreatedCursorPagination

    @extend_schema(
        tags=["tracks"],
        responses={200: TrackListItemSerializer(many=True)},
        summary="Recent tracks of the creators you follow (cursor-paginated)",
        description=(
            "Newest tracks of the people the caller follows. Cursor pagination: follow "
            "`next`; there is no `count`."
        ),
    )
    def get(self, request):
        return paginated_response(
            view=self,
            request=request,
            queryset=selectors.feed_rows(user=request.user),
            serializer_class=TrackListItemSerializer,
            context=serializer_context(request),
        )


class LibraryApi(APIView):
    pagination_class = PageNumberPagination

    @extend_schema(
        tags=["library"],
        responses={200: LibraryEntryOutputSerializer(many=True)},
        summary="Your saved tracks, newest first",
        description=("The tracks the caller saved, newest first."),
    )
    def get(self, request):
        return paginated_response(
            view=self,
            request=request,
            queryset=selectors.library_tracks(user=request.user),
            serializer_class=LibraryEntryOutputSerializer,
            context=serializer_context(request),
        )


class LibraryTrackApi(APIView):
    @extend_schema(
        tags=["library"],
        request=None,
        responses={204: NO_CONTENT},
        summary="Save a track",
        description=(
            "Saves a track you may open: a private one needs its owner, staff or a share token "
            "(403 PERMISSION_DENIED otherwise); no such track: 404. Saving twice changes nothing."
        ),
    )
    def put(self, request, track_id):
        access = selectors.track_access(
            track_id=track_id, user=request.user, share_token=share_token_from_request(request)
        )
        services.library_add(user=request.user, track=access.track, share=access.share)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        tags=["library"],
        request=None,
        responses={204: NO_CONTENT},
        summary="Unsave a track",
        description=("Removes a saved track; 204 even when it was not saved."),
    )
    def delete(self, request, track_id):
        services.library_remove(user=request.user, track_id=track_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class FollowApi(APIView):
    def _followee(self, user_id) -> User:
        return get_object_or_404(User.objects.filter(is_active=True), pk=user_id)

    @extend_schema(
        tags=["users"],
        request=None,
        responses={200: FollowOutputSerializer},
        summary="Follow a user (idempotent)",
        description=(
            "Following twice changes nothing. Yourself: 400 VALIDATION_ERROR; an unknown user: 404."
        ),
    )
    def post(self, request, user_id):
        services.follow_create(follower=request.user, followee=self._followee(user_id))
        return Response(FollowOutputSerializer({"following": True}).data)

    @extend_schema(
        tags=["users"],
        request=None,
        responses={200: FollowOutputSerializer},
        summary="Unfollow a user (idempotent)",
        description=("Unfollowing someone you do not follow changes nothing."),
    )
    def delete(self, request, user_id):
        services.follow_delete(follower=request.user, followee=self._followee(user_id))
        return Response(FollowOutputSerializer({"following": False}).data)
