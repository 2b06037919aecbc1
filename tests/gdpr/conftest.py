import importlib

import pytest
from django.apps import apps

_plans = importlib.import_module("apps.billing.migrations.0002_seed_plans")


@pytest.fixture(autouse=True)
def _isolated_media(request, media_root):
    """Archives, uploads and the erasure ledger go to a folder of this test; the plans are
    seeded as the migration does (a transactional test elsewhere may have flushed them)."""
    if request.node.get_closest_marker("django_db") is not None:
        _plans.seed_plans(apps, None)
    return media_root
