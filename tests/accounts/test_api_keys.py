"""API keys: creation shown once, listing, revocation, scopes, per-key limits and headers.

Contract: shared/API.md "Accounts and authentication" (developer/api-keys) and "API keys:
scopes and rate limits"; changelog: the API-key rate limiter and scope enforcement entry.
"""

import hashlib
import multiprocessing
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
import requests
from django.utils import timezone
from freezegun import freeze_time
from rest_framework.test import APIClient

from apps.accounts.models import ApiKey, AuditLog
from apps.accounts.services import api_key_create
from tests.accounts.factories import UserFactory
from tests.conftest import bearer_client
from tests.helpers import assert_error
from veza.api import ratelimit
from veza.audit import RequestMeta

KEYS_URL = "/api/v1/developer/api-keys"
ME_URL = "/api/v1/users/me"
CHAT_URL = "/api/v1/chat/token"


#: Per-key buckets are hourly fixed windows: a test that counts requests runs at this frozen
#: instant, 20 minutes into a window, so its requests never straddle two windows however slow
#: the machine is (freezegun also freezes the live server's thread: one process).
IN_A_WINDOW = datetime(2026, 6, 1, 10, 20, tzinfo=UTC)
IN_A_WINDOW_UNIX = IN_A_WINDOW.timestamp()
WINDOW_RESET = int(datetime(2026, 6, 1, 11, 0, tzinfo=UTC).timestamp())


def key_client(raw: str, **kwargs) -> APIClient:
    client = APIClient(**kwargs)
    client.credentials(HTTP_X_API_KEY=raw)
    return client


def make_key(user, scopes=("read",), **kwargs):
    return api_key_create(
        user=user, name="integration", scopes=list(scopes), meta=RequestMeta(), **kwargs
    )


