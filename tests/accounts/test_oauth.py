"""OAuth sign-in with PKCE against a local fake provider (its HTTP is mocked with `responses`:
nothing leaves the machine).

Contract: shared/API.md "Accounts and authentication" (/auth/oauth/*); changelog: PKCE (S256),
AES-256-GCM provider tokens, OAUTH_ALLOWED_REDIRECT_DOMAINS, encrypt_oauth_tokens.
"""

import base64
import hashlib
from datetime import timedelta
from io import StringIO
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from django.core.management import call_command
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time
from rest_framework.test import APIClient

from apps.accounts.models import AuditLog, OAuthAccount, OAuthState, User
from apps.accounts.services.oauth import ACCESS_PURPOSE, REFRESH_PURPOSE, oauth_account_tokens
from tests.accounts.factories import UserFactory
from tests.conftest import bearer_client
from tests.helpers import assert_error
from veza import crypto

IDP = "https://idp.test"
APP = "http://localhost:3000/oauth/done"
START = "/api/v1/auth/oauth/{}/start"
CALLBACK = "/api/v1/auth/oauth/{}/callback"

PROVIDERS = {
    "fakeidp": {
        "kind": "oidc",
        "client_id": "veza-client",
        "client_secret": "veza-secret",
        "authorize_url": f"{IDP}/authorize",
        "token_url": f"{IDP}/token",
        "userinfo_url": f"{IDP}/userinfo",
        "scope": "openid email profile",
    },
    "github": {"client_id": "gh-client", "client_secret": "gh-secret"},
}


@pytest.fixture(autouse=True)
def _providers(settings):
    settings.OAUTH_PROVIDERS = PROVIDERS
    settings.OAUTH_ALLOWED_REDIRECT_DOMAINS = ["localhost", "app.veza.example"]


def start(client, provider="fakeidp", redirect_uri=APP):
    response = client.get(START.format(provider), {"redirect_uri": redirect_uri})
    assert response.status_code == 302, response.content
    query = parse_qs(urlsplit(response["Location"]).query)
    return response, {key: values[0] for key, values in query.items()}


def fragment(response) -> dict:
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(APP + "#")
    return {key: values[0] for key, values in parse_qs(urlsplit(location).fragment).items()}


def fake_provider(mock, *, sub="idp-123", email="ana@example.com", verified=True, refresh="r-1"):
    mock.post(
        f"{IDP}/token",
        json={
            "access_token": "provider-access-1",
            "refresh_token": refresh,
            "token_type": "Bearer",
            "expires_in": 3600,
        },
    )
    mock.get(
        f"{IDP}/userinfo",
        json={"sub": sub, "email": email, "email_verified": verified, "preferred_username": "ana"},
    )


@pytest.mark.django_db
def test_start_redirects_with_state_and_a_pkce_s256_challenge():
    response, query = start(APIClient())

    assert response["Location"].startswith(f"{IDP}/authorize?")
    stored = OAuthState.objects.get()
    assert query["state"] == stored.state
    assert query["client_id"] == "veza-client"
    assert query["response_type"] == "code"
    assert query["code_challenge_method"] == "S256"
    expected = (
        base64.urlsafe_b64encode(hashlib.sha256(stored.code_verifier.encode()).digest())
        .decode()
        .rstrip("=")
    )
    assert query["code_challenge"] == expected
    assert query["redirect_uri"] == "http://testserver/api/v1/auth/oauth/fakeidp/callback"
    assert stored.redirect_uri == APP
    assert 43 <= len(stored.code_verifier) <= 128
    assert stored.expires_at - stored.created_at == timedelta(minutes=10)
    assert stored.used_at is None


BAD_REDIRECTS = [
    "https://evil.com@localhost/x",
    "https://localhost@evil.com/x",
    "https://localhost.evil.com/x",
    "https://evil.com/?next=https://localhost/",
    "//evil.com/x",
    "javascript:alert(1)",
    "JAVASCRIPT://localhost/%0aalert(1)",
    "data:text/html,hi",
    "http://app.veza.example/x",  # plain http off localhost
    "https://app.veza.example\\@evil.com/",
    "https://app.veza.example/x#frag",
    "ftp://localhost/x",
    "/relative/path",
    "",
    "https://sub.app.veza.example/x",
    "https://app.veza.example.evil.com/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("redirect_uri", BAD_REDIRECTS)
def test_redirect_outside_the_allowed_domains_is_refused(redirect_uri):
    response = APIClient().get(START.format("fakeidp"), {"redirect_uri": redirect_uri})

    if redirect_uri == "":  # refused by the input serializer before the allow-list is asked
        assert_error(
            response,
            400,
            "VALIDATION_ERROR",
            details={"redirect_uri": ["This field may not be blank."]},
        )
    else:
        assert_error(response, 400, "INVALID_REDIRECT")
    assert not OAuthState.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "redirect_uri",
    ["https://app.veza.example/oauth?x=1", "http://localhost:3000/cb", "https://APP.veza.example/"],
)
def test_allowed_redirects_are_accepted(redirect_uri):
    start(APIClient(), redirect_uri=redirect_uri)

    assert OAuthState.objects.get().redirect_uri == redirect_uri


