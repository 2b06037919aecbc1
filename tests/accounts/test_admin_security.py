"""The admin side of account security: OTP-protected admin login, the enrolment command, API
key revocation (audited), backup-code sets."""

from datetime import timedelta
from io import StringIO
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time
from rest_framework.test import APIClient

from apps.accounts.models import ApiKey, AuditLog, BackupCodeDevice
from apps.accounts.services import api_key_create
from tests.accounts.factories import PASSWORD, UserFactory
from tests.helpers import assert_error
from veza.audit import RequestMeta


def current_code(device: TOTPDevice) -> str:
    generator = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    generator.time = timezone.now().timestamp()
    return f"{generator.token():06d}"


@pytest.mark.django_db
def test_with_otp_required_a_password_alone_does_not_open_the_admin(client, settings, staff_user):
    settings.ADMIN_REQUIRE_OTP = True
    client.force_login(staff_user)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    login_page = client.get("/admin/login/")
    assert "otp_token" in login_page.content.decode()


@pytest.mark.django_db
def test_enrolled_staff_logs_into_the_admin_with_password_and_code(client, settings, staff_user):
    settings.ADMIN_REQUIRE_OTP = True
    out = StringIO()
    call_command("admin_otp_enroll", staff_user.email, stdout=out)
    device = TOTPDevice.objects.get(user=staff_user, confirmed=True)
    output = out.getvalue()
    secret = output.split("TOTP secret (base32): ")[1].split()[0]
    otpauth = output.split("otpauth URI: ")[1].split()[0]
    assert parse_qs(urlsplit(otpauth).query)["secret"] == [secret]
    assert len([line for line in output.splitlines() if line.startswith("  ")]) == 10
    assert (
        AuditLog.objects.filter(action="user.2fa_enroll_cli", target_id=str(staff_user.pk)).count()
        == 1
    )

    without_code = client.post(
        "/admin/login/", {"username": staff_user.email, "password": PASSWORD}
    )
    assert without_code.status_code == 200  # form shown again with an error
    assert client.get("/admin/").status_code == 302

    with_code = client.post(
        "/admin/login/?next=/admin/",
        {
            "username": staff_user.email,
            "password": PASSWORD,
            "otp_device": device.persistent_id,
            "otp_token": current_code(device),
        },
    )
    assert with_code.status_code == 302
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_enrol_command_refuses_non_staff_and_existing_devices(staff_user):
    listener = UserFactory(verified=True)
    with pytest.raises(CommandError, match="not staff"):
        call_command("admin_otp_enroll", listener.email, stdout=StringIO())
    with pytest.raises(CommandError, match="No account"):
        call_command("admin_otp_enroll", "ghost@example.com", stdout=StringIO())
    call_command("admin_otp_enroll", staff_user.email, stdout=StringIO())
    first = TOTPDevice.objects.get(user=staff_user)
    with pytest.raises(CommandError, match="already has a device"):
        call_command("admin_otp_enroll", staff_user.email, stdout=StringIO())
    assert list(TOTPDevice.objects.filter(user=staff_user)) == [first]

    call_command("admin_otp_enroll", staff_user.email, "--replace", stdout=StringIO())
    assert TOTPDevice.objects.filter(user=staff_user).exclude(pk=first.pk).count() == 1
    assert not TOTPDevice.objects.filter(pk=first.pk).exists()


@pytest.mark.django_db
def test_without_otp_required_the_admin_works_as_before(client, staff_user, settings):
    settings.ADMIN_REQUIRE_OTP = False
    client.force_login(staff_user)

    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_admin_revoke_action_revokes_and_audits_each_key(client, staff_user):
    owner = UserFactory(verified=True)
    live, raw = api_key_create(user=owner, name="a", scopes=["read"], meta=RequestMeta())
    already, _ = api_key_create(user=owner, name="b", scopes=["read"], meta=RequestMeta())
    revoked_at = timezone.now() - timedelta(days=1)
    ApiKey.objects.filter(pk=already.pk).update(revoked_at=revoked_at)
    client.force_login(staff_user)

    response = client.post(
        "/admin/accounts/apikey/",
        {
            "action": "revoke",
            "_selected_action": [str(live.pk), str(already.pk)],
            "confirm": "yes",
            "reason": "Leaked in a public repository",
        },
    )

    assert response.status_code == 302
    live.refresh_from_db()
    already.refresh_from_db()
    assert live.revoked_at is not None
    assert already.revoked_at == revoked_at
    entries = AuditLog.objects.filter(action="api_key.revoke")
    assert [(e.actor_id, e.target_id) for e in entries] == [(staff_user.pk, str(live.pk))]
    assert entries[0].metadata["reason"] == "Leaked in a public repository"
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_X_API_KEY=raw)
    assert_error(api.get("/api/v1/users/me"), 401, "INVALID_API_KEY")


