"""Fuzz every operation of the app's own OpenAPI schema (positive and malformed inputs).

Checks: no 5xx, and every response's status, content type, headers and body conform to what
the schema documents. Every new endpoint joins the fuzzing through the schema, so it stays green.
"""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.accounts.factories import UserFactory
from tests.conftest import bearer_client
from veza.wsgi import application

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def _keep_test_connection():
    """Like Django's test client: a request must not close the test's database connection."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(_keep_test_connection):
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    schema.config.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
        max_examples=30,
        deterministic=True,
    )
    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def auth_header(db):
    user = UserFactory(verified=True)
    return bearer_client(user)._credentials["HTTP_AUTHORIZATION"]


@pytest.mark.slow
@pytest.mark.django_db
@schema.parametrize()
@settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    deadline=None,
)
def test_api_conforms_to_its_schema(case, auth_header):
    case.call_and_validate(headers={"Authorization": auth_header}, checks=CHECKS)
