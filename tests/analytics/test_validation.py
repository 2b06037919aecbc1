"""Bad ranges, zones and granularities are 400 VALIDATION_ERROR with field details."""

import pytest
from freezegun import freeze_time

from tests.analytics.factories import assert_error
from tests.conftest import bearer_client

BASE = "/api/v1/creator/analytics"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "details"),
    [
        ({"tz": "Mars/Olympus"}, {"tz": ["Not an IANA time zone name."]}),
        ({"tz": "../../etc/passwd"}, {"tz": ["Not an IANA time zone name."]}),
        ({"from": "2026-05-10", "to": "2026-05-09"}, {"from": ["Must not be after `to`."]}),
        ({"from": "2025-01-01", "to": "2026-01-02"}, {"to": ["The range is at most 366 days."]}),
        (
            {"from": "1999-12-31", "to": "2000-01-02"},
            {"from": ["Must be between 2000-01-01 and 2100-12-31."]},
        ),
        (
            {"from": "2026-01-01", "to": "2026-02-01", "granularity": "hour"},
            {"to": ["The range is at most 31 days."]},
        ),
        (
            {"granularity": "fortnight"},
            {"granularity": ['"fortnight" is not a valid choice.']},
        ),
        (
            {"from": "2026-02-30"},
            {"from": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]},
        ),
    ],
)
def test_bad_queries_are_refused_with_field_details(creator_client, params, details):
    response = creator_client.get(f"{BASE}/plays", params)

    assert assert_error(response, 400, "VALIDATION_ERROR") == details


@pytest.mark.django_db
def test_the_default_range_is_the_last_28_days_in_the_callers_zone(creator):
    with freeze_time("2026-05-10T23:30:00Z"):  # already the 11th in Paris
        body = bearer_client(creator).get(f"{BASE}/plays", {"tz": "Europe/Paris"}).json()

    assert (body["from"], body["to"], len(body["series"])) == ("2026-04-14", "2026-05-11", 28)


@pytest.mark.django_db
def test_an_unknown_ordering_falls_back_to_newest_tracks_first(creator_client):
    response = creator_client.get(f"{BASE}/tracks", {"ordering": "password; DROP TABLE"})

    assert response.status_code == 200


@pytest.mark.django_db
def test_an_export_of_live_needs_a_stream_id(creator_client):
    response = creator_client.get(f"{BASE}/export", {"report": "live"})

    assert assert_error(response, 400, "VALIDATION_ERROR") == {
        "stream_id": ["Required for report=live."]
    }
