"""Caps on what one caller can pile up, so no one fills the database: live API keys per account
(race-safe), OAuth sign-in starts per IP, and expired OAuth states pruned by a beat task."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests
from django.conf import settings as django_settings
from django.utils import timezone
from freezegun import freeze_time
from rest_framework.test import APIClient

from apps.accounts.models import ApiKey, OAuthState
from apps.accounts.services import api_key_create
from apps.accounts.tasks import oauth_states_prune_task
from tests.accounts.factories import UserFactory
from tests.conftest import bearer_client
from tests.helpers import assert_error
from veza.audit import RequestMeta

KEYS = "/api/v1/developer/api-keys"


def create(client, name="k"):
    return client.post(KEYS, {"name": name, "scopes": ["read"]}, format="json")


@pytest.mark.django_db
def test_an_account_holds_at_most_the_configured_number_of_live_keys(settings):
    settings.API_KEYS_MAX_PER_USER = 3
    user = UserFactory(verified=True)
    client = bearer_client(user)
    first, *_ = [create(client, f"k{n}") for n in range(3)]

    refused = create(client, "one-too-many")

    error = assert_error(refused, 409, "API_KEY_LIMIT_REACHED", details={"limit": 3})
    assert error["message"] == (
        "You have the maximum number of active API keys. Revoke one to create another."
    )
    assert ApiKey.objects.filter(user=user).count() == 3
    assert client.delete(f"{KEYS}/{first.json()['id']}").status_code == 204
    assert create(client, "after-revoke").status_code == 201
    oldest_live = ApiKey.objects.filter(user=user, revoked_at__isnull=True).earliest("created_at")
    ApiKey.objects.filter(pk=oldest_live.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert create(client, "after-expiry").status_code == 201  # expired keys do not count
    assert_error(create(client, "full-again"), 409, "API_KEY_LIMIT_REACHED")


def test_the_default_cap_is_ten():
    assert django_settings.API_KEYS_MAX_PER_USER == 10


@pytest.mark.django_db(transaction=True)
def test_parallel_creations_never_pass_the_cap(live_server):
    """Ten simultaneous creations for an account holding seven keys: exactly three succeed."""
    user = UserFactory(verified=True)
    for n in range(7):
        api_key_create(user=user, name=f"old{n}", scopes=["read"], meta=RequestMeta())
    auth = bearer_client(user)._credentials["HTTP_AUTHORIZATION"]
    barrier = threading.Barrier(10)

    def call(n):
        barrier.wait()
        return requests.post(
            f"{live_server.url}{KEYS}",
            json={"name": f"new{n}", "scopes": ["read"]},
            headers={"Authorization": auth},
            timeout=30,
        )

    with ThreadPoolExecutor(max_workers=10) as pool:
        responses = list(pool.map(call, range(10)))

    assert sorted(r.status_code for r in responses) == [201] * 3 + [409] * 7
    assert ApiKey.objects.filter(user=user, revoked_at__isnull=True).count() == 10


@pytest.mark.django_db
@freeze_time("2026-06-01 10:20:00")
def test_oauth_start_is_limited_per_ip(settings):
    settings.OAUTH_PROVIDERS = {
        "fakeidp": {
            "client_id": "c",
            "authorize_url": "https://idp.test/authorize",
            "token_url": "https://idp.test/token",
            "userinfo_url": "https://idp.test/userinfo",
        }
    }
    url = "/api/v1/auth/oauth/fakeidp/start"
    params = {"redirect_uri": "http://localhost:3000/done"}
    client = APIClient(REMOTE_ADDR="203.0.113.20")
    statuses = [client.get(url, params).status_code for _ in range(30)]

    refused = client.get(url, params)

    assert statuses == [302] * 30
    assert_error(refused, 429, "RATE_LIMITED")
    assert int(refused["Retry-After"]) >= 1
    assert OAuthState.objects.count() == 30
    other = APIClient(REMOTE_ADDR="203.0.113.21").get(url, params)
    assert other.status_code == 302


@pytest.mark.django_db
def test_the_beat_task_deletes_expired_oauth_states_only():
    now = timezone.now()
    for n, expires in enumerate((now - timedelta(hours=2), now - timedelta(seconds=1))):
        OAuthState.objects.create(
            state=f"old{n}", provider="x", code_verifier="v", redirect_uri="r", expires_at=expires
        )
    live = OAuthState.objects.create(
        state="live",
        provider="x",
        code_verifier="v",
        redirect_uri="r",
        expires_at=now + timedelta(minutes=5),
    )

    assert oauth_states_prune_task.delay().get() == 2
    assert list(OAuthState.objects.all()) == [live]
    assert "accounts-oauth-states-prune" in django_settings.CELERY_BEAT_SCHEDULE


@pytest.mark.django_db
def test_the_schema_documents_the_key_cap_and_the_start_limit(api_client):
    schema = api_client.get("/api/schema/?format=json").json()

    create_op = schema["paths"][KEYS]["post"]
    start_op = schema["paths"]["/api/v1/auth/oauth/{provider}/start"]["get"]
    assert "API_KEY_LIMIT_REACHED" in create_op["responses"]["409"]["description"]
    assert "429" in start_op["responses"]
