"""A bearer token is verified once per process for the same bytes; its expiry, its user and
its session version are still judged on every request, and a refused token is never kept."""

from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.accounts.services.sessions import session_tokens_issue
from tests.accounts.factories import UserFactory
from tests.helpers import assert_error
from veza.api.authentication import _token_verified

pytestmark = pytest.mark.django_db


def _client(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_the_same_token_is_verified_once_and_answered_the_same():
    user = UserFactory()
    client = _client(str(session_tokens_issue(user=user, otp_verified=False).access_token))
    _token_verified.cache_clear()

    first = client.get("/api/v1/users/me")
    second = client.get("/api/v1/users/me")

    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    info = _token_verified.cache_info()
    assert (info.misses, info.hits) == (1, 1)


def test_a_verified_token_is_refused_once_it_expires():
    user = UserFactory()
    issued = timezone.now()
    with freeze_time(issued):
        client = _client(str(session_tokens_issue(user=user, otp_verified=False).access_token))
        assert client.get("/api/v1/users/me").status_code == 200

    with freeze_time(issued + timedelta(minutes=16)):  # access tokens live 15 minutes
        assert_error(client.get("/api/v1/users/me"), 401, "INVALID_TOKEN")


def test_a_kept_token_still_loses_to_a_newer_session_version():
    user = UserFactory()
    client = _client(str(session_tokens_issue(user=user, otp_verified=False).access_token))
    assert client.get("/api/v1/users/me").status_code == 200
    User.objects.filter(pk=user.pk).update(session_version=user.session_version + 1)

    assert_error(client.get("/api/v1/users/me"), 401, "INVALID_TOKEN")


def test_a_tampered_token_is_refused_and_not_kept():
    user = UserFactory()
    token = str(session_tokens_issue(user=user, otp_verified=False).access_token)
    header, payload, signature = token.split(".")
    tampered = f"{header}.{payload}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    _token_verified.cache_clear()

    assert_error(_client(tampered).get("/api/v1/users/me"), 401, "INVALID_TOKEN")
    assert_error(_client(tampered).get("/api/v1/users/me"), 401, "INVALID_TOKEN")

    assert _token_verified.cache_info().currsize == 0
