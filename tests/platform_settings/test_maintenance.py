"""Fleet-wide maintenance: stored in the database, followed by every process, audited."""

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import AuditLog
from apps.platform_settings import state
from apps.platform_settings.models import PlatformSetting
from apps.platform_settings.services import setting_set
from tests.accounts.factories import UserFactory
from tests.conftest import bearer_client, staff_bearer_client
from tests.helpers import assert_error
from tests.platform_settings.conftest import seed_migration

URL = "/api/v1/admin/maintenance"


@pytest.fixture
def staff_client(seeded, staff_user):
    return staff_bearer_client(staff_user)


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(state.time, "monotonic", fake)
    return fake


@pytest.mark.django_db
def test_seed_creates_the_rows_and_rerunning_it_changes_nothing(seeded):
    PlatformSetting.objects.filter(key="maintenance_mode").update(value_bool=True)

    seed_migration.seed(apps, None)

    assert set(PlatformSetting.objects.values_list("key", flat=True)) == {
        "maintenance_mode",
        "maintenance_message",
        "maintenance_retry_after",
        "hls_streaming",
    }
    assert PlatformSetting.objects.get(key="maintenance_mode").value_bool is True
    assert PlatformSetting.objects.get(key="hls_streaming").is_public_flag is True


@pytest.mark.django_db
def test_staff_turns_maintenance_on_and_clients_get_503_with_retry_after(staff_client, staff_user):
    response = staff_client.put(URL, {"enabled": True, "message": "Back at 10:00"}, format="json")

    assert response.status_code == 200
    assert response.json() == {"enabled": True, "message": "Back at 10:00", "retry_after": 120}
    assert PlatformSetting.objects.get(key="maintenance_mode").value_bool is True
    assert PlatformSetting.objects.get(key="maintenance_mode").updated_by == staff_user

    listener = bearer_client(UserFactory(verified=True))
    blocked = listener.get("/api/v1/users/me")
    assert_error(blocked, 503, "MAINTENANCE")
    assert blocked["Retry-After"] == "120"
    assert blocked.json() == {
        "error": {"code": "MAINTENANCE", "message": "Back at 10:00", "details": {}}
    }
    actions = set(AuditLog.objects.values_list("action", flat=True))
    assert {"platform.maintenance_on", "platform.setting_change"} <= actions


@pytest.mark.django_db
def test_health_admin_site_and_admin_api_stay_reachable_during_maintenance(
    staff_client, client, staff_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.put(URL, {"enabled": True}, format="json")

    assert client.get("/api/v1/health").status_code == 200
    assert client.get("/admin/login/").status_code == 200
    client.force_login(staff_user)
    assert client.get("/admin/platform_settings/platformsetting/").status_code == 200
    assert staff_client.get(URL).json()["enabled"] is True
    assert_error(client.get("/api/v1/features"), 503, "MAINTENANCE")

    with django_capture_on_commit_callbacks(execute=True):
        off = staff_client.put(URL, {"enabled": False}, format="json")
    assert off.status_code == 200
    assert client.get("/api/v1/features").status_code == 200
    assert AuditLog.objects.filter(action="platform.maintenance_off").count() == 1


@pytest.mark.django_db
def test_only_staff_or_admin_role_may_read_or_flip_maintenance(seeded, api_client):
    listener = bearer_client(UserFactory(verified=True, role="moderator"))

    anonymous = api_client.put(URL, {"enabled": True}, format="json")
    denied = listener.put(URL, {"enabled": True}, format="json")

    assert_error(anonymous, 401, "AUTHENTICATION_REQUIRED")
    assert_error(denied, 403, "PERMISSION_DENIED")
    assert PlatformSetting.objects.get(key="maintenance_mode").value_bool is False
    assert not AuditLog.objects.filter(action__startswith="platform.").exists()
    admin_role = staff_bearer_client(UserFactory(role="admin")).put(
        URL, {"enabled": True}, format="json"
    )
    assert admin_role.status_code == 200
    assert PlatformSetting.objects.get(key="maintenance_mode").value_bool is True


@pytest.mark.django_db
def test_bad_maintenance_payload_is_a_validation_error_and_changes_nothing(staff_client):
    response = staff_client.put(URL, {"enabled": "perhaps"}, format="json")

    assert_error(
        response, 400, "VALIDATION_ERROR", details={"enabled": ["Must be a valid boolean."]}
    )
    assert PlatformSetting.objects.get(key="maintenance_mode").value_bool is False


@pytest.mark.django_db
def test_maintenance_flip_survives_a_restart(staff_client, client):
    staff_client.put(URL, {"enabled": True}, format="json")

    state.forget()  # a new process: nothing in memory

    assert_error(client.get("/api/v1/features"), 503, "MAINTENANCE")


@pytest.mark.django_db
def test_environment_forces_maintenance_on_for_this_process(seeded, client, settings):
    settings.MAINTENANCE_MODE = True

    assert_error(client.get("/api/v1/features"), 503, "MAINTENANCE")
    assert client.get("/api/v1/health").status_code == 200


@pytest.mark.django_db
def test_requests_inside_the_ttl_do_no_database_query_for_the_flag(
    seeded, client, clock, django_assert_num_queries
):
    client.get("/api/v1/features")  # warms the snapshot

    for _ in range(5):
        clock.now += 1
        with django_assert_num_queries(0):
            assert client.get("/api/v1/features").status_code == 200


@pytest.mark.django_db
def test_a_write_without_the_shared_signal_is_followed_within_the_ttl(
    seeded, client, clock, settings
):
    """Redis lost the signal (or is down): the database still wins after the TTL."""
    settings.MAINTENANCE_CACHE_TTL = 10
    client.get("/api/v1/features")
    PlatformSetting.objects.filter(key="maintenance_mode").update(value_bool=True)

    clock.now += 9.9
    assert client.get("/api/v1/features").status_code == 200
    clock.now += 0.2
    assert_error(client.get("/api/v1/features"), 503, "MAINTENANCE")


@pytest.mark.django_db
def test_another_process_flip_is_followed_at_the_next_poll_through_the_shared_signal(
    seeded, client, clock
):
    client.get("/api/v1/features")
    # Another process: writes the row and publishes a new version token.
    PlatformSetting.objects.filter(key="maintenance_mode").update(value_bool=True)
    from django.core.cache import cache

    cache.set(state.VERSION_KEY, "token-from-another-process", timeout=None)

    clock.now += 0.1  # inside the poll interval: the snapshot is trusted
    assert client.get("/api/v1/features").status_code == 200
    clock.now += 0.2  # past it: one cache read sees the new token, one query reloads
    with CaptureQueriesContext(connection) as queries:
        assert_error(client.get("/api/v1/features"), 503, "MAINTENANCE")
    assert len(queries) == 1


@pytest.mark.django_db
def test_setting_set_refuses_a_value_of_the_wrong_type(seeded, staff_user):
    from veza.api.exceptions import ValidationFailed

    with pytest.raises(ValidationFailed):
        setting_set(key="maintenance_mode", value="yes", actor=staff_user)

    assert PlatformSetting.objects.get(key="maintenance_mode").value_bool is False
    assert not AuditLog.objects.filter(action="platform.setting_change").exists()