@pytest.mark.django_db
def test_created_key_is_shown_once_and_only_its_hash_is_stored(user, user_client):
    response = user_client.post(
        KEYS_URL, {"name": "CI", "scopes": ["write", "read"]}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    raw = body["key"]
    assert raw.startswith("vz_live_")
    assert body["prefix"] == raw[: len(body["prefix"])]
    assert body["scopes"] == ["read", "write"]
    assert body["name"] == "CI"
    assert body["last_used_at"] is None
    row = ApiKey.objects.get(pk=body["id"])
    assert row.user == user
    secret = raw.split("_", 3)[3]
    assert row.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert raw not in str(ApiKey.objects.filter(pk=row.pk).values().first())
    entry = AuditLog.objects.get(action="api_key.create")
    assert entry.target_id == str(row.pk)
    assert entry.metadata == {"prefix": row.prefix, "scopes": ["read", "write"]}

    listing = user_client.get(KEYS_URL).json()
    assert listing["count"] == 1
    assert "key" not in listing["results"][0]
    assert raw not in str(listing)
    assert listing["results"][0]["prefix"] == row.prefix


@pytest.mark.django_db
def test_create_refuses_unknown_scopes_and_changes_nothing(user_client):
    response = user_client.post(KEYS_URL, {"name": "x", "scopes": ["root"]}, format="json")

    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert "scopes.0" in error["details"]
    assert not ApiKey.objects.exists()


@pytest.mark.django_db
def test_key_authenticates_as_its_owner_with_the_key_as_auth(user):
    _, raw = make_key(user)

    response = key_client(raw).get(ME_URL)

    assert response.status_code == 200
    assert response.json()["id"] == str(user.pk)


@pytest.mark.django_db
def test_listing_keys_costs_the_same_queries_for_one_or_twenty(
    user, user_client, django_assert_num_queries, settings
):
    settings.API_KEYS_MAX_PER_USER = 20
    make_key(user)
    with django_assert_num_queries(3):  # user (JWT, first request), count, page
        assert user_client.get(KEYS_URL).json()["count"] == 1
    for _ in range(19):
        make_key(user)
    with django_assert_num_queries(2):  # count, page (the user is kept: veza.api.bearer_users)
        assert user_client.get(KEYS_URL).json()["count"] == 20


@pytest.mark.django_db
def test_deleted_key_stops_working_at_once_and_is_audited(user, user_client):
    key, raw = make_key(user)
    assert key_client(raw).get(ME_URL).status_code == 200

    response = user_client.delete(f"{KEYS_URL}/{key.pk}")

    assert response.status_code == 204
    refused = key_client(raw).get(ME_URL)
    assert_error(refused, 401, "INVALID_API_KEY")
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert AuditLog.objects.filter(action="api_key.revoke", target_id=str(key.pk)).count() == 1
    assert user_client.get(KEYS_URL).json()["count"] == 0
    assert_error(user_client.delete(f"{KEYS_URL}/{key.pk}"), 404, "NOT_FOUND")


@pytest.mark.django_db
def test_someone_elses_key_cannot_be_deleted(user_client):
    other_key, raw = make_key(UserFactory(verified=True))

    response = user_client.delete(f"{KEYS_URL}/{other_key.pk}")

    assert_error(response, 404, "NOT_FOUND")
    other_key.refresh_from_db()
    assert other_key.revoked_at is None
    assert key_client(raw).get(ME_URL).status_code == 200


@pytest.mark.django_db
def test_expired_key_is_refused(user):
    _, raw = make_key(user, expires_at=timezone.now() + timedelta(hours=1))
    assert key_client(raw).get(ME_URL).status_code == 200

    with freeze_time(timezone.now() + timedelta(hours=2)):
        response = key_client(raw).get(ME_URL)

    assert_error(response, 401, "INVALID_API_KEY")


@pytest.mark.django_db
def test_key_of_a_deactivated_owner_and_tampered_keys_are_refused(user):
    _, raw = make_key(user)
    tampered = raw[:-1] + ("A" if raw[-1] != "A" else "B")
    for bad in (tampered, "vz_live_nothing", "garbage", raw + "x"):
        response = key_client(bad).get(ME_URL)
        assert_error(response, 401, "INVALID_API_KEY")
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert_error(key_client(raw).get(ME_URL), 401, "INVALID_API_KEY")


@pytest.mark.django_db
def test_last_used_is_written_at_most_once_a_minute(user, django_assert_num_queries):
    key, raw = make_key(user)
    start = timezone.now()
    with freeze_time(start):
        assert key_client(raw).get(ME_URL).status_code == 200
        key.refresh_from_db()
        assert key.last_used_at == start
        # Within the minute: the key lookup (with its owner) only, no UPDATE.
        with django_assert_num_queries(2):  # key+user, profile
            assert key_client(raw).get(ME_URL).status_code == 200
    with freeze_time(start + timedelta(seconds=61)):
        assert key_client(raw).get(ME_URL).status_code == 200
    key.refresh_from_db()
    assert key.last_used_at == start + timedelta(seconds=61)


# --- Scopes ------------------------------------------------------------------------------

SCOPE_MATRIX = [
    # scopes, method, status on /users/me: 403 when the scope forbids the method; otherwise the
    # view's own answer (it serves GET, HEAD, OPTIONS and PATCH, so POST, PUT, DELETE are 405).
    (("read",), "get", 200),
    (("read",), "head", 200),
    (("read",), "options", 200),
    (("read",), "post", 403),
    (("read",), "put", 403),
    (("read",), "patch", 403),
    (("read",), "delete", 403),
    (("write",), "get", 200),
    (("write",), "head", 200),
    (("write",), "options", 200),
    (("write",), "post", 405),
    (("write",), "put", 405),
    (("write",), "patch", 200),
    # The scope lets DELETE through; deleting the account itself then needs the person's own
    # login (DELETE /users/me, apps.gdpr), never an API key.
    (("write",), "delete", 403),
    (("admin",), "get", 200),
    (("admin",), "head", 200),
    (("admin",), "options", 200),
    (("admin",), "post", 405),
    (("admin",), "put", 405),
    (("admin",), "patch", 200),
    (("admin",), "delete", 403),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("scopes", "method", "status"), SCOPE_MATRIX)
def test_each_scope_allows_exactly_its_methods_on_a_real_endpoint(scopes, method, status):
    """A refusal is 403 API_KEY_SCOPE and the view never ran (the username did not change);
    an allowed method reaches the view, which answers as it would any client."""
    user = UserFactory(verified=True, username="before")
    _, raw = make_key(user, scopes=scopes)
    client = key_client(raw)
    payload = {"username": "after"} if method in ("put", "patch") else None

    response = (
        getattr(client, method)(ME_URL, payload, format="json")
        if payload
        else getattr(client, method)(ME_URL)
    )

    if status == 403:
        key_may_write = scopes != ("read",)
        assert_error(response, 403, "API_KEY_NOT_ALLOWED" if key_may_write else "API_KEY_SCOPE")
    elif status == 405:
        assert_error(response, 405, "METHOD_NOT_ALLOWED")
    else:
        assert response.status_code == status, response.content
    user.refresh_from_db()
    assert user.username == ("after" if status == 200 and method == "patch" else "before")
    assert user.is_active is True
    assert "X-RateLimit-Limit" in response.headers


@pytest.mark.django_db
def test_admin_paths_need_the_admin_scope():
    from veza.api.authentication import scope_allows

    assert not scope_allows(["write"], "GET", "/api/v1/admin/maintenance")
    assert not scope_allows(["read"], "GET", "/api/v1/admin/maintenance")
    assert scope_allows(["admin"], "PUT", "/api/v1/admin/maintenance")


@pytest.mark.django_db
@pytest.mark.parametrize("scopes", [("write",), ("admin",)])
def test_an_api_key_can_neither_create_list_nor_revoke_keys(user, scopes):
    """A leaked key must not mint more keys (each with its own budget) or revoke the owner's
    (key management, like anything that checks a password, needs a login session)."""
    key, raw = make_key(user, scopes=scopes)
    client = key_client(raw)

    created = client.post(KEYS_URL, {"name": "y", "scopes": ["read"]}, format="json")
    listed = client.get(KEYS_URL)
    deleted = client.delete(f"{KEYS_URL}/{key.pk}")

    for response in (created, listed, deleted):
        assert_error(response, 403, "API_KEY_NOT_ALLOWED")
    assert ApiKey.objects.count() == 1
    key.refresh_from_db()
    assert key.revoked_at is None
    assert client.get(ME_URL).status_code == 200


@pytest.mark.django_db
def test_csrf_never_applies_to_api_keys(user):
    """A browser-like client that enforces CSRF: a key-authenticated POST needs no token."""
    _, raw = make_key(user, scopes=("write",))
    client = key_client(raw, enforce_csrf_checks=True)

    response = client.post(CHAT_URL)

    assert response.status_code == 200


# --- Limits and headers --------------------------------------------------------------------


@pytest.mark.django_db
@freeze_time(IN_A_WINDOW)
def test_every_key_response_carries_the_bucket_headers_and_buckets_are_separate(user):
    _, raw = make_key(user, scopes=("write",))
    client = key_client(raw)

    first = client.get(ME_URL)
    second = client.get(ME_URL)
    write = client.post(CHAT_URL)

    assert first.headers["X-RateLimit-Limit"] == "1000"
    assert first.headers["X-RateLimit-Remaining"] == "999"
    assert second.headers["X-RateLimit-Remaining"] == "998"
    assert first.headers["X-RateLimit-Reset"] == str(WINDOW_RESET)
    assert write.headers["X-RateLimit-Limit"] == "200"
    assert write.headers["X-RateLimit-Remaining"] == "199"
    refused = client.get(CHAT_URL)  # POST only
    assert_error(refused, 405, "METHOD_NOT_ALLOWED")
    assert refused.headers["X-RateLimit-Remaining"] == "997"
    jwt_response = bearer_client(user).get(ME_URL)
    assert "X-RateLimit-Limit" not in jwt_response.headers


@pytest.mark.django_db
@freeze_time(IN_A_WINDOW)
def test_past_the_limit_answers_429_with_retry_after_and_the_limit_is_per_key(user):
    key, raw = make_key(user, scopes=("write",))
    ApiKey.objects.filter(pk=key.pk).update(read_limit_per_hour=3)  # a smaller plan
    _, other_raw = make_key(user)
    client = key_client(raw)

    statuses = [client.get(ME_URL).status_code for _ in range(3)]
    refused = client.get(ME_URL)

    assert statuses == [200, 200, 200]
    assert_error(refused, 429, "RATE_LIMITED")
    assert refused.headers["Retry-After"] == "2400"  # to the end of the window
    assert refused.headers["X-RateLimit-Limit"] == "3"
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    # Writes have their own bucket; another key of the same owner has its own too.
    assert client.post(CHAT_URL).status_code == 200
    assert key_client(other_raw).get(ME_URL).status_code == 200


@pytest.mark.django_db
def test_a_bigger_plan_raises_the_limit(user):
    key, raw = make_key(user)
    ApiKey.objects.filter(pk=key.pk).update(read_limit_per_hour=5000)

    response = key_client(raw).get(ME_URL)

    assert response.headers["X-RateLimit-Limit"] == "5000"
    assert response.headers["X-RateLimit-Remaining"] == "4999"


@pytest.mark.django_db(transaction=True)
@freeze_time(IN_A_WINDOW)
def test_parallel_requests_never_exceed_the_limit(live_server):
    """20 simultaneous requests against a limit of 5: exactly 5 succeed."""
    user = UserFactory(verified=True)
    key, raw = make_key(user)
    ApiKey.objects.filter(pk=key.pk).update(read_limit_per_hour=5)
    barrier = threading.Barrier(20)

    def call(_):
        barrier.wait()
        return requests.get(f"{live_server.url}{ME_URL}", headers={"X-API-Key": raw}, timeout=30)

    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(call, range(20)))

    codes = sorted(r.status_code for r in responses)
    assert codes == [200] * 5 + [429] * 15
    assert all("X-RateLimit-Limit" in r.headers for r in responses)


