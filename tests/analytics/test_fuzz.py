"""Fuzz the analytics operations as a creator (the project-wide fuzz signs in as a listener,
who is refused before any input is read): dates, spans, zones, granularities, orderings and
bodies never give a 5xx, and every answer matches the schema."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode

from tests.analytics.factories import CreatorFactory
from tests.conftest import bearer_client
from tests.test_schemathesis import CHECKS, _keep_test_connection  # noqa: F401
from veza.wsgi import application


@pytest.fixture
def analytics_schema(_keep_test_connection):  # noqa: F811
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    schema.config.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
        max_examples=60,
        deterministic=True,
    )
    return schema.include(path_regex="^/api/v1/creator/analytics/")


schema = schemathesis.pytest.from_fixture("analytics_schema")


@pytest.fixture
def creator_header(db):
    return bearer_client(CreatorFactory())._credentials["HTTP_AUTHORIZATION"]


@pytest.mark.slow
@pytest.mark.django_db
@schema.parametrize()
@settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    deadline=None,
)
def test_analytics_operations_conform_to_their_schema_for_a_creator(case, creator_header):
    case.call_and_validate(headers={"Authorization": creator_header}, checks=CHECKS)
