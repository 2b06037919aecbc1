"""The operations console in a real browser (headless Chromium against a live server).

The login with 2FA required is ONE submit of email, password and code, whatever the code is
(an authenticator's or a backup code); a wrong code shows the clear error and the next try
waits out django-otp's back-off. The main lists fit a 1440 px screen with long real-world
values. Database rows are written before the browser starts and read after it closes (the
browser's event loop must not see ORM calls)."""

import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.models import AuditLog
from apps.accounts.services import api_key_create
from apps.catalog.models import Playlist, PlaylistEntry, Report
from tests.accounts.factories import PASSWORD, UserFactory
from tests.accounts.test_admin_security import current_code
from tests.billing.factories import PlanFactory, SubscriptionFactory
from tests.catalog.factories import PlaylistFactory, TrackFactory
from veza.audit import RequestMeta, audit_record

pytestmark = pytest.mark.django_db(transaction=True)

ERROR = "Please enter a correct email, password and one-time code for a staff account."


def _enrol(settings):
    settings.ADMIN_REQUIRE_OTP = True
    staff = UserFactory(staff=True)
    out = StringIO()
    call_command("admin_otp_enroll", staff.email, stdout=out)
    codes = [line.strip() for line in out.getvalue().splitlines() if line.startswith("  ")]
    return staff, TOTPDevice.objects.get(user=staff), codes


def _submit(page, email, code, password=PASSWORD):
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.fill("#id_otp_token", code)
    page.click("input[type=submit]")
    page.wait_for_load_state()


def test_staff_log_in_with_email_password_and_authenticator_code_in_one_submit(
    live_server, settings, browser
):
    staff, device, _ = _enrol(settings)
    code = current_code(device)

    with browser() as page:
        page.goto(f"{live_server.url}/admin/")
        login_url = page.url
        device_choices = page.locator("select").count()
        _submit(page, staff.email, code)
        landed = page.url
        home_visible = page.locator("#operations").is_visible()
        errors = page.locator(".errornote").count()

    assert "/admin/login/" in login_url
    assert device_choices == 0  # nothing to choose: the code picks the device
    assert landed == f"{live_server.url}/admin/"
    assert home_visible
    assert errors == 0


def test_staff_log_in_with_a_backup_code_in_one_submit(live_server, settings, browser):
    staff, _, codes = _enrol(settings)

    with browser() as page:
        page.goto(f"{live_server.url}/admin/login/?next=/admin/")
        _submit(page, staff.email, codes[3])
        landed = page.url
        home_visible = page.locator("#operations").is_visible()

    assert landed == f"{live_server.url}/admin/"
    assert home_visible


