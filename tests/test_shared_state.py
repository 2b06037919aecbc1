"""Nothing two processes must agree on lives in one process (README "Scaling out"), and the
PgBouncer switch gives the settings transaction pooling needs."""

import json

import pytest
from django.core.cache import caches

from tests.test_settings import PRODUCTION, manage

FEATURES = "/api/v1/features"


@pytest.mark.django_db
def test_without_a_shared_cache_anonymous_answers_are_not_cached_per_process(settings, client):
    """An in-process cache could not be invalidated in the other gunicorn workers."""
    settings.REDIS_URL = ""

    first = client.get(FEATURES)
    second = client.get(FEATURES)

    assert (first.status_code, second.status_code) == (200, 200)
    assert "X-Cache" not in second
    assert not any(key for key in caches["default"].keys("*") if "respcache" in key)


def _database_settings(**env) -> dict:
    result = manage(
        "shell",
        "-c",
        "import json; from django.db import connection; "
        "d = connection.settings_dict; "
        "print(json.dumps({'CONN_MAX_AGE': d['CONN_MAX_AGE'], 'OPTIONS': d['OPTIONS'], "
        "'DISABLE_SERVER_SIDE_CURSORS': bool(d.get('DISABLE_SERVER_SIDE_CURSORS'))}))",
        **{**PRODUCTION, "DATABASE_URL": "postgres://veza@pgbouncer:6432/veza", **env},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_database_pgbouncer_sets_what_transaction_pooling_requires():
    assert _database_settings(DATABASE_PGBOUNCER="true") == {
        "CONN_MAX_AGE": 0,
        "DISABLE_SERVER_SIDE_CURSORS": True,
        "OPTIONS": {"prepare_threshold": None},
    }


@pytest.mark.slow
def test_without_pgbouncer_connections_persist_and_cursors_stay_server_side():
    assert _database_settings() == {
        "CONN_MAX_AGE": 60,
        "DISABLE_SERVER_SIDE_CURSORS": False,
        "OPTIONS": {},
    }
