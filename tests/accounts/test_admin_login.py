"""The admin login with 2FA required: email, password and the one-time code in ONE submit; the
code's shape picks the device (an authenticator's 6 digits or a backup code); a wrong code gets
the one clear error and django-otp's throttling still applies. The same journey in a real
browser is in ``test_admin_login_browser.py``."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time

from tests.accounts.factories import PASSWORD
from tests.accounts.test_admin_security import current_code

ERROR = "Please enter a correct email, password and one-time code for a staff account."


@pytest.fixture
def enrolled(settings, staff_user):
    """A staff member with an authenticator and backup codes; returns (user, device, codes)."""
    settings.ADMIN_REQUIRE_OTP = True
    out = StringIO()
    call_command("admin_otp_enroll", staff_user.email, stdout=out)
    codes = [line.strip() for line in out.getvalue().splitlines() if line.startswith("  ")]
    return staff_user, TOTPDevice.objects.get(user=staff_user), codes


def _login(client, email, code, password=PASSWORD):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": email, "password": password, "otp_token": code},
    )


@pytest.mark.django_db
def test_the_login_page_asks_for_the_code_with_the_other_fields_and_no_device(client, enrolled):
    page = client.get("/admin/login/")

    html = page.content.decode()
    assert page.templates[0].name == "admin/login_otp.html"
    assert 'name="otp_token"' in html
    assert 'autocomplete="one-time-code"' in html
    assert "One-time code" in html
    assert "The 6 digits your authenticator app shows now, or one of your backup codes." in html
    assert 'name="otp_device"' not in html
    assert "otp_challenge" not in html
    assert html.count('type="submit"') == 1


@pytest.mark.django_db
@freeze_time("2026-06-01 10:20:00")
def test_one_submit_with_the_authenticators_code_opens_the_admin(client, enrolled):
    user, device, _ = enrolled

    response = _login(client, user.email, current_code(device))

    assert (response.status_code, response["Location"]) == (302, "/admin/")
    index = client.get("/admin/")
    assert index.status_code == 200
    assert index.wsgi_request.user.otp_device == device


@pytest.mark.django_db
@freeze_time("2026-06-01 10:20:00")
def test_a_code_with_spaces_from_a_copy_and_paste_is_accepted(client, enrolled):
    user, device, _ = enrolled
    code = current_code(device)

    response = _login(client, user.email, f" {code[:3]} {code[3:]} ")

    assert response.status_code == 302


@pytest.mark.django_db
@freeze_time("2026-06-01 10:20:00")
def test_any_of_the_staff_members_authenticators_is_found_from_the_code(client, enrolled):
    user, _, _ = enrolled
    second = TOTPDevice.objects.create(user=user, name="Spare phone", confirmed=True)

    response = _login(client, user.email, current_code(second))

    assert response.status_code == 302
    assert client.get("/admin/").wsgi_request.user.otp_device == second


@pytest.mark.django_db
@freeze_time("2026-06-01 10:20:00")
def test_one_submit_with_a_lowercase_backup_code_opens_the_admin_and_uses_it_up(client, enrolled):
    user, _, codes = enrolled

    first = _login(client, user.email, codes[0].lower())
    client.logout()
    again = _login(client, user.email, codes[0])

    assert first.status_code == 302
    assert again.status_code == 200
    assert ERROR in again.content.decode()


@pytest.mark.django_db
def test_a_wrong_code_gets_the_clear_error_and_the_device_backs_off(client, enrolled):
    user, device, _ = enrolled
    with freeze_time("2026-06-01 10:20:00") as clock:
        wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"

        refused = _login(client, user.email, wrong)
        throttled = _login(client, user.email, current_code(device))
        clock.tick(timedelta(seconds=2))  # django-otp's back-off after one failure is 1 s
        accepted = _login(client, user.email, current_code(device))

    html = refused.content.decode()
    assert refused.status_code == 200
    assert ERROR in html
    assert f'value="{user.email}"' in html  # the form keeps the email for the next try
    assert 'name="otp_device"' not in html
    device.refresh_from_db()
    assert device.throttling_failure_count == 0  # reset by the accepted code
    assert throttled.status_code == 200
    assert ERROR in throttled.content.decode()
    assert accepted.status_code == 302


@pytest.mark.django_db
@freeze_time("2026-06-01 10:20:00")
def test_a_wrong_code_counts_as_a_failure_on_the_device(client, enrolled):
    user, device, _ = enrolled

    _login(client, user.email, "000000" if current_code(device) != "000000" else "111111")

    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    assert client.get("/admin/").status_code == 302