def test_a_wrong_code_shows_the_error_and_the_right_one_after_the_back_off_logs_in(
    live_server, settings, browser
):
    staff, device, _ = _enrol(settings)
    right = current_code(device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    with browser() as page:
        page.goto(f"{live_server.url}/admin/login/?next=/admin/")
        _submit(page, staff.email, wrong)
        after_wrong = page.url
        error_shown = page.locator(".errornote").inner_text()
        email_kept = page.input_value("#id_username")
        time.sleep(1.5)  # django-otp locks the device for 1 s after one wrong code
        _submit(page, staff.email, right)
        landed = page.url

    assert "/admin/login/" in after_wrong
    assert ERROR in error_shown
    assert email_kept == staff.email
    assert landed == f"{live_server.url}/admin/"


LONG_EMAIL = "a.very.long.address.for.the.columns@subdomain.example-records-company.com"
LONG_TITLE = "An Extraordinarily Long Track Title (Extended Club Remix feat. Several Guests) "
LISTS = [
    "/admin/accounts/user/",
    "/admin/accounts/auditlog/",
    "/admin/accounts/apikey/",
    "/admin/catalog/track/",
    "/admin/catalog/report/",
    "/admin/billing/subscription/",
]
MEASURE = """() => {
    const results = document.querySelector('.results');
    const rows = document.querySelectorAll('#result_list tbody tr').length;
    return [results.scrollWidth, results.clientWidth, rows];
}"""


def test_the_main_lists_fit_a_1440_px_screen_with_long_values(
    live_server, settings, browser, tmp_path
):
    settings.ADMIN_REQUIRE_OTP = False
    staff = UserFactory(staff=True)
    owner = UserFactory(
        email=LONG_EMAIL, username="averylongusername_2026_records", is_verified=True
    )
    for n in range(3):
        track = TrackFactory(
            owner=owner,
            title=f"{LONG_TITLE}{n}",
            artist_name="The Orchestra of Very Long Names and Friends feat. Someone",
            genre="Progressive Electronic Ambient",
        )
        Report.objects.create(track=track, reporter=owner, reason="copyright", details="x" * 500)
        audit_record(
            action="track.moderation.take_down",
            actor=staff,
            target=track,
            meta=RequestMeta(ip_address="2001:db8:85a3::8a2e:370:7334", user_agent="UA " * 100),
            metadata={"reason": "Reported by several listeners as a copy of a release " * 3},
        )
    api_key_create(user=owner, name="Label dashboard " * 4, scopes=["read"], meta=RequestMeta())
    PlanFactory(code="creator")
    SubscriptionFactory(user=owner, status="past_due", next_payment_retry_at=timezone.now())

    widths = {}
    with browser() as page:
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", staff.email)
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_load_state()
        for path in LISTS:
            page.goto(f"{live_server.url}{path}")
            name = path.strip("/").replace("/", "_")
            page.screenshot(path=str(Path(tmp_path) / f"{name}.png"), full_page=True)
            widths[path] = page.evaluate(MEASURE)

    for path, (content, visible, rows) in widths.items():
        assert rows >= 1, path
        assert content <= visible, f"{path} overflows: {content} px in {visible} px"


def test_staff_delete_playlists_from_the_list_and_from_a_playlists_page_giving_a_reason(
    live_server, settings, browser
):
    settings.ADMIN_REQUIRE_OTP = False
    staff = UserFactory(staff=True)
    listed = PlaylistFactory(title="Listed for deletion")
    PlaylistEntry.objects.create(playlist=listed, track=TrackFactory(), position=0)
    opened = PlaylistFactory(title="Opened for deletion")
    reason = "Spam playlists reported by listeners"

    with browser() as page:
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", staff.email)
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_load_state()
        page.goto(f"{live_server.url}/admin/catalog/playlist/")
        page.check(f'input.action-select[value="{listed.pk}"]')
        page.select_option("select[name=action]", "delete_selected")
        page.click("button[name=index]")
        page.wait_for_load_state()
        summary = page.locator(".deletion-summary").inner_text()
        # The reason is required: the browser keeps the form until it is given.
        page.click("input[type=submit][value='Yes, delete']")
        reason_missing = page.locator("#id_reason").evaluate("el => el.validity.valueMissing")
        page.fill("#id_reason", reason)
        page.click("input[type=submit][value='Yes, delete']")
        page.wait_for_load_state()
        after_action = page.locator(".messagelist").inner_text()
        page.goto(f"{live_server.url}/admin/catalog/playlist/{opened.pk}/change/")
        page.click("a.deletelink")
        page.wait_for_load_state()
        page.fill("#id_reason", reason)
        page.click("#content form input[type=submit]")
        page.wait_for_load_state()
        after_page = page.locator(".messagelist").inner_text()

    assert "Playlists: 1" in summary
    assert "Playlist entries: 1" in summary
    assert reason_missing
    assert "1 playlist deleted." in after_action
    assert "was deleted successfully" in after_page
    assert not Playlist.objects.filter(pk__in=[listed.pk, opened.pk]).exists()
    entries = AuditLog.objects.filter(action="playlist.admin_delete")
    assert sorted(entry.target_id for entry in entries) == sorted([str(listed.pk), str(opened.pk)])
    assert {entry.metadata["reason"] for entry in entries} == {reason}
