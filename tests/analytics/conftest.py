import pytest

from tests.analytics.factories import CreatorFactory
from tests.conftest import bearer_client


@pytest.fixture(autouse=True)
def _media(media_root):
    """Tracks from the factories store a small file: keep it in a temporary folder."""


@pytest.fixture
def creator(db):
    return CreatorFactory()


@pytest.fixture
def creator_client(creator):
    return bearer_client(creator)