@pytest.mark.django_db
def test_admin_api_key_pages_never_show_a_secret(client, staff_user):
    owner = UserFactory(verified=True)
    key, raw = api_key_create(user=owner, name="a", scopes=["read"], meta=RequestMeta())
    client.force_login(staff_user)

    listing = client.get("/admin/accounts/apikey/")
    detail = client.get(f"/admin/accounts/apikey/{key.pk}/change/")

    for page in (listing, detail):
        assert page.status_code == 200
        html = page.content.decode()
        assert key.prefix in html
        assert raw not in html
        assert key.secret_hash not in html


@pytest.mark.django_db
def test_admin_lists_backup_code_sets_with_their_unused_count(client, staff_user):
    from apps.accounts.services.two_factor import backup_codes_generate

    owner = UserFactory(verified=True)
    backup_codes_generate(user=owner)
    client.force_login(staff_user)

    response = client.get("/admin/accounts/backupcodedevice/")

    assert response.status_code == 200
    assert BackupCodeDevice.objects.get(user=owner).remaining == 10
    assert owner.email in response.content.decode()


@pytest.mark.django_db
def test_admin_never_shows_totp_secrets_and_resets_2fa_with_an_audit_entry(client, staff_user):
    from apps.accounts.services.two_factor import backup_codes_generate

    owner = UserFactory(verified=True)
    device = TOTPDevice.objects.create(user=owner, name="phone", confirmed=True)
    backup_codes_generate(user=owner)
    client.force_login(staff_user)

    listing = client.get("/admin/otp_totp/totpdevice/")
    detail = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    for page in (listing, detail):
        assert page.status_code == 200
        assert device.key not in page.content.decode()
    # django-otp's QR-code page (it shows the secret) is not routed: the admin's catch-all reads
    # "<pk>/config" as an object id that does not exist and sends the browser to the index.
    config = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/", follow=True)
    assert config.redirect_chain == [
        (f"/admin/otp_totp/totpdevice/{device.pk}/config/change/", 302),
        ("/admin/", 302),
    ]
    assert device.key not in config.content.decode()

    response = client.post(
        "/admin/otp_totp/totpdevice/",
        {
            "action": "reset_two_factor",
            "_selected_action": [str(device.pk)],
            "confirm": "yes",
            "reason": "Lost phone, identity checked on a video call",
        },
    )

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=owner).exists()
    assert not BackupCodeDevice.objects.filter(user=owner).exists()
    entry = AuditLog.objects.get(action="user.2fa_reset_by_staff")
    assert (entry.actor_id, entry.target_id) == (staff_user.pk, str(owner.pk))
    assert entry.metadata == {"reason": "Lost phone, identity checked on a video call"}


