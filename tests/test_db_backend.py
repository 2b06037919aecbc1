"""veza/db/postgresql: Django's health check, skipped on a connection that just served."""

from __future__ import annotations

import datetime

import pytest
from django.db import DatabaseError, connection, connections

from veza.db.postgresql import base

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backend"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(base.time, "monotonic", lambda: now[0])
    return now


@pytest.fixture
def wrapper(monkeypatch):
    """A connection of its own, whose SELECT 1 health checks are counted."""
    conn = connections.create_connection("default")
    checks = []
    original = conn.is_usable

    def counted():
        checks.append(True)
        return original()

    monkeypatch.setattr(conn, "is_usable", counted)
    conn.checks = checks
    yield conn
    conn.close()


def request(conn, sql="SELECT 1"):
    """What a request does to a persistent connection: Django's check when it starts, the
    queries, Django's check when it ends."""
    conn.close_if_unusable_or_obsolete()
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql)
    finally:
        conn.close_if_unusable_or_obsolete()


def test_the_project_uses_this_backend_on_postgresql():
    assert connection.settings_dict["ENGINE"] == "veza.db.postgresql"
    assert isinstance(connections["default"], base.DatabaseWrapper)


def test_a_connection_that_served_a_moment_ago_is_not_checked(wrapper, clock):
    request(wrapper)  # connects
    clock[0] += 0.5
    request(wrapper)
    request(wrapper)
    assert wrapper.checks == []


def test_an_idle_connection_is_checked_before_use(wrapper, clock):
    request(wrapper)
    clock[0] += 1.5
    request(wrapper)
    assert wrapper.checks == [True]


def test_a_connection_that_met_an_error_is_checked_before_it_serves_again(wrapper, clock):
    request(wrapper)
    assert wrapper.checks == []
    with pytest.raises(DatabaseError):
        request(wrapper, "SELECT * FROM no_such_table")
    assert wrapper.checks == [True]  # checked as that request ended, not trusted on its word
    clock[0] += 0.1
    request(wrapper)
    assert wrapper.checks == [True]


def test_a_delay_of_zero_checks_every_request(wrapper, clock):
    wrapper.settings_dict = {**wrapper.settings_dict, "CONN_HEALTH_CHECK_DELAY": 0}
    request(wrapper)
    request(wrapper)
    assert wrapper.checks == [True]


def test_a_dropped_connection_is_replaced_once_idle(wrapper, clock):
    request(wrapper)
    with connection.cursor() as cursor:  # the server ends that session, as a restart would
        cursor.execute("SELECT pg_terminate_backend(%s)", [wrapper.connection.info.backend_pid])
    clock[0] += 5
    request(wrapper)  # checked, found dead, reconnected: no error
    assert wrapper.checks == [True]


def test_timestamps_are_read_by_psycopgs_loader_as_aware_utc():
    from django.db.backends.postgresql.psycopg_any import register_tzloader

    with connection.cursor() as cursor:
        cursor.execute("SELECT TIMESTAMPTZ '2026-03-29 01:30:00.123456+02'")
        fast = cursor.fetchone()[0]
    with connection.cursor() as cursor:
        register_tzloader(datetime.UTC, cursor.cursor)  # Django's own loader
        cursor.execute("SELECT TIMESTAMPTZ '2026-03-29 01:30:00.123456+02'")
        reference = cursor.fetchone()[0]

    assert fast == reference == datetime.datetime(2026, 3, 28, 23, 30, 0, 123456, datetime.UTC)
    assert fast.tzinfo is datetime.UTC
    assert base.COMPILED_TIMESTAMPTZ_LOADER is not None  # psycopg[binary] is installed
    with connection.cursor() as cursor:
        loader = cursor.cursor.adapters.get_loader(base._TIMESTAMPTZ, base.Format.TEXT)
    assert loader is base.COMPILED_TIMESTAMPTZ_LOADER
