import importlib

import pytest
from django.apps import apps

seed_migration = importlib.import_module(
    "apps.platform_settings.migrations.0002_seed_platform_settings"
)


@pytest.fixture
def seeded(db):
    """The data migration's rows (a transactional test elsewhere may have flushed them)."""
    seed_migration.seed(apps, None)
