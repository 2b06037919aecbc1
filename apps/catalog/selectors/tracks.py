"""Track lists: public tracks, filters and ordering whitelists, search, feed, library."""

from __future__ import annotations

from collections import namedtuple
from uuid import UUID

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, Q, QuerySet

from apps.accounts.models import CONTENT_CREATOR_ROLES, User
from apps.catalog.models import LibraryEntry, ModerationStatus, ProcessingStatus, Track, Visibility
from apps.catalog.selectors.access import tracks_visible_q, tracks_with_owner
from veza.compiled_query import CompiledLists, RowsQuery, RowsSource

# ?ordering= whitelists (shared/API.md, Conventions; changelog "ORDER BY dynamiques").
DEFAULT_ORDERING = "-created_at"
TRACK_ORDERINGS = frozenset({"created_at", "title", "play_count", "duration"})
PLAYLIST_ORDERINGS = frozenset({"created_at", "title"})


def ordering_resolve(value: str | None, allowed: frozenset[str]) -> list[str]:
    """The ``?ordering=`` value if whitelisted, else ``-created_at``; never raises.

    A unique tie-breaker keeps pages stable when many rows share the sort key.
    """
    value = (value or "").strip()
    field_name = value[1:] if value.startswith("-") else value
    chosen = value if field_name in allowed else DEFAULT_ORDERING
    return [chosen, "-id"]


#: A listed track as one row of columns (``values_list``), what the list serializer renders
#: without making model instances: the track's columns, its owner's username and display name.
TRACK_ROW_FIELDS = (
    "id",
    "owner_id",
    "owner__username",
    "owner__profile__display_name",
    "title",
    "artist_name",
    "album",
    "genre",
    "tags",
    "description",
    "duration",
    "bitrate",
    "codec",
    "size",
    "sha256",
    "content_type",
    "cover_image",
    "visibility",
    "status",
    "moderation_status",
    "hls_status",
    "play_count",
    "created_at",
    "updated_at",
)
TrackRow = namedtuple("TrackRow", TRACK_ROW_FIELDS)

#: What a list item shows (``TrackListItemSerializer``), for lists that still load instances:
#: the row's columns and the keys ``select_related`` needs. Reading another field of a listed
#: track would cost a query per row: the query-count tests of every list catch it.
LIST_ITEM_FIELDS = (*TRACK_ROW_FIELDS, "owner__id", "owner__profile__id")


def public_tracks() -> QuerySet[Track]:
    """Tracks anyone may see in lists, feeds and search: ready, public, not moderated away."""
    return (
        tracks_with_owner()
        .only(*LIST_ITEM_FIELDS)
        .filter(
            status=ProcessingStatus.READY,
            visibility=Visibility.PUBLIC,
            moderation_status=ModerationStatus.ACTIVE,
        )
    )


def _tag_filter(tag: str) -> Q:
    tag = tag.strip().lower()
    if connection.vendor == "postgresql":
        return Q(tags__contains=[tag])
    return Q(tags__icontains=f'"{tag}"')


def track_list(
    *,
    genre: str | None = None,
    owner: UUID | None = None,
    tag: str | None = None,
    ordering: str | None = None,
) -> QuerySet[Track]:
    qs = public_tracks()
    if genre:
        qs = qs.filter(genre__iexact=genre)
    if owner:
        qs = qs.filter(owner_id=owner)
    if tag:
        qs = qs.filter(_tag_filter(tag))
    return qs.order_by(*ordering_resolve(ordering, TRACK_ORDERINGS))


_TRACK_LISTS = CompiledLists(Track, fields=TRACK_ROW_FIELDS, make_row=TrackRow._make, maxsize=256)


def track_list_rows(
    *,
    genre: str | None = None,
    owner: UUID | None = None,
    tag: str | None = None,
    ordering: str | None = None,
) -> RowsQuery:
    """:func:`track_list` as :class:`TrackRow` pages, its SQL compiled once per shape.

    The key holds everything the SQL depends on: the database's vendor (the tag filter differs),
    the resolved ordering (anything off the whitelist shares the default's) and each filter
    value as given. No parameter depends on the time, so a compiled shape never goes stale.
    """
    order = tuple(ordering_resolve(ordering, TRACK_ORDERINGS))
    key = ("track_list", connection.vendor, order, genre, owner, tag)
    return _TRACK_LISTS.rows(
        key, lambda: track_list(genre=genre, owner=owner, tag=tag, ordering=ordering)
    )


_TRACK_SEARCHES = CompiledLists(
    Track, fields=TRACK_ROW_FIELDS, make_row=TrackRow._make, maxsize=256
)


def track_search(*, query: str, limit: int = 20) -> list[TrackRow]:
    """Ranked full-text search on PostgreSQL (trigger-maintained weighted vector, GIN index),
    as :class:`TrackRow` rows; its SQL is compiled once per query text (a bounded LRU).

    On SQLite (the embedded default) a case-insensitive substring match stands in.
    """
    query = query.strip()
    key = ("track_search", connection.vendor, query)
    return _TRACK_SEARCHES.rows(key, lambda: _track_search_queryset(query))[0:limit]


def _track_search_queryset(query: str) -> QuerySet[Track]:
    qs = public_tracks()
    if connection.vendor == "postgresql":
        search = SearchQuery(query, search_type="websearch", config="simple")
        return (
            qs.filter(search_vector=search)
            .annotate(rank=SearchRank(F("search_vector"), search))
            .order_by("-rank", "-play_count", "-id")
        )
    return qs.filter(
        Q(title__icontains=query)
        | Q(artist_name__icontains=query)
        | Q(album__icontains=query)
        | Q(tags__icontains=query)
    ).order_by("-play_count", "-id")


def artist_search(*, query: str, limit: int = 20) -> list[User]:
    query = query.strip()
    return list(
        User.objects.select_related("profile")
        .filter(is_active=True, role__in=CONTENT_CREATOR_ROLES)
        .filter(Q(username__icontains=query) | Q(profile__display_name__icontains=query))
        .order_by("username")[:limit]
    )


def feed_tracks(*, user: User) -> QuerySet[Track]:
    """Recent public tracks of the creators ``user`` follows."""
    return public_tracks().filter(owner__followers__follower=user)


_FEEDS = CompiledLists(Track, fields=TRACK_ROW_FIELDS, make_row=TrackRow._make, maxsize=256)


def feed_rows(*, user: User) -> RowsSource:
    """:func:`feed_tracks` as :class:`TrackRow` rows for cursor pagination, the SQL of each
    user's feed page compiled once per process (the user is a parameter of the SQL: one shape
    per reader, in a bounded LRU)."""
    return _FEEDS.source(("feed", connection.vendor, user.pk), lambda: feed_tracks(user=user))


def library_tracks(*, user: User) -> QuerySet[LibraryEntry]:
    """The caller's saved tracks that they may still open right now.

    A private track saved through a link stays listed while that link (kept on the entry)
    still grants it; revoked, expired, or no longer granting (the track went private in a
    shared playlist of someone else), it is left out. So is a saved track its owner made
    private later. The rows stay: the track is back if access comes back.
    """
    return (
        LibraryEntry.objects.filter(user=user)
        .filter(tracks_visible_q(user=user, prefix="track__", share_field="share_id"))
        .select_related("track", "track__owner", "track__owner__profile")
        .order_by("-created_at", "-id")
    )
