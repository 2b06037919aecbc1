import importlib

import pytest
from django.apps import apps

_plans = importlib.import_module("apps.billing.migrations.0002_seed_plans")
_beat = importlib.import_module("apps.billing.migrations.0003_seed_billing_periodic_task")


@pytest.fixture(autouse=True)
def _seeded_as_migrated(request):
    """Transactional tests flush the database, data migrations' rows included, when they end
    (and ``--reuse-db`` keeps that state). Put the seeded plans and the periodic task back for
    every database test, with the migrations' own (idempotent) functions."""
    if request.node.get_closest_marker("django_db") is not None:
        _plans.seed_plans(apps, None)
        _beat.register(apps, None)
