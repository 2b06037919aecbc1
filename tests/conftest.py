"""Shared fixtures: an API client, accounts, eager Celery and a clean cache per test; the
shared assertions live in ``tests/helpers.py`` (``assert_error`` is re-exported here)."""

from contextlib import contextmanager

import pytest
from django.conf import settings
from django.core.cache import cache
from rest_framework.test import APIClient

from apps.accounts.services.sessions import session_tokens_issue
from apps.platform_settings import state as platform_state
from tests.accounts.factories import UserFactory
from tests.helpers import assert_error  # noqa: F401  (re-exported for every test folder)
from veza import shared_cache, versioned_cache
from veza.celery import app as celery_app

PRODUCTION_PASSWORD_HASHERS = list(settings.PASSWORD_HASHERS)


def pytest_configure(config):
    """Tests hash passwords with a fast hasher: Argon2 is slow on purpose, and every user the
    factories create would pay for it. ``test_settings.py`` pins Argon2 as the production hasher
    (``PRODUCTION_PASSWORD_HASHERS``); servers started by ``tests/servers.py`` keep it too."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Staff APIs demand a 2FA login as in production (DEBUG is on when settings load here).
    settings.STAFF_API_REQUIRE_OTP = True


def pytest_collection_modifyitems(config, items):
    """Tests on a transactional database (real parallel requests, a live server, committed
    rows) are ``slow``: each flushes every table when it ends. ``make test`` runs them;
    ``make test-fast`` (``-m "not slow"``) leaves them out for a quick loop."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        transactional = marker is not None and marker.kwargs.get("transaction", False)
        fixtures = getattr(item, "fixturenames", ())
        if transactional or "live_server" in fixtures or "transactional_db" in fixtures:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True, scope="session")
def _celery_eager():
    """Tasks run in-process and raise, so a test sees their effects and their failures."""
    previous = (celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates)
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = previous


@pytest.fixture(autouse=True)
def _clean_cache():
    """Each test starts with an empty shared cache and no cached platform settings, outside
    any request (a streamed answer the test never read leaves its request open)."""
    cache.clear()
    shared_cache.reset()
    platform_state.forget()
    versioned_cache._request_end()
    yield
    cache.clear()
    platform_state.forget()


@pytest.fixture
def django_assert_num_queries(django_assert_num_queries):
    """Query counts of the steady state: the per-process platform-settings snapshot is warm.

    In production each process loads the snapshot once per TTL window, not per request
    (apps/platform_settings/state.py); the tests forget it between tests, so warm it here.
    """

    @contextmanager
    def assert_num_queries(num, *args, **kwargs):
        platform_state.current()
        with django_assert_num_queries(num, *args, **kwargs) as context:
            yield context

    return assert_num_queries


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


def bearer_client(user, *, otp_verified: bool = False) -> APIClient:
    """A client signed in as ``user`` with a bearer token, as the login service issues them.

    ``otp_verified=True`` marks the login as one that passed 2FA, which staff APIs require
    (``StaffTwoFactorLogin``; the suite runs with ``STAFF_API_REQUIRE_OTP`` on, as production).
    """
    client = APIClient()
    token = session_tokens_issue(user=user, otp_verified=otp_verified)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token.access_token}")
    return client


def staff_bearer_client(user) -> APIClient:
    """A staff member signed in with password and one-time code."""
    return bearer_client(user, otp_verified=True)


@pytest.fixture
def user(db):
    return UserFactory(verified=True)


@pytest.fixture
def user_client(user) -> APIClient:
    return bearer_client(user)


@pytest.fixture
def staff_user(db):
    return UserFactory(staff=True)


# Catalog and streaming fixtures (media folder per test, track factories, HLS switch).
pytest_plugins = ["tests.catalog.fixtures"]
