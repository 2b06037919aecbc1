"""Feature flags: the server is the single source of client defaults."""

import pytest

from apps.platform_settings.models import PlatformSetting
from apps.platform_settings.selectors import flag_enabled
from apps.platform_settings.services import setting_set


@pytest.mark.django_db
def test_features_lists_hls_streaming_first_and_off_by_default(seeded, api_client):
    PlatformSetting.objects.create(
        key="a_new_flag", value_type="bool", value_bool=True, is_public_flag=True
    )

    response = api_client.get("/api/v1/features")

    assert response.status_code == 200
    assert list(response.json()) == ["hls_streaming", "a_new_flag"]
    assert response.json() == {"hls_streaming": False, "a_new_flag": True}


@pytest.mark.django_db
def test_private_settings_are_not_listed(seeded, api_client):
    body = api_client.get("/api/v1/features").json()

    assert "maintenance_mode" not in body
    assert "maintenance_message" not in body


@pytest.mark.django_db
def test_flag_enabled_follows_a_flip_and_unknown_flags_are_off(
    seeded, staff_user, django_capture_on_commit_callbacks
):
    assert flag_enabled("hls_streaming") is False

    with django_capture_on_commit_callbacks(execute=True):
        setting_set(key="hls_streaming", value=True, actor=staff_user)

    assert flag_enabled("hls_streaming") is True
    assert flag_enabled("no_such_flag") is False


@pytest.mark.django_db
def test_hls_streaming_is_listed_from_the_server_default_when_its_row_is_missing(
    api_client, settings
):
    settings.HLS_STREAMING = True
    PlatformSetting.objects.filter(key="hls_streaming").delete()

    assert api_client.get("/api/v1/features").json() == {"hls_streaming": True}
