import pytest


@pytest.fixture(autouse=True)
def _isolated_media(media_root):
    """Every catalog/streaming test writes media into its own folder, with a fresh flag state."""
    return media_root
