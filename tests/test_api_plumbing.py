"""Shared API plumbing: the envelope everywhere, health, schema and docs."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import path

from tests.helpers import assert_error
from veza import __version__

ROOT = Path(__file__).resolve().parent.parent


def _boom(request):
    raise RuntimeError("secret internal detail")


urlpatterns = [path("api/v1/boom", _boom), path("boom", _boom)]


@pytest.mark.django_db
def test_unknown_api_path_is_a_not_found_envelope(api_client):
    response = api_client.get("/api/v1/does-not-exist")

    assert_error(response, 404, "NOT_FOUND")


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_unknown_api_path_is_an_envelope_even_in_debug(client):
    response = client.get("/api/v1/does-not-exist")

    assert_error(response, 404, "NOT_FOUND")


@pytest.mark.django_db
def test_wrong_method_is_a_method_not_allowed_envelope(api_client):
    response = api_client.delete("/api/v1/health")

    assert_error(response, 405, "METHOD_NOT_ALLOWED")


@pytest.mark.django_db
@pytest.mark.urls("tests.test_api_plumbing")
def test_unhandled_error_is_an_internal_error_envelope_without_traceback(client):
    client.raise_request_exception = False

    response = client.get("/api/v1/boom")

    assert_error(response, 500, "INTERNAL_ERROR")
    assert response.json() == {
        "error": {"code": "INTERNAL_ERROR", "message": "An internal error occurred.", "details": {}}
    }
    assert b"secret internal detail" not in response.content
    assert b"Traceback" not in response.content


@pytest.mark.django_db
def test_health_reports_version_and_database(api_client):
    response = api_client.get("/api/v1/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": __version__, "database": "ok"}


def test_health_answers_503_in_the_envelope_when_the_database_is_unreachable():
    """A real process whose DATABASE_URL points at a closed port."""
    script = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/api/v1/health');"
        "print(r.status_code, r['Retry-After'], json.dumps(r.json()))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "veza.settings",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:9/none",
        "REDIS_URL": "",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    status, retry_after, body = result.stdout.strip().splitlines()[-1].split(" ", 2)
    assert status == "503"
    assert retry_after == "5"
    assert '"code": "SERVICE_UNAVAILABLE"' in body
    assert '"database": "unavailable"' in body


@pytest.mark.django_db
def test_openapi_schema_and_swagger_ui_are_served(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    docs = client.get("/api/docs/")

    assert schema.status_code == 200
    document = schema.json()
    assert document["info"]["version"] == __version__
    assert "/api/v1/users/me/upgrade-creator" in document["paths"]
    upgrade = document["paths"]["/api/v1/users/me/upgrade-creator"]["post"]
    assert {"200", "401", "403", "404"} <= set(upgrade["responses"])
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()


@pytest.mark.django_db
def test_every_operation_documents_its_error_envelope(client):
    document = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    for route, operations in document["paths"].items():
        for method, operation in operations.items():
            errors = {code for code in operation["responses"] if code.startswith(("4", "5"))}
            assert "400" in errors, (method, route)
            for code in errors:
                content = operation["responses"][code]["content"]["application/json"]
                assert content["schema"] == {"$ref": "#/components/schemas/ErrorEnvelope"}, (
                    method,
                    route,
                    code,
                )


@pytest.mark.django_db
def test_json_nested_thousands_of_levels_deep_is_a_400_not_a_500(api_client):
    body = "[" * 5000 + "]" * 5000

    response = api_client.generic(
        "POST", "/api/v1/auth/login", body, content_type="application/json"
    )

    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert error["message"] == "The request body could not be parsed."


@pytest.mark.django_db
def test_swagger_ui_is_served_from_the_project_without_a_cdn_or_stored_tokens(client):
    page = client.get("/api/docs/")

    html = page.content.decode()
    assert page.status_code == 200
    assert "cdn.jsdelivr.net" not in html
    assert "unpkg.com" not in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert '"persistAuthorization": false' in html.replace("False", "false")