@pytest.mark.django_db
@freeze_time("2026-06-01 10:20:00")  # one fixed window for the whole test
def test_admin_login_shares_the_per_ip_login_limit(client, staff_user, settings):
    """Failed API and admin logins from one address fill one bucket: past it, even the right
    password is refused in the admin. A small limit keeps the test short; the rule is the same."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login_ip": "4/5m"}  # 20 in production
    for n in range(2):  # other accounts each time: the per-account limit stays out of it
        api = APIClient().post(
            "/api/v1/auth/login", {"email": f"api{n}@example.com", "password": "x"}, format="json"
        )
        assert_error(api, 401, "INVALID_CREDENTIALS")
    for n in range(2):
        admin = client.post(
            "/admin/login/", {"username": f"someone{n}@example.com", "password": "x"}
        )
        assert admin.status_code == 200  # the form again, with its error

    refused = client.post("/admin/login/", {"username": staff_user.email, "password": PASSWORD})

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert client.get("/admin/").status_code == 302  # not logged in


@pytest.mark.django_db
def test_staff_raise_a_keys_hourly_limits_in_the_admin_audited(client, staff_user):
    owner = UserFactory(verified=True)
    key, raw = api_key_create(user=owner, name="a", scopes=["read"], meta=RequestMeta())
    client.force_login(staff_user)

    response = client.post(
        f"/admin/accounts/apikey/{key.pk}/change/",
        {
            "name": "a (enterprise plan)",
            "read_limit_per_hour": "20000",
            "write_limit_per_hour": "4000",
            "expires_at_0": "",
            "expires_at_1": "",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    key.refresh_from_db()
    assert (key.name, key.read_limit_per_hour, key.write_limit_per_hour) == (
        "a (enterprise plan)",
        20000,
        4000,
    )
    assert key.scopes == ["read"]
    entry = AuditLog.objects.get(action="api_key.admin_update")
    assert entry.metadata == {"fields": ["name", "read_limit_per_hour", "write_limit_per_hour"]}
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_X_API_KEY=raw)
    assert api.get("/api/v1/users/me")["X-RateLimit-Limit"] == "20000"


# --- The admin login does not reveal a right password: every failure reads the same --------


def _admin_login(client, email, password, code="", ip="192.0.2.1"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": email, "password": password, "otp_token": code},
        REMOTE_ADDR=ip,
    )


@pytest.mark.django_db
@freeze_time("2026-06-01 10:20:00")
def test_a_wrong_password_and_a_wrong_code_get_the_same_answer_and_no_device_list(
    client, settings, staff_user
):
    settings.ADMIN_REQUIRE_OTP = True
    call_command("admin_otp_enroll", staff_user.email, stdout=StringIO())
    device = TOTPDevice.objects.get(user=staff_user)
    wrong_code = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    attempts = [
        ("wrong-password", ""),
        (PASSWORD, ""),
        (PASSWORD, wrong_code),
        ("wrong-password", current_code(device)),
    ]

    pages = [_admin_login(client, staff_user.email, pw, code) for pw, code in attempts]

    errors = set()
    for page in pages:
        assert page.status_code == 200
        html = page.content.decode()
        assert "Admin authenticator" not in html
        assert device.persistent_id not in html
        assert 'name="otp_device"' not in html
        errors.add(html.split('class="errornote"')[1].split("</p>")[0])
    assert len(errors) == 1
    assert "correct email, password and one-time code" in errors.pop()
    assert client.get("/admin/").status_code == 302


@pytest.mark.django_db
@freeze_time("2026-06-01 10:20:00")
def test_failed_admin_logins_lock_the_account_in_the_api_logins_bucket(
    client, settings, staff_user
):
    settings.ADMIN_REQUIRE_OTP = True
    call_command("admin_otp_enroll", staff_user.email, stdout=StringIO())
    device = TOTPDevice.objects.get(user=staff_user)
    long_s_variant = staff_user.email.upper().replace("S", "\u017f")  # the same identity
    for n in range(10):
        email = long_s_variant if n % 2 else staff_user.email
        assert _admin_login(client, email, "guess", ip=f"198.51.100.{n}").status_code == 200

    locked = _admin_login(client, staff_user.email, PASSWORD, current_code(device), "198.51.100.99")
    from rest_framework.test import APIClient

    api = APIClient(REMOTE_ADDR="198.51.100.98").post(
        "/api/v1/auth/login", {"email": staff_user.email, "password": PASSWORD}, format="json"
    )

    assert locked.status_code == 429
    assert int(locked["Retry-After"]) >= 1
    assert client.get("/admin/").status_code == 302
    assert_error(api, 429, "RATE_LIMITED")


@pytest.mark.django_db
@freeze_time("2026-06-01 10:20:00")
def test_a_backup_code_opens_the_admin_without_choosing_a_device(client, settings, staff_user):
    settings.ADMIN_REQUIRE_OTP = True
    out = StringIO()
    call_command("admin_otp_enroll", staff_user.email, stdout=out)
    codes = [line.strip() for line in out.getvalue().splitlines() if line.startswith("  ")]
    backup_code = codes[0]

    response = _admin_login(client, staff_user.email, PASSWORD, backup_code)

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
