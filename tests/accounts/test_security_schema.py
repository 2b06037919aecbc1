"""The OpenAPI schema tells clients how to authenticate (shared/API.md, Conventions)."""

import pytest


@pytest.fixture
def schema(api_client, db):
    response = api_client.get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def test_both_security_schemes_are_declared(schema):
    schemes = schema["components"]["securitySchemes"]

    assert schemes["ApiKeyAuth"]["type"] == "apiKey"
    assert schemes["ApiKeyAuth"]["in"] == "header"
    assert schemes["ApiKeyAuth"]["name"] == "X-API-Key"
    assert {k: v for k, v in schemes["jwtAuth"].items() if k != "description"} == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }


def test_operations_name_the_schemes_they_accept_and_document_429(schema):
    me = schema["paths"]["/api/v1/users/me"]["get"]
    setup = schema["paths"]["/api/v1/auth/2fa/setup"]["post"]
    login = schema["paths"]["/api/v1/auth/login"]["post"]

    assert {"ApiKeyAuth": []} in me["security"]
    assert {"jwtAuth": []} in me["security"]
    assert "429" in me["responses"]
    assert {"ApiKeyAuth": []} not in setup["security"]  # 2FA is managed by the person only
    assert {"jwtAuth": []} in setup["security"]
    assert login["security"] == [{}]  # the empty requirement: anonymous callers are accepted
    assert "429" in login["responses"]
