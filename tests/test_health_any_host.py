"""Health answers probes whatever ALLOWED_HOSTS says, without logging a DisallowedHost error."""

import logging

import pytest
from django.test import override_settings

from tests.helpers import assert_error


@pytest.mark.django_db
@override_settings(ALLOWED_HOSTS=["api.veza.example"])
@pytest.mark.parametrize("method", ["get", "head"])
def test_health_answers_a_probe_by_ip_outside_allowed_hosts(client, caplog, method):
    with caplog.at_level(logging.WARNING):
        response = getattr(client, method)("/api/v1/health", HTTP_HOST="172.17.0.2:8000")

    assert response.status_code == 200
    if method == "get":
        assert response.json()["status"] == "ok"
        assert set(response.json()) == {"status", "version", "database"}
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.django_db
@override_settings(ALLOWED_HOSTS=["api.veza.example"])
def test_other_paths_still_refuse_a_host_outside_allowed_hosts(client):
    response = client.get("/api/v1/features", HTTP_HOST="evil.example")

    assert_error(response, 400, "VALIDATION_ERROR")


@pytest.mark.django_db
@override_settings(ALLOWED_HOSTS=["api.veza.example"])
def test_health_is_json_even_for_a_browser(client):
    response = client.get("/api/v1/health", HTTP_HOST="10.0.0.1", HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
