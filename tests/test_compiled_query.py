"""CompiledLists pages through a queryset's rows with its SQL compiled once per key: the ORM's
own values (converters kept, on SQLite and PostgreSQL), Django's count, counted queries, a
bounded cache, and what Django's Paginator needs."""

import uuid
import warnings
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import User
from apps.catalog.models import Track
from apps.catalog.selectors import tracks_with_owner
from tests.catalog.factories import CreatorFactory, TrackFactory
from veza.compiled_query import CompiledLists

pytestmark = pytest.mark.django_db

FIELDS = (
    "id",
    "owner__username",
    "owner__profile__display_name",
    "tags",
    "duration",
    "created_at",
    "title",
)


class Builds:
    """A ``build`` callable that counts how often it had to compile."""

    def __init__(self, make):
        self.make = make
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return self.make()


def _ordered():
    return tracks_with_owner().order_by("title", "-id")


def test_rows_are_the_orms_values_list_rows_with_the_same_python_types():
    owner = CreatorFactory()
    owner.profile.display_name = "Zoë"
    owner.profile.save()
    TrackFactory(owner=owner, title="a", tags=["ambient", "live"], duration=12.5)
    TrackFactory(title="b", tags=[], duration=None)
    lists = CompiledLists(Track, fields=FIELDS)

    rows = lists.rows("all", _ordered)[0:10]

    assert rows == list(_ordered().values_list(*FIELDS))
    first = rows[0]
    assert isinstance(first[0], uuid.UUID)  # text on SQLite until the converter ran
    assert first[2] == "Zoë"
    assert first[3] == ["ambient", "live"]  # JSON decoded on both backends
    assert first[4] == 12.5
    assert isinstance(first[5], datetime)
    assert first[5].utcoffset() is not None
    assert rows[1][3] == []
    assert rows[1][4] is None


def test_the_row_maker_shapes_each_row():
    TrackFactory(title="a")
    lists = CompiledLists(Track, fields=("title", "genre"), make_row=list)

    assert lists.rows("all", _ordered)[0:1] == [["a", ""]]


def test_each_page_reuses_the_compiled_sql_with_its_bounds_as_parameters():
    titles = [f"t{i}" for i in range(5)]
    for title in titles:
        TrackFactory(title=title)
    build = Builds(_ordered)
    lists = CompiledLists(Track, fields=("title",))

    pages = [lists.rows("all", build)[start : start + 2] for start in (0, 2, 4, 6)]
    with CaptureQueriesContext(connection) as queries:
        lists.rows("all", build)[1:3]

    assert pages == [[("t0",), ("t1",)], [("t2",), ("t3",)], [("t4",)], []]
    assert build.calls == 1
    assert len(queries) == 1
    assert "LIMIT 2 OFFSET 1" in queries[0]["sql"]


def test_a_count_on_its_own_is_djangos_own_count_and_one_query_each_time():
    TrackFactory.create_batch(3)
    TrackFactory(title="zz")
    build = Builds(lambda: _ordered().exclude(title="zz"))
    lists = CompiledLists(Track, fields=("title",))
    with CaptureQueriesContext(connection) as orm:
        expected = build.make().count()

    with CaptureQueriesContext(connection) as first:
        assert lists.rows("k", build).count() == expected == 3
    TrackFactory()  # the count is read again: a new row is counted
    with CaptureQueriesContext(connection) as second:
        assert lists.rows("k", build).count() == 4

    assert len(first) == len(second) == 1
    assert first[0]["sql"] == orm[0]["sql"] == second[0]["sql"]
    assert "COUNT(*)" in second[0]["sql"]


def test_a_rows_query_counts_once_and_has_what_the_paginator_needs():
    for title in "abcde":
        TrackFactory(title=title)
    rows = CompiledLists(Track, fields=("title",)).rows("all", _ordered)

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no UnorderedObjectListWarning
        paginator = Paginator(rows, 2)
        page = paginator.page(3)

    assert paginator.count == 5
    assert list(page.object_list) == [("e",)]
    assert page.has_previous()
    assert not page.has_next()
    with CaptureQueriesContext(connection) as queries:
        assert len(rows) == 5  # counted once per rows query
    assert len(queries) == 0


