"""CORS (django-cors-headers): browsers on another origin may call /api/ as configured.

Development (DEBUG on, the test settings) lets any localhost / 127.0.0.1 origin in; production
only the origins of CORS_ALLOWED_ORIGINS (settings.py, "Cross-origin requests").
"""

import pytest
from django.test import override_settings

SPA = "http://localhost:5173"


def preflight(client, path, *, origin=SPA, method="GET", headers="authorization"):
    return client.options(
        path,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD=method,
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS=headers,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "origin", ["http://localhost:5173", "https://127.0.0.1:3000", "http://[::1]:8080", SPA]
)
def test_development_preflight_from_a_local_origin_is_allowed_with_credentials(client, origin):
    response = preflight(
        client,
        "/api/v1/tracks",
        origin=origin,
        headers="authorization, x-api-key, range, if-none-match, if-modified-since, if-range",
    )

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == origin
    assert response["Access-Control-Allow-Credentials"] == "true"
    allowed = {h.strip() for h in response["Access-Control-Allow-Headers"].split(",")}
    assert {
        "authorization",
        "x-api-key",
        "range",
        "if-none-match",
        "if-modified-since",
        "if-range",
        "content-type",
    } <= allowed
    assert "DELETE" in response["Access-Control-Allow-Methods"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "http://localhost.evil.example",
        "http://127.0.0.2:80",
        "http://localhost:5173.evil.example",
        "null",
    ],
)
def test_other_origins_get_no_cors_headers(client, origin):
    response = preflight(client, "/api/v1/tracks", origin=origin)

    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.django_db
def test_simple_request_exposes_rate_limit_range_and_cache_headers(client):
    response = client.get("/api/v1/tracks", HTTP_ORIGIN=SPA)

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == SPA
    exposed = {h.strip().lower() for h in response["Access-Control-Expose-Headers"].split(",")}
    assert {
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
        "retry-after",
        "content-range",
        "accept-ranges",
        "content-disposition",
        "etag",
        "x-cache",
    } <= exposed


@pytest.mark.django_db
def test_error_answers_carry_cors_headers_too(client):
    response = client.get("/api/v1/users/me", HTTP_ORIGIN=SPA)

    assert response.status_code == 401
    assert response["Access-Control-Allow-Origin"] == SPA


@pytest.mark.django_db
def test_cors_applies_to_the_api_only(client):
    response = preflight(client, "/admin/login/")

    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.django_db
@override_settings(
    CORS_ALLOWED_ORIGIN_REGEXES=[], CORS_ALLOWED_ORIGINS=["https://app.veza.example"]
)
def test_production_allows_only_the_configured_origins(client):
    configured = preflight(client, "/api/v1/tracks", origin="https://app.veza.example")
    local = preflight(client, "/api/v1/tracks", origin=SPA)

    assert configured["Access-Control-Allow-Origin"] == "https://app.veza.example"
    assert "Access-Control-Allow-Origin" not in local
