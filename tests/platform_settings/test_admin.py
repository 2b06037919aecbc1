"""The maintenance switch in the admin: state in words, a confirmation, an audited flip."""

import pytest
from django.urls import reverse

from apps.accounts.models import AuditLog
from apps.platform_settings.models import PlatformSetting
from tests.helpers import assert_error


@pytest.fixture
def admin_client(client, staff_user, seeded):
    client.force_login(staff_user)
    return client


@pytest.mark.django_db
def test_changelist_shows_the_maintenance_state_and_one_button(admin_client):
    response = admin_client.get(reverse("admin:platform_settings_platformsetting_changelist"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Maintenance is" in content
    assert "OFF" in content
    assert "Turn maintenance ON" in content
    assert "Turn maintenance OFF" not in content


@pytest.mark.django_db
def test_turning_maintenance_on_asks_for_confirmation_first(admin_client):
    url = reverse("admin:platform_settings_maintenance", args=["on"])

    confirm = admin_client.get(url)

    assert confirm.status_code == 200
    assert "Yes, turn maintenance ON" in confirm.content.decode()
    assert PlatformSetting.objects.get(key="maintenance_mode").value_bool is False


@pytest.mark.django_db
def test_confirmed_flip_is_persisted_and_audited(
    admin_client, staff_user, django_capture_on_commit_callbacks
):
    url = reverse("admin:platform_settings_maintenance", args=["on"])

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, {"message": "Back soon"})

    assert response.status_code == 302
    assert PlatformSetting.objects.get(key="maintenance_mode").value_bool is True
    assert PlatformSetting.objects.get(key="maintenance_message").value_text == "Back soon"
    entry = AuditLog.objects.get(action="platform.maintenance_on")
    assert entry.actor_id == staff_user.pk
    assert_error(admin_client.get("/api/v1/features"), 503, "MAINTENANCE")


@pytest.mark.django_db
def test_editing_a_setting_in_the_change_form_goes_through_the_audited_service(
    admin_client, staff_user
):
    setting = PlatformSetting.objects.get(key="maintenance_retry_after")

    response = admin_client.post(
        reverse("admin:platform_settings_platformsetting_change", args=[setting.pk]),
        {"value_int": "300", "description": "Seconds"},
    )

    assert response.status_code == 302
    setting.refresh_from_db()
    assert setting.value_int == 300
    assert setting.description == "Seconds"
    entry = AuditLog.objects.get(action="platform.setting_change")
    assert entry.metadata == {
        "key": "maintenance_retry_after",
        "from": 120,
        "to": 300,
        "description": "Seconds",
    }
