import importlib

import pytest
from django.apps import apps

_plans = importlib.import_module("apps.billing.migrations.0002_seed_plans")


@pytest.fixture(autouse=True)
def _isolated_media_and_plans(request, media_root):
    """Media (covers, audio) in a per-test folder; the seeded plans put back for every database
    test (transactional tests flush data migrations' rows, and ``--reuse-db`` keeps that)."""
    if request.node.get_closest_marker("django_db") is not None:
        _plans.seed_plans(apps, None)
    return media_root
