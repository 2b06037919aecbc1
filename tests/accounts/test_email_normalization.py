"""One identity per normalised address (veza.normalization.email_normalize).

``alice@red.te\u017ft`` (long s) normalises to ``alice@red.test``: the same account, one
login-failure bucket. ``al\u0131ce@red.test`` (dotless i) is another address: it never reaches
alice's account, although PostgreSQL's case-insensitive comparison used to say it did.
"""

import importlib
import re

import pytest
import responses
from django.apps import apps
from django.core import mail
from freezegun import freeze_time
from rest_framework.test import APIClient

from apps.accounts.models import AuditLog, OAuthAccount, User
from tests.accounts.factories import PASSWORD, UserFactory
from tests.accounts.test_oauth import CALLBACK, fake_provider, fragment, start
from tests.helpers import assert_error
from veza.normalization import email_normalize

ALICE = "alice@red.test"
LONG_S = "alice@red.te\u017ft"  # the same address
DOTLESS_I = "al\u0131ce@red.test"  # another address
LOGIN = "/api/v1/auth/login"


@pytest.fixture
def alice(db):
    return UserFactory(email=ALICE, is_verified=True)


def test_the_rule_folds_case_and_compatibility_forms_but_keeps_the_dotless_i():
    assert email_normalize(" ALICE@Red.Test ") == ALICE
    assert email_normalize(LONG_S) == ALICE
    assert email_normalize("alice@\uff52ed.test") == ALICE  # fullwidth r
    assert email_normalize(DOTLESS_I) == DOTLESS_I
    assert email_normalize(DOTLESS_I) != ALICE


@pytest.mark.django_db
def test_the_normalised_address_is_stored_and_unique(alice):
    assert alice.email_normalized == ALICE
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(email=LONG_S)
    dotless = UserFactory(email=DOTLESS_I)
    assert dotless.email_normalized == DOTLESS_I


@pytest.mark.django_db
@freeze_time("2026-06-01 10:20:00")
def test_long_s_failures_count_against_alices_bucket_and_lock_her_login(alice):
    for n in range(10):
        response = APIClient(REMOTE_ADDR=f"198.51.100.{n}").post(
            LOGIN, {"email": LONG_S, "password": "guess"}, format="json"
        )
        assert_error(response, 401, "INVALID_CREDENTIALS")

    locked = APIClient(REMOTE_ADDR="198.51.100.99").post(
        LOGIN, {"email": ALICE, "password": PASSWORD}, format="json"
    )

    assert_error(locked, 429, "RATE_LIMITED")
    assert int(locked["Retry-After"]) >= 1


@pytest.mark.django_db
@freeze_time("2026-06-01 10:20:00")
def test_long_s_logs_into_alices_account_with_her_password(alice):
    response = APIClient().post(LOGIN, {"email": LONG_S, "password": PASSWORD}, format="json")

    assert response.status_code == 200
    assert response.json()["user"]["id"] == str(alice.pk)


@pytest.mark.django_db
@freeze_time("2026-06-01 10:20:00")
def test_dotless_i_never_reaches_alices_account(alice):
    with_her_password = APIClient(REMOTE_ADDR="198.51.100.1").post(
        LOGIN, {"email": DOTLESS_I, "password": PASSWORD}, format="json"
    )

    assert_error(with_her_password, 401, "INVALID_CREDENTIALS")
    alice.refresh_from_db()
    assert alice.last_login is None


@pytest.mark.django_db
def test_registration_treats_long_s_as_taken_and_dotless_i_as_a_new_address(
    alice, django_capture_on_commit_callbacks
):
    body = {"username": "squatter", "password": "Zx9!long-pass"}
    with django_capture_on_commit_callbacks(execute=True):
        same = APIClient().post("/api/v1/auth/register", {**body, "email": LONG_S}, format="json")
    assert same.status_code == 201  # indistinguishable from a free address: no enumeration
    assert User.objects.count() == 1
    assert [m.to for m in mail.outbox] == [[ALICE]]  # "someone tried to register"

    with django_capture_on_commit_callbacks(execute=True):
        other = APIClient().post(
            "/api/v1/auth/register", {**body, "email": DOTLESS_I}, format="json"
        )

    assert other.status_code == 201
    created = User.objects.get(pk=other.json()["id"])
    assert (created.email, created.email_normalized) == (DOTLESS_I, DOTLESS_I)
    assert created.pk != alice.pk
    assert mail.outbox[-1].to == [DOTLESS_I]


@pytest.mark.django_db
@pytest.mark.parametrize(("typed", "reaches_alice"), [(LONG_S, True), (DOTLESS_I, False)])
def test_password_reset_reaches_alice_only_through_her_own_address(
    alice, django_capture_on_commit_callbacks, typed, reaches_alice
):
    with django_capture_on_commit_callbacks(execute=True):
        response = APIClient().post("/api/v1/auth/password-reset", {"email": typed}, format="json")

    assert response.status_code == 202
    if reaches_alice:
        assert [m.to for m in mail.outbox] == [[ALICE]]  # her stored address, not the variant
        assert re.search(r"/reset-password\?token=\S+", mail.outbox[0].body)
    else:
        assert mail.outbox == []