@pytest.mark.django_db
def test_unknown_provider_is_not_found():
    response = APIClient().get(START.format("myspace"), {"redirect_uri": APP})

    assert_error(response, 404, "NOT_FOUND")


@pytest.mark.django_db
def test_callback_exchanges_the_code_with_the_verifier_and_creates_a_verified_account():
    client = APIClient()
    _, query = start(client)
    verifier = OAuthState.objects.get().code_verifier

    with responses.RequestsMock() as mock:
        fake_provider(mock)
        response = client.get(CALLBACK.format("fakeidp"), {"code": "abc", "state": query["state"]})
        token_body = parse_qs(mock.calls[0].request.body)

    assert token_body["code"] == ["abc"]
    assert token_body["code_verifier"] == [verifier]
    assert token_body["grant_type"] == ["authorization_code"]
    tokens = fragment(response)
    assert tokens["token_type"] == "Bearer"
    user = User.objects.get(email="ana@example.com")
    assert user.is_verified is True
    assert user.has_usable_password() is False
    me = APIClient()
    me.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert me.get("/api/v1/users/me").json()["id"] == str(user.pk)
    account = OAuthAccount.objects.get(user=user)
    assert (account.provider, account.provider_user_id) == ("fakeidp", "idp-123")
    assert account.access_token.startswith("aesgcm1:")
    assert "provider-access-1" not in account.access_token
    assert oauth_account_tokens(account=account) == ("provider-access-1", "r-1")
    assert AuditLog.objects.filter(action="user.oauth_register", actor=user).count() == 1
    assert OAuthState.objects.get().used_at is not None


@pytest.mark.django_db
def test_a_state_works_once():
    client = APIClient()
    _, query = start(client)
    with responses.RequestsMock() as mock:
        fake_provider(mock)
        assert client.get(CALLBACK.format("fakeidp"), {"code": "a", "state": query["state"]})[
            "Location"
        ].startswith(APP + "#access=")

    replay = client.get(CALLBACK.format("fakeidp"), {"code": "a", "state": query["state"]})

    assert_error(replay, 400, "INVALID_STATE")
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_unknown_expired_or_other_provider_states_are_invalid():
    client = APIClient()
    _, query = start(client)

    unknown = client.get(CALLBACK.format("fakeidp"), {"code": "a", "state": "nope"})
    other_provider = client.get(CALLBACK.format("github"), {"code": "a", "state": query["state"]})
    with freeze_time(timezone.now() + timedelta(minutes=11)):
        expired = client.get(CALLBACK.format("fakeidp"), {"code": "a", "state": query["state"]})

    for response in (unknown, other_provider, expired):
        assert_error(response, 400, "INVALID_STATE")
    assert OAuthState.objects.get().used_at is None
    assert not User.objects.exists()


@pytest.mark.django_db
def test_existing_verified_account_is_linked_through_a_verified_email():
    existing = UserFactory(email="ana@example.com", is_verified=True)
    client = APIClient()
    _, query = start(client)

    with responses.RequestsMock() as mock:
        fake_provider(mock)
        response = client.get(CALLBACK.format("fakeidp"), {"code": "a", "state": query["state"]})

    assert "access" in fragment(response)
    assert User.objects.count() == 1
    assert OAuthAccount.objects.get().user == existing
    assert AuditLog.objects.filter(action="user.oauth_link", actor=existing).count() == 1


@pytest.mark.django_db
def test_an_unverified_provider_email_neither_links_nor_creates():
    existing = UserFactory(email="ana@example.com", is_verified=True)
    client = APIClient()
    _, query = start(client)

    with responses.RequestsMock() as mock:
        fake_provider(mock, verified=False)
        response = client.get(CALLBACK.format("fakeidp"), {"code": "a", "state": query["state"]})

    assert fragment(response) == {"error": "EMAIL_NOT_VERIFIED"}
    assert not OAuthAccount.objects.exists()
    assert list(User.objects.all()) == [existing]


