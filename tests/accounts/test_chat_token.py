"""POST /api/v1/chat/token: a short-lived JWT signed with CHAT_JWT_SECRET, never with the
API's key (shared/API.md, Messages; changelog VEZA-SEC-010)."""

from datetime import timedelta

import jwt
import pytest
from django.conf import settings
from django.utils import timezone
from freezegun import freeze_time
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from apps.accounts.services.chat import chat_token_decode
from tests.helpers import assert_error

URL = "/api/v1/chat/token"


@pytest.mark.django_db
def test_chat_token_is_short_lived_and_names_the_caller(user, user_client):
    now = timezone.now().replace(microsecond=0)
    with freeze_time(now):
        response = user_client.post(URL)

        assert response.status_code == 200
        body = response.json()
        claims = chat_token_decode(body["token"])
    assert claims["sub"] == str(user.pk)
    assert claims["username"] == user.username
    assert claims["exp"] - claims["iat"] == 300
    assert body["expires_at"] == (now + timedelta(minutes=5)).isoformat().replace("+00:00", "Z")


@pytest.mark.django_db
def test_chat_token_does_not_verify_with_the_api_key_and_api_tokens_not_with_the_chat_secret(
    user, user_client
):
    chat = user_client.post(URL).json()["token"]
    access = str(RefreshToken.for_user(user).access_token)
    assert settings.CHAT_JWT_SECRET != settings.SIMPLE_JWT["SIGNING_KEY"]

    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(
            chat, settings.SIMPLE_JWT["SIGNING_KEY"], algorithms=["HS256"], audience="veza-chat"
        )
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(access, settings.CHAT_JWT_SECRET, algorithms=["HS256"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {chat}")
    refused = client.get("/api/v1/users/me")
    assert_error(refused, 401, "INVALID_TOKEN")


@pytest.mark.django_db
def test_expired_chat_token_is_refused_by_the_chat_server(user_client):
    token = user_client.post(URL).json()["token"]

    with (
        freeze_time(timezone.now() + timedelta(minutes=6)),
        pytest.raises(jwt.ExpiredSignatureError),
    ):
        chat_token_decode(token)


@pytest.mark.django_db
def test_chat_token_needs_a_login(api_client):
    response = api_client.post(URL)

    assert_error(response, 401, "AUTHENTICATION_REQUIRED")
