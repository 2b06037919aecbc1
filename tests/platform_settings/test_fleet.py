"""Two real server processes on one database: a flip through one reaches the other."""

import time

import pytest
import requests
from django.db import connection

from tests.accounts.factories import UserFactory
from tests.conftest import bearer_client
from tests.servers import gunicorn_server

PROMISED_SECONDS = 1.0


def _wait_for_status(url, status, limit):
    start = time.monotonic()
    while time.monotonic() - start < limit + 2:
        if requests.get(url, timeout=5).status_code == status:
            return time.monotonic() - start
        time.sleep(0.02)
    return None


@pytest.mark.slow
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_flip_through_one_process_reaches_the_other_within_a_second(seeded):
    staff = UserFactory(is_staff=True, is_verified=True)
    auth = {"Authorization": bearer_client(staff)._credentials["HTTP_AUTHORIZATION"]}

    with gunicorn_server() as server_a, gunicorn_server() as server_b:
        features_b = server_b + "/api/v1/features"
        assert requests.get(features_b, timeout=5).status_code == 200

        flip = requests.put(
            server_a + "/api/v1/admin/maintenance", json={"enabled": True}, headers=auth, timeout=5
        )
        assert flip.status_code == 200
        seen_on = _wait_for_status(features_b, 503, PROMISED_SECONDS)
        assert seen_on is not None
        assert seen_on <= PROMISED_SECONDS, seen_on
        assert requests.get(server_b + "/api/v1/health", timeout=5).status_code == 200

        off = requests.put(
            server_b + "/api/v1/admin/maintenance", json={"enabled": False}, headers=auth, timeout=5
        )
        assert off.status_code == 200
        seen_off = _wait_for_status(server_a + "/api/v1/features", 200, PROMISED_SECONDS)
        assert seen_off is not None
        assert seen_off <= PROMISED_SECONDS, seen_off


@pytest.mark.slow
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_without_redis_every_process_still_follows_the_database_within_the_ttl(seeded):
    staff = UserFactory(is_staff=True, is_verified=True)
    auth = {"Authorization": bearer_client(staff)._credentials["HTTP_AUTHORIZATION"]}
    no_redis = {"REDIS_URL": "redis://127.0.0.1:1/0", "MAINTENANCE_CACHE_TTL": "2"}

    with gunicorn_server(no_redis) as server_a, gunicorn_server(no_redis) as server_b:
        assert requests.get(server_b + "/api/v1/features", timeout=5).status_code == 200
        flip = requests.put(
            server_a + "/api/v1/admin/maintenance", json={"enabled": True}, headers=auth, timeout=5
        )
        assert flip.status_code == 200
        assert requests.get(server_a + "/api/v1/features", timeout=5).status_code == 503
        seen = _wait_for_status(server_b + "/api/v1/features", 503, 2.0)
        assert seen is not None
        assert seen <= 2.0 + 0.5, seen

    with gunicorn_server() as restarted:  # the flip survives a restart
        assert requests.get(restarted + "/api/v1/features", timeout=5).status_code == 503