@pytest.mark.django_db
def test_an_unverified_local_account_is_not_taken_over_by_linking():
    """Someone registered the address without owning it: the provider must not hand them the
    real owner's sign-in (pre-account-takeover)."""
    squatter = UserFactory(email="ana@example.com", is_verified=False)
    client = APIClient()
    _, query = start(client)

    with responses.RequestsMock() as mock:
        fake_provider(mock)
        response = client.get(CALLBACK.format("fakeidp"), {"code": "a", "state": query["state"]})

    assert fragment(response) == {"error": "EMAIL_NOT_VERIFIED"}
    assert not OAuthAccount.objects.exists()
    squatter.refresh_from_db()
    assert squatter.is_verified is False


@pytest.mark.django_db
def test_a_linked_identity_signs_in_its_account_and_refreshes_its_tokens():
    client = APIClient()
    for code in ("first", "second"):
        _, query = start(client)
        with responses.RequestsMock() as mock:
            fake_provider(mock, refresh=f"r-{code}")
            response = client.get(
                CALLBACK.format("fakeidp"), {"code": code, "state": query["state"]}
            )
        assert "access" in fragment(response)

    account = OAuthAccount.objects.get()
    assert oauth_account_tokens(account=account)[1] == "r-second"
    assert User.objects.count() == 1
    assert AuditLog.objects.filter(action="user.oauth_login").count() == 1


@pytest.mark.django_db
def test_a_provider_failure_goes_back_to_the_app_with_an_error():
    client = APIClient()
    _, query = start(client)

    with responses.RequestsMock() as mock:
        mock.post(f"{IDP}/token", json={"error": "invalid_grant"}, status=400)
        response = client.get(CALLBACK.format("fakeidp"), {"code": "a", "state": query["state"]})

    assert fragment(response) == {"error": "OAUTH_PROVIDER_ERROR"}
    assert not User.objects.exists()


@pytest.mark.django_db
def test_the_person_declining_at_the_provider_goes_back_with_access_denied():
    client = APIClient()
    _, query = start(client)

    response = client.get(
        CALLBACK.format("fakeidp"), {"error": "access_denied", "state": query["state"]}
    )

    assert fragment(response) == {"error": "ACCESS_DENIED"}
    assert OAuthState.objects.get().used_at is not None


@pytest.mark.django_db
def test_an_account_with_2fa_cannot_skip_its_second_factor_through_a_provider():
    existing = UserFactory(email="ana@example.com", is_verified=True)
    TOTPDevice.objects.create(user=existing, name="app", confirmed=True)
    client = APIClient()
    _, query = start(client)

    with responses.RequestsMock() as mock:
        fake_provider(mock)
        response = client.get(CALLBACK.format("fakeidp"), {"code": "a", "state": query["state"]})

    assert fragment(response) == {"error": "OTP_REQUIRED"}
    assert not OAuthAccount.objects.exists()
    assert not AuditLog.objects.filter(action__startswith="user.oauth").exists()


@pytest.mark.django_db
def test_github_preset_uses_the_primary_verified_email():
    client = APIClient()
    response, query = start(client, provider="github")
    assert response["Location"].startswith("https://github.com/login/oauth/authorize?")
    assert query["scope"] == "read:user user:email"

    with responses.RequestsMock() as mock:
        mock.post(
            "https://github.com/login/oauth/access_token",
            json={"access_token": "gho_x", "token_type": "bearer", "scope": "read:user"},
        )
        mock.get("https://api.github.com/user", json={"id": 42, "login": "octo", "email": None})
        mock.get(
            "https://api.github.com/user/emails",
            json=[
                {"email": "old@example.com", "primary": False, "verified": True},
                {"email": "octo@example.com", "primary": True, "verified": True},
            ],
        )
        result = client.get(CALLBACK.format("github"), {"code": "a", "state": query["state"]})

    assert "access" in fragment(result)
    user = User.objects.get(email="octo@example.com")
    assert user.username == "octo"
    account = OAuthAccount.objects.get(user=user)
    assert account.provider_user_id == "42"
    assert oauth_account_tokens(account=account) == ("gho_x", "")


# --- Encryption at rest -----------------------------------------------------------------


def test_encryption_uses_a_random_nonce_and_binds_the_purpose():
    first = crypto.encrypt("secret", purpose=ACCESS_PURPOSE)
    second = crypto.encrypt("secret", purpose=ACCESS_PURPOSE)

    assert first != second
    assert crypto.decrypt(first, purpose=ACCESS_PURPOSE) == "secret"
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(first, purpose=REFRESH_PURPOSE)
    tampered = first[:-2] + ("A" if first[-2] != "A" else "B") + first[-1]
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(tampered, purpose=ACCESS_PURPOSE)


