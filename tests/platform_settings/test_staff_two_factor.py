"""Staff operations over the API need a login that passed 2FA, like the admin site, so a
stolen staff password alone reaches nothing; the rule is ``STAFF_API_REQUIRE_OTP`` (on in
production and in this suite)."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from apps.accounts.models import AuditLog
from apps.accounts.services import api_key_create
from apps.platform_settings.models import PlatformSetting
from tests.accounts.factories import PASSWORD, UserFactory
from tests.accounts.test_two_factor import code_for
from tests.conftest import bearer_client, staff_bearer_client
from tests.helpers import assert_error
from veza.audit import RequestMeta

URL = "/api/v1/admin/maintenance"


def maintenance_on() -> bool:
    return PlatformSetting.objects.get(key="maintenance_mode").value_bool


def assert_two_factor_required(response):
    error = assert_error(response, 403, "TWO_FACTOR_LOGIN_REQUIRED")
    assert "two-factor" in error["message"]


def login(email, **extra):
    response = APIClient().post(
        "/api/v1/auth/login", {"email": email, "password": PASSWORD, **extra}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def bearer(access) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


@pytest.mark.django_db
def test_a_password_only_staff_login_cannot_read_or_flip_maintenance(seeded, staff_user):
    client = bearer(login(staff_user.email)["access"])

    flip = client.put(URL, {"enabled": True}, format="json")
    read = client.get(URL)

    assert_two_factor_required(flip)
    assert_two_factor_required(read)
    assert maintenance_on() is False
    assert not AuditLog.objects.filter(action="platform.maintenance_on").exists()


@pytest.mark.django_db
def test_a_staff_login_with_a_one_time_code_may_flip_and_keeps_it_through_refresh(
    seeded, staff_user
):
    device = TOTPDevice.objects.create(user=staff_user, name="phone", confirmed=True)
    tokens = login(staff_user.email, otp_code=code_for(device))

    flip = bearer(tokens["access"]).put(URL, {"enabled": True}, format="json")
    rotated = APIClient().post(
        "/api/v1/auth/token/refresh", {"refresh": tokens["refresh"]}, format="json"
    )
    off = bearer(rotated.json()["access"]).put(URL, {"enabled": False}, format="json")

    assert flip.status_code == 200
    assert rotated.status_code == 200
    assert off.status_code == 200
    assert maintenance_on() is False
    assert AuditLog.objects.filter(action="platform.maintenance_on").count() == 1


@pytest.mark.django_db
def test_a_staff_members_admin_scope_api_key_is_not_a_2fa_login(seeded, staff_user):
    _, raw = api_key_create(user=staff_user, name="ops", scopes=["admin"], meta=RequestMeta())
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=raw)

    assert_two_factor_required(client.put(URL, {"enabled": True}, format="json"))
    assert maintenance_on() is False


@pytest.mark.django_db
def test_an_otp_verified_admin_session_may_use_staff_apis(seeded, staff_user, client):
    from django_otp import DEVICE_ID_SESSION_KEY

    device = TOTPDevice.objects.create(user=staff_user, name="phone", confirmed=True)
    client.force_login(staff_user)
    password_only = client.put(URL, {"enabled": True}, content_type="application/json")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()

    with_code = client.put(URL, {"enabled": True}, content_type="application/json")

    assert_two_factor_required(password_only)
    assert with_code.status_code == 200
    assert maintenance_on() is True


@pytest.mark.django_db
def test_non_staff_with_a_2fa_login_are_still_refused(seeded):
    response = staff_bearer_client(UserFactory(verified=True)).put(
        URL, {"enabled": True}, format="json"
    )

    assert_error(response, 403, "PERMISSION_DENIED")


@pytest.mark.django_db
def test_with_the_rule_off_a_password_login_is_enough(seeded, staff_user, settings):
    settings.STAFF_API_REQUIRE_OTP = False

    response = bearer_client(staff_user).put(URL, {"enabled": True}, format="json")

    assert response.status_code == 200


@pytest.mark.django_db
def test_the_schema_documents_the_two_factor_refusal(api_client):
    schema = api_client.get("/api/schema/?format=json").json()

    put = schema["paths"]["/api/v1/admin/maintenance"]["put"]
    assert "TWO_FACTOR_LOGIN_REQUIRED" in put["responses"]["403"]["description"]