def _hit_many(args):
    key, count = args
    allowed = 0
    for _ in range(count):
        if ratelimit.window_hit(key=key, limit=50, window=3600, now=IN_A_WINDOW_UNIX).allowed:
            allowed += 1
    return allowed


@pytest.mark.django_db
def test_limit_holds_across_several_processes():
    """Four OS processes (like four gunicorn workers) share one Redis counter: of 200 hits
    against a limit of 50, exactly 50 are allowed."""
    from django.conf import settings

    if not settings.CACHES["default"]["BACKEND"].startswith("django_redis."):
        pytest.skip("needs REDIS_URL (make test sets it)")
    key = f"test-processes-{time.time_ns()}"
    with multiprocessing.get_context("fork").Pool(4) as pool:
        allowed = pool.map(_hit_many, [(key, 50)] * 4)

    assert sum(allowed) == 50


def test_embedded_default_counts_in_process_without_redis(settings):
    """No REDIS_URL (the single-machine default): the in-process cache counts, and threads
    of one process never exceed the limit either."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "ratelimit-test",
        }
    }
    key = f"locmem-{time.time_ns()}"
    barrier = threading.Barrier(16)

    def hit(_):
        barrier.wait()
        return ratelimit.window_hit(key=key, limit=10, window=3600, now=IN_A_WINDOW_UNIX).allowed

    with ThreadPoolExecutor(max_workers=16) as pool:
        allowed = list(pool.map(hit, range(16)))

    assert allowed.count(True) == 10
    usage = ratelimit.window_hit(key=key, limit=10, window=3600, now=IN_A_WINDOW_UNIX)
    assert (usage.count, usage.remaining, usage.allowed) == (17, 0, False)


@pytest.mark.django_db
def test_the_auth_class_sets_the_owner_as_user_and_the_key_as_auth(user, rf):
    from rest_framework.request import Request

    from veza.api.authentication import ApiKeyAuthentication

    key, raw = make_key(user)
    request = Request(rf.get(ME_URL, HTTP_X_API_KEY=raw))

    authenticated_user, auth = ApiKeyAuthentication().authenticate(request)

    assert authenticated_user == user
    assert auth == key
    assert ApiKeyAuthentication().authenticate(Request(rf.get(ME_URL))) is None