@pytest.mark.django_db
def test_encrypt_oauth_tokens_encrypts_plain_rows_and_a_second_run_changes_nothing():
    user = UserFactory(verified=True)
    plain = OAuthAccount.objects.create(
        user=user,
        provider="github",
        provider_user_id="1",
        access_token="gho_plain",
        refresh_token="",
    )
    already = OAuthAccount.objects.create(
        user=UserFactory(),
        provider="github",
        provider_user_id="2",
        access_token=crypto.encrypt("gho_done", purpose=ACCESS_PURPOSE),
    )
    before_already = already.access_token

    out = StringIO()
    call_command("encrypt_oauth_tokens", stdout=out)

    assert out.getvalue().strip() == "encrypted 1, re-encrypted 0, unchanged 3"
    plain.refresh_from_db()
    assert plain.access_token.startswith("aesgcm1:")
    assert oauth_account_tokens(account=plain) == ("gho_plain", "")
    already.refresh_from_db()
    assert already.access_token == before_already
    snapshot = list(
        OAuthAccount.objects.order_by("pk").values_list("access_token", "refresh_token")
    )

    again = StringIO()
    call_command("encrypt_oauth_tokens", stdout=again)

    assert again.getvalue().strip() == "encrypted 0, re-encrypted 0, unchanged 4"
    assert list(
        OAuthAccount.objects.order_by("pk").values_list("access_token", "refresh_token")
    ) == (snapshot)


@pytest.mark.django_db
def test_key_rotation_old_values_still_decrypt_and_the_command_reencrypts_them(settings):
    old_key = settings.FIELD_ENCRYPTION_KEY
    account = OAuthAccount.objects.create(
        user=UserFactory(),
        provider="github",
        provider_user_id="1",
        access_token=crypto.encrypt("gho_old", purpose=ACCESS_PURPOSE),
    )
    settings.FIELD_ENCRYPTION_KEY = base64.b64encode(b"n" * 32).decode()
    settings.FIELD_ENCRYPTION_KEY_FALLBACKS = [old_key]

    assert oauth_account_tokens(account=account) == ("gho_old", "")
    out = StringIO()
    call_command("encrypt_oauth_tokens", stdout=out)

    assert out.getvalue().strip() == "encrypted 0, re-encrypted 1, unchanged 1"
    account.refresh_from_db()
    assert account.access_token.split(":")[1] == crypto.key_id(b"n" * 32)
    settings.FIELD_ENCRYPTION_KEY_FALLBACKS = []
    assert oauth_account_tokens(account=account) == ("gho_old", "")


@pytest.mark.django_db
def test_the_admin_never_shows_provider_tokens(client, staff_user):
    account = OAuthAccount.objects.create(
        user=UserFactory(),
        provider="github",
        provider_user_id="7",
        access_token=crypto.encrypt("gho_visible?", purpose=ACCESS_PURPOSE),
    )
    client.force_login(staff_user)

    listing = client.get("/admin/accounts/oauthaccount/")
    detail = client.get(f"/admin/accounts/oauthaccount/{account.pk}/change/")

    assert listing.status_code == 200
    assert detail.status_code == 200
    for page in (listing, detail):
        html = page.content.decode()
        assert "gho_visible" not in html
        assert "aesgcm1:" not in html


@pytest.mark.django_db
def test_the_tokens_in_the_fragment_belong_to_the_signed_in_person():
    client = APIClient()
    _, query = start(client)
    with responses.RequestsMock() as mock:
        fake_provider(mock)
        tokens = fragment(
            client.get(CALLBACK.format("fakeidp"), {"code": "a", "state": query["state"]})
        )
    user = User.objects.get()

    refreshed = APIClient().post(
        "/api/v1/auth/token/refresh", {"refresh": tokens["refresh"]}, format="json"
    )

    assert refreshed.status_code == 200
    assert bearer_client(user).get("/api/v1/users/me").json()["email"] == "ana@example.com"


@pytest.mark.django_db
def test_a_callback_link_opened_in_another_browser_is_refused():
    """Login CSRF: an attacker's own callback URL sent to a victim must not sign the victim
    into the attacker's account. The state must come back in the cookie set at start."""
    attacker = APIClient()
    _, query = start(attacker)
    victim = APIClient()

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        fake_provider(mock)
        response = victim.get(CALLBACK.format("fakeidp"), {"code": "a", "state": query["state"]})
        assert len(mock.calls) == 0

    assert_error(response, 400, "INVALID_STATE")
    assert OAuthState.objects.get().used_at is None
    assert not User.objects.exists()


@pytest.mark.django_db
def test_the_state_cookie_is_http_only_lax_and_cleared_after_the_callback():
    client = APIClient()
    response, query = start(client)
    cookie = response.cookies["veza_oauth_state"]
    assert cookie.value == query["state"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/api/v1/auth/oauth/"

    with responses.RequestsMock() as mock:
        fake_provider(mock)
        done = client.get(CALLBACK.format("fakeidp"), {"code": "a", "state": query["state"]})

    assert done.cookies["veza_oauth_state"].value == ""