def test_different_keys_compile_separately_and_the_cache_is_bounded():
    first = CreatorFactory()
    mine = TrackFactory(owner=first, title="mine")
    theirs = TrackFactory(title="theirs")
    lists = CompiledLists(Track, fields=("id",), maxsize=2)
    builds = {
        owner.pk: Builds(lambda owner=owner: _ordered().filter(owner=owner))
        for owner in (first, theirs.owner)
    }
    everything = Builds(_ordered)

    assert lists.rows(("owner", first.pk), builds[first.pk])[0:5] == [(mine.pk,)]
    assert lists.rows(("owner", theirs.owner_id), builds[theirs.owner_id])[0:5] == [(theirs.pk,)]
    lists.rows(("owner", first.pk), builds[first.pk])  # used again: now the most recent
    lists.rows("all", everything)  # a third key drops the least recently used one

    assert len(lists) == 2
    lists.rows(("owner", first.pk), builds[first.pk])
    lists.rows(("owner", theirs.owner_id), builds[theirs.owner_id])
    assert builds[first.pk].calls == 1
    assert builds[theirs.owner_id].calls == 2  # evicted, compiled again
    assert everything.calls == 1


def test_a_filter_that_matches_nothing_reads_nothing():
    TrackFactory()
    rows = CompiledLists(Track, fields=("id",)).rows("none", lambda: _ordered().filter(pk__in=[]))

    with CaptureQueriesContext(connection) as queries:
        assert rows.count() == 0
        assert rows[0:20] == []
    assert len(queries) == 0


def test_only_an_ordered_plain_queryset_and_bounded_pages_are_accepted():
    TrackFactory()
    lists = CompiledLists(Track, fields=("id",))

    with pytest.raises(ValueError, match="ordered"):
        lists.rows("unordered", lambda: Track.objects.order_by())
    with pytest.raises(ValueError, match="plain"):
        lists.rows("sliced", lambda: _ordered()[:5])
    with pytest.raises(ValueError, match="prefetch"):
        lists.rows("prefetch", lambda: _ordered().prefetch_related("playlist_entries"))
    with pytest.raises(ValueError, match="lists Track rows"):
        lists.rows("other", lambda: User.objects.order_by("pk"))
    rows = lists.rows("all", _ordered)
    with pytest.raises(ValueError, match="bounded"):
        rows[0:]
    with pytest.raises(TypeError, match="slice"):
        rows[0]
    assert len(lists) == 1


def test_threads_sharing_one_bounded_cache_each_get_their_own_keys_query():
    """Many threads compiling and evicting keys at once: the cache stays bounded and a key
    never answers with another key's SQL (each compiled query holds its genre as a parameter)."""
    lists = CompiledLists(Track, fields=("id",), maxsize=3)
    genres = [f"genre-{i}" for i in range(6)]

    def work(offset: int) -> list[tuple[str, tuple]]:
        seen = []
        try:
            for i in range(60):
                genre = genres[(offset + i) % len(genres)]
                rows = lists.rows(
                    ("genre", genre), lambda genre=genre: _ordered().filter(genre=genre)
                )
                seen.append((genre, rows._compiled.params))
        finally:
            connection.close()
        return seen

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = [seen for part in pool.map(work, range(6)) for seen in part]

    assert len(results) == 360
    assert all(genre in params for genre, params in results)
    assert len(lists) <= 3


@pytest.mark.django_db
def test_a_prefetched_page_and_its_total_are_one_statement(django_assert_num_queries):
    tracks = [TrackFactory() for _ in range(5)]
    lists = CompiledLists(Track, fields=("id", "title"))

    query = lists.rows(("prefetch",), lambda: Track.objects.order_by("title", "id"))
    with django_assert_num_queries(1):
        query.prefetch(offset=2, limit=2)
        assert query.count() == 5
        assert [row[0] for row in query[2:4]] == [
            t.pk for t in sorted(tracks, key=lambda t: (t.title, t.pk))
        ][2:4]


@pytest.mark.django_db
def test_an_empty_prefetched_page_leaves_the_count_to_its_own_query(django_assert_num_queries):
    TrackFactory()
    lists = CompiledLists(Track, fields=("id",))
    query = lists.rows(("beyond",), lambda: Track.objects.order_by("id"))
    with django_assert_num_queries(2):
        query.prefetch(offset=20, limit=20)
        assert query.count() == 1
    assert query[0:1] != []  # another page is read from the database


@pytest.mark.django_db
def test_a_page_beyond_the_end_is_still_404(api_client):
    TrackFactory()
    response = api_client.get("/api/v1/tracks", {"page": 3})
    assert response.status_code == 404


@pytest.mark.django_db
def test_a_compiled_shape_keeps_sql_not_the_query():
    """A shape is a few KiB (SQL, parameters, converters): 256 of them stay far from a web
    worker's memory budget, whatever the query holds."""
    TrackFactory()
    lists = CompiledLists(Track, fields=("id", "title", "tags", "owner__username"))
    lists.rows("shape", _ordered)[0:1]
    (entry,) = lists._entries.values()
    assert not any(isinstance(getattr(entry, slot), QuerySet) for slot in entry.__slots__)
    assert all(isinstance(part, (str, tuple, list)) for part in entry.counted)