@pytest.mark.django_db
def test_resend_for_the_dotless_i_variant_sends_nothing_to_alice(
    django_capture_on_commit_callbacks,
):
    UserFactory(email=ALICE, is_verified=False)

    with django_capture_on_commit_callbacks(execute=True):
        APIClient().post("/api/v1/auth/verify-email/resend", {"email": DOTLESS_I}, format="json")
        APIClient().post("/api/v1/auth/verify-email/resend", {"email": LONG_S}, format="json")

    assert [m.to for m in mail.outbox] == [[ALICE]]


@pytest.fixture
def _providers(settings):
    from tests.accounts.test_oauth import PROVIDERS

    settings.OAUTH_PROVIDERS = PROVIDERS
    settings.OAUTH_ALLOWED_REDIRECT_DOMAINS = ["localhost"]


@pytest.mark.django_db
@pytest.mark.usefixtures("_providers")
def test_a_provider_identity_with_the_dotless_i_address_is_not_linked_to_alice(alice):
    client = APIClient()
    _, query = start(client)

    with responses.RequestsMock() as mock:
        fake_provider(mock, sub="idp-dotless", email=DOTLESS_I)
        response = client.get(CALLBACK.format("fakeidp"), {"code": "a", "state": query["state"]})

    assert "access" in fragment(response)
    account = OAuthAccount.objects.get(provider_user_id="idp-dotless")
    assert account.user_id != alice.pk
    assert account.user.email_normalized == DOTLESS_I
    assert not OAuthAccount.objects.filter(user=alice).exists()
    assert not AuditLog.objects.filter(action="user.oauth_link").exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("_providers")
def test_a_provider_identity_with_the_long_s_address_is_alices_identity(alice):
    client = APIClient()
    _, query = start(client)

    with responses.RequestsMock() as mock:
        fake_provider(mock, sub="idp-long-s", email=LONG_S)
        response = client.get(CALLBACK.format("fakeidp"), {"code": "a", "state": query["state"]})

    assert "access" in fragment(response)
    assert OAuthAccount.objects.get(provider_user_id="idp-long-s").user_id == alice.pk
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_the_admin_refuses_a_second_account_for_the_same_identity(client, staff_user, alice):
    client.force_login(staff_user)
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "email": LONG_S,
            "username": "second",
            "password1": "Zx9!long-pass",
            "password2": "Zx9!long-pass",
            "usable_password": "true",
        },
    )

    assert response.status_code == 200
    assert "An account with this email address already exists." in response.content.decode()
    assert User.objects.filter(username="second").count() == 0


@pytest.mark.django_db
def test_the_data_migration_fills_the_column_and_quarantines_collisions():
    fill = importlib.import_module("apps.accounts.migrations.0004_fill_email_normalized").fill
    keeper = UserFactory(email=ALICE, is_verified=True)
    twin = UserFactory(email="twin@red.test", is_verified=False)
    plain = UserFactory(email="Bob@Example.com")
    # Rows as the old schema allowed them: the twin's address collides under the rule.
    User.objects.filter(pk=twin.pk).update(email=LONG_S)
    for row, value in ((keeper, "x1"), (twin, "x2"), (plain, "x3")):
        User.objects.filter(pk=row.pk).update(email_normalized=value)

    fill(apps, None)

    assert dict(User.objects.values_list("pk", "email_normalized")) == {
        keeper.pk: ALICE,
        twin.pk: f"collision:{twin.pk}",
        plain.pk: "bob@example.com",
    }
    entry = AuditLog.objects.get(action="user.email_collision")
    assert entry.target_id == str(twin.pk)
    assert entry.metadata == {"normalized": ALICE, "kept_account": str(keeper.pk)}


LIGATURE_DOMAIN = (
    "a@" + ".".join(["\ufb03" * 60] * 4) + ".test"
)  # 250 characters, 730 once normalised


@pytest.mark.django_db
def test_an_address_too_long_once_normalised_is_a_validation_error_not_a_500(api_client):
    response = api_client.post(
        "/api/v1/auth/register",
        {"email": LIGATURE_DOMAIN, "username": "liga", "password": "Zx9!long-pass"},
        format="json",
    )

    assert_error(
        response, 400, "VALIDATION_ERROR", details={"email": ["Enter a valid email address."]}
    )
    assert not User.objects.exists()
    login = api_client.post(
        LOGIN, {"email": LIGATURE_DOMAIN, "password": "Zx9!long-pass"}, format="json"
    )
    assert_error(login, 401, "INVALID_CREDENTIALS")
