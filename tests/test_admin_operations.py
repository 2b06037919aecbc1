"""The admin index is the operations home page: what needs someone now and the background jobs
that failed, each with its count linking to the admin list filtered to exactly those rows."""

import importlib
import re
import uuid

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.billing.models import SubscriptionStatus
from apps.catalog.models import Report
from apps.distribution.models import ImportStatus, ReleaseStatus, RoyaltyImport
from apps.education.models import LessonStatus
from apps.gdpr.models import ExportStatus
from apps.platform_settings import state as platform_state
from apps.platform_settings.services import maintenance_set
from tests.accounts.factories import UserFactory
from tests.billing.factories import PlanFactory, SubscriptionFactory
from tests.catalog.factories import TrackFactory
from tests.distribution.factories import release_in
from tests.education.factories import LessonFactory
from tests.gdpr.factories import DataExportFactory

seed_migration = importlib.import_module(
    "apps.platform_settings.migrations.0002_seed_platform_settings"
)
#: session, user, the eight counts, the staff member's audit entries (the settings snapshot is
#: warm, as in production between refreshes)
HOME_PAGE_QUERIES = 11
PANELS = [
    "maintenance",
    "open_reports",
    "past_due",
    "tracks_failed",
    "hls_failed",
    "lessons_failed",
    "exports_failed",
    "releases_failed",
    "royalty_imports_failed",
]


def _trouble(n: int) -> dict:
    """``n`` rows of each kind the home page counts, and one healthy row of each."""
    PlanFactory(code="creator")
    rows = {
        "open_reports": [
            Report.objects.create(track=TrackFactory(), reporter=UserFactory(), reason="spam")
            for _ in range(n)
        ],
        "past_due": SubscriptionFactory.create_batch(n, status=SubscriptionStatus.PAST_DUE),
        "tracks_failed": TrackFactory.create_batch(n, status="failed"),
        "hls_failed": TrackFactory.create_batch(n, hls_status="failed"),
        "lessons_failed": LessonFactory.create_batch(n, status=LessonStatus.FAILED),
        "exports_failed": DataExportFactory.create_batch(n, status=ExportStatus.FAILED),
        "releases_failed": [release_in(ReleaseStatus.FAILED) for _ in range(n)],
        "royalty_imports_failed": [
            RoyaltyImport.objects.create(
                file_name="r.tsv", sha256=f"{uuid.uuid4().hex:0<64}", status=ImportStatus.FAILED
            )
            for _ in range(n)
        ],
    }
    Report.objects.create(
        track=TrackFactory(), reporter=UserFactory(), reason="spam", status="dismissed"
    )
    SubscriptionFactory(status=SubscriptionStatus.ACTIVE)
    LessonFactory(status=LessonStatus.READY)
    DataExportFactory(status=ExportStatus.READY)
    RoyaltyImport.objects.create(
        file_name="ok.tsv", sha256=f"{uuid.uuid4().hex:1<64}", status=ImportStatus.DONE
    )
    return rows


def _panel(html: str, key: str) -> tuple[str, str]:
    """The value shown by panel ``key`` and the list it links to."""
    row = re.search(rf'<tr id="ops-{key}">(.*?)</tr>', html, re.S).group(1)
    value = re.search(r'class="ops-value[^"]*">\s*<a href="([^"]+)">([^<]+)</a>', row)
    return value.group(2).strip(), value.group(1).replace("&amp;", "&")


@pytest.fixture
def seeded_settings(db):
    """The platform-settings rows the migration seeds (a transactional test may flush them)."""
    seed_migration.seed(django_apps, None)


@pytest.fixture
def admin_client(client, staff_user, seeded_settings):
    client.force_login(staff_user)
    return client


@pytest.mark.django_db
def test_each_panel_counts_its_rows_and_links_to_the_list_of_exactly_those(admin_client):
    rows = _trouble(2)

    html = admin_client.get("/admin/").content.decode()

    for key, expected in rows.items():
        value, url = _panel(html, key)
        assert value == "2", key
        listing = admin_client.get(url)
        assert listing.status_code == 200, (key, url)
        shown = {str(obj.pk) for obj in listing.context["cl"].result_list}
        assert shown == {str(obj.pk) for obj in expected}, key


@pytest.mark.django_db
def test_the_home_page_shows_the_maintenance_state_with_its_switch(admin_client, staff_user):
    html = admin_client.get("/admin/").content.decode()
    assert _panel(html, "maintenance") == ("off", "/admin/platform_settings/platformsetting/")
    assert 'href="/admin/platform_settings/platformsetting/maintenance/on/"' in html
    assert "Turn maintenance ON…" in html

    maintenance_set(enabled=True, message=None, actor=staff_user)
    platform_state.forget()

    html = admin_client.get("/admin/").content.decode()
    assert _panel(html, "maintenance")[0] == "ON"
    assert 'href="/admin/platform_settings/platformsetting/maintenance/off/"' in html
    switch = admin_client.get("/admin/platform_settings/platformsetting/maintenance/off/")
    assert switch.status_code == 200
    assert "Turn maintenance OFF?" in switch.content.decode()


@pytest.mark.django_db
def test_a_quiet_platform_shows_zeros_in_green(admin_client):
    html = admin_client.get("/admin/").content.decode()

    for key in PANELS[1:]:
        assert _panel(html, key)[0] == "0", key
    assert "ops-value ops-alert" not in html
    assert html.count("ops-value ops-ok") == len(PANELS)


@pytest.mark.django_db
def test_the_home_page_costs_the_same_queries_for_1_or_20_rows_of_each_kind(
    admin_client, django_assert_num_queries
):
    _trouble(1)
    admin_client.get("/admin/")  # warm the session and the settings snapshot
    with CaptureQueriesContext(connection) as one:
        admin_client.get("/admin/")
    _trouble(19)

    with django_assert_num_queries(HOME_PAGE_QUERIES):
        response = admin_client.get("/admin/")

    assert len(one) == HOME_PAGE_QUERIES
    assert _panel(response.content.decode(), "tracks_failed")[0] == "20"


@pytest.mark.django_db
def test_staff_see_only_the_panels_of_what_they_may_view(client, seeded_settings):
    moderator = UserFactory(is_staff=True, is_verified=True)
    moderator.user_permissions.add(Permission.objects.get(codename="view_report"))
    client.force_login(moderator)

    html = client.get("/admin/").content.decode()

    shown = set(re.findall(r'<tr id="ops-([a-z_]+)">', html))
    assert shown == {"open_reports"}
