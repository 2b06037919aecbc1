"""Bad input gets a 4xx in the contract's envelope and writes nothing."""

import pytest

from apps.accounts.models import AuditLog, User
from tests.accounts.factories import UserFactory
from tests.helpers import assert_error

REGISTER = "/api/v1/auth/register"
GOOD = {"email": "ok@example.com", "username": "okname", "password": "a-Long-pass-phrase-42"}


@pytest.mark.django_db
def test_malformed_json_is_a_validation_error(api_client):
    response = api_client.post(REGISTER, data='{"email": ', content_type="application/json")

    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert "body" in error["details"]
    assert User.objects.count() == 0


@pytest.mark.django_db
def test_missing_fields_are_listed(api_client):
    response = api_client.post(REGISTER, {}, format="json")

    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert set(error["details"]) == {"email", "username", "password"}
    assert User.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", 12),
        ("email", ["a@b.c"]),
        ("username", {"nested": True}),
        ("password", None),
        ("email", "not-an-email"),
        ("username", "has spaces"),
    ],
)
def test_wrong_types_are_validation_errors(api_client, field, value):
    response = api_client.post(REGISTER, {**GOOD, field: value}, format="json")

    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert field in error["details"]
    assert User.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["email", "username", "password"])
def test_huge_strings_are_refused(api_client, field):
    response = api_client.post(REGISTER, {**GOOD, field: "a" * 100_000}, format="json")

    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert field in error["details"]
    assert User.objects.count() == 0


@pytest.mark.django_db
def test_body_over_the_upload_limit_is_refused_as_too_large(api_client):
    """3 MB is over ``DATA_UPLOAD_MAX_MEMORY_SIZE``: refused before the JSON is parsed."""
    response = api_client.post(
        REGISTER, data='{"email": "' + "a" * 3_000_000 + '"}', content_type="application/json"
    )

    assert_error(response, 413, "PAYLOAD_TOO_LARGE", details={})
    assert User.objects.count() == 0


@pytest.mark.django_db
def test_duplicate_email_in_other_casing_creates_nothing_and_does_not_say_so(api_client):
    """No account enumeration: the same 201 as a free address (test_register_enumeration)."""
    UserFactory(email="taken@example.com", username="first")

    response = api_client.post(REGISTER, {**GOOD, "email": "TAKEN@Example.COM"}, format="json")

    assert response.status_code == 201
    assert User.objects.count() == 1
    assert not AuditLog.objects.filter(action="user.register").exists()
    assert AuditLog.objects.filter(action="user.register_email_taken").count() == 1


@pytest.mark.django_db
def test_weak_password_is_refused_with_validator_messages(api_client):
    response = api_client.post(REGISTER, {**GOOD, "password": "password"}, format="json")

    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert error["details"]["password"]
    assert User.objects.count() == 0


@pytest.mark.django_db
def test_form_encoded_body_is_unsupported_media_type(api_client):
    response = api_client.post(REGISTER, GOOD)  # multipart, not JSON

    assert_error(response, 415, "UNSUPPORTED_MEDIA_TYPE")
    assert User.objects.count() == 0


@pytest.mark.django_db
def test_bad_country_code_is_refused(user, user_client):
    response = user_client.patch("/api/v1/users/me", {"profile": {"country": "XX"}}, format="json")

    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert "profile.country" in error["details"]
