"""veza.versioned_cache: per-process rows trusted only while their Redis token says so."""

from __future__ import annotations

import pytest
import redis
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.catalog import media_cache
from tests.catalog.factories import TrackFactory
from tests.conftest import bearer_client
from veza import versioned_cache
from veza.versioned_cache import VersionedRows


@pytest.fixture
def rows():
    kept = VersionedRows("test:rows", per_row=True, max_age=30.0)
    yield kept
    versioned_cache._registry.remove(kept)


class Loader:
    """A loader that counts its calls and returns what ``value`` holds at each call."""

    def __init__(self, value):
        self.value, self.calls = value, 0

    def __call__(self):
        self.calls += 1
        return dict(self.value)


@pytest.fixture
def redis_reads(monkeypatch):
    """The Redis reads (``MGET``) of version tokens, each as the list of keys it asked."""
    calls = []
    original = redis.Redis.mget

    def counted(self, keys, *args):
        calls.append(list(keys))
        return original(self, keys, *args)

    monkeypatch.setattr(redis.Redis, "mget", counted)
    return calls


def test_a_kept_row_is_used_until_its_token_changes(rows):
    loader = Loader({"name": "first"})
    assert rows.get_or_load("a", loader) == {"name": "first"}
    loader.value = {"name": "second"}  # the database changed, no bump yet
    assert rows.get_or_load("a", loader) == {"name": "first"}
    assert loader.calls == 1

    versioned_cache.token_set("test:rows:a", "another process's bump")

    assert rows.get_or_load("a", loader) == {"name": "second"}
    assert loader.calls == 2


def test_callers_get_copies_that_never_reach_the_next_caller(rows):
    first = rows.get_or_load("b", Loader({"name": "kept"}))
    first["name"] = "changed by a request"
    assert rows.get_or_load("b", Loader({"name": "unused"})) == {"name": "kept"}


def test_an_absent_token_is_never_trusted(rows):
    loader = Loader({"name": "first"})
    rows.get_or_load("c", loader)
    versioned_cache.token_set("test:rows:c", None)  # evicted or flushed
    loader.value = {"name": "second"}

    assert rows.get_or_load("c", loader) == {"name": "second"}
    assert versioned_cache.token("test:rows:c") is not None  # a new one, made before the read


def test_a_bump_reloads_every_copy_of_that_row_only(rows):
    a, b = Loader({"name": "a1"}), Loader({"name": "b1"})
    rows.get_or_load("a", a)
    rows.get_or_load("b", b)
    a.value, b.value = {"name": "a2"}, {"name": "b2"}

    rows.bump("a")

    assert rows.get_or_load("a", a) == {"name": "a2"}
    assert rows.get_or_load("b", b) == {"name": "b1"}


def test_a_copy_lives_no_longer_than_max_age(rows, monkeypatch):
    loader = Loader({"name": "first"})
    clock = [1000.0]
    monkeypatch.setattr(versioned_cache.time, "monotonic", lambda: clock[0])
    rows.get_or_load("d", loader)
    loader.value = {"name": "second"}
    clock[0] += 29.0
    assert rows.get_or_load("d", loader) == {"name": "first"}

    clock[0] += 2.0  # a lost bump: the copy is dropped anyway

    assert rows.get_or_load("d", loader) == {"name": "second"}


def test_without_a_shared_cache_nothing_is_kept(rows, settings):
    settings.REDIS_URL = ""
    loader = Loader({"name": "first"})
    rows.get_or_load("e", loader)
    rows.get_or_load("e", loader)
    assert loader.calls == 2


def test_outside_a_request_every_read_asks_redis(rows, redis_reads):
    rows.get_or_load("f", Loader({"name": "first"}))
    rows.get_or_load("f", Loader({"name": "first"}))
    assert len(redis_reads) == 2


def test_in_a_request_the_tokens_are_read_once_with_every_table_token(rows, redis_reads):
    versioned_cache._request_begin()  # what request_started does
    try:
        rows.get_or_load("g", Loader({"name": "g"}))
        rows.get_or_load("g", Loader({"name": "g"}))
        media_cache.get_or_load("track", Loader({"name": "track"}))
    finally:
        versioned_cache._request_end()

    assert len(redis_reads) == 1
    prefix = versioned_cache.REDIS_PREFIX
    assert set(redis_reads[0]) >= {prefix + "test:rows:g", prefix + media_cache.VERSION_KEY}


@pytest.mark.django_db
def test_a_bearer_stream_costs_one_redis_read_and_no_sql(redis_reads):
    track = TrackFactory()
    client = bearer_client(track.owner)
    url = f"/api/v1/tracks/{track.pk}/stream"
    assert client.get(url, HTTP_RANGE="bytes=0-9").status_code == 206  # loads and keeps
    redis_reads.clear()

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, HTTP_RANGE="bytes=0-9")

    assert response.status_code == 206
    assert queries.captured_queries == []
    assert len(redis_reads) == 1  # the bearer's token and the media version together
