"""The anonymous response cache: hits, invalidation on write, never for callers or errors."""

import logging

import pytest
from django.core.cache import caches
from django.test import override_settings

from apps.platform_settings.services import setting_set
from tests.conftest import bearer_client
from tests.helpers import assert_error
from veza import shared_cache

FEATURES = "/api/v1/features"


@pytest.mark.django_db
def test_second_anonymous_read_is_a_hit_with_the_same_body(seeded, client):
    first = client.get(FEATURES)
    second = client.get(FEATURES)

    assert first["X-Cache"] == "MISS"
    assert second["X-Cache"] == "HIT"
    assert second.json() == first.json()
    assert second["Content-Type"] == "application/json"


@pytest.mark.django_db
def test_cached_read_then_edit_then_read_shows_the_edit(
    seeded, client, staff_user, django_capture_on_commit_callbacks
):
    assert client.get(FEATURES).json()["hls_streaming"] is False
    assert client.get(FEATURES)["X-Cache"] == "HIT"

    with django_capture_on_commit_callbacks(execute=True):
        setting_set(key="hls_streaming", value=True, actor=staff_user)

    after = client.get(FEATURES)
    assert after["X-Cache"] == "MISS"
    assert after.json()["hls_streaming"] is True
    assert client.get(FEATURES)["X-Cache"] == "HIT"


@pytest.mark.django_db
def test_query_string_order_does_not_split_the_cache(seeded, client):
    client.get(FEATURES + "?b=2&a=1")

    assert client.get(FEATURES + "?a=1&b=2")["X-Cache"] == "HIT"
    assert client.get(FEATURES + "?a=1")["X-Cache"] == "MISS"


@pytest.mark.django_db
def test_authenticated_responses_never_come_from_or_go_to_the_cache(seeded, client, user):
    authed = bearer_client(user)

    first = authed.get(FEATURES)
    second = authed.get(FEATURES)
    anonymous = client.get(FEATURES)

    assert first["X-Cache"] == second["X-Cache"] == "MISS"
    assert anonymous["X-Cache"] == "MISS"  # the authenticated reads stored nothing
    client.get(FEATURES)
    assert authed.get(FEATURES)["X-Cache"] == "MISS"  # nor read the anonymous entry


@pytest.mark.django_db
def test_api_key_and_cookie_requests_are_not_cached(seeded, client):
    client.get(FEATURES, HTTP_X_API_KEY="vz_live_x")
    client.get(FEATURES, HTTP_COOKIE="sessionid=abc")

    assert client.get(FEATURES, HTTP_COOKIE="sessionid=abc")["X-Cache"] == "MISS"
    assert client.get(FEATURES)["X-Cache"] == "MISS"


@pytest.mark.django_db
def test_error_responses_are_not_cached(seeded, client):
    first = client.get("/api/v1/tracks-that-do-not-exist")
    tracks_404 = client.get("/api/v1/tracks/not-a-route")

    assert_error(first, 404, "NOT_FOUND")
    assert_error(tracks_404, 404, "NOT_FOUND")
    assert client.get("/api/v1/tracks/not-a-route")["X-Cache"] == "MISS"


@pytest.mark.django_db
def test_paths_without_a_rule_carry_no_x_cache_header(seeded, client):
    response = client.get("/api/v1/health")

    assert "X-Cache" not in response


@pytest.mark.django_db
def test_redis_down_requests_still_succeed_uncached_and_warn_once(seeded, client, caplog):
    down = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
        }
    }
    with override_settings(CACHES=down), caplog.at_level(logging.WARNING, "veza.shared_cache"):
        caches["default"]
        shared_cache.reset()
        responses = [client.get(FEATURES) for _ in range(5)]

    assert [r.status_code for r in responses] == [200] * 5
    assert all(r["X-Cache"] == "MISS" for r in responses)
    assert responses[0].json() == {"hls_streaming": False}
    warnings = [r for r in caplog.records if "Shared cache unavailable" in r.getMessage()]
    assert len(warnings) == 1
