import importlib

import pytest
from django.apps import apps

_seed = importlib.import_module("apps.billing.migrations.0002_seed_plans")


@pytest.fixture(autouse=True)
def _plans_as_migrated(request):
    """Transactional tests flush the database, the migration's plans included, when they end
    (and ``--reuse-db`` keeps that state). Put the seeded plans back for every database test,
    with the migration's own function, exactly as a fresh install has them."""
    if request.node.get_closest_marker("django_db") is not None:
        _seed.seed_plans(apps, None)
