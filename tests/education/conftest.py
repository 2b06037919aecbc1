import pytest


@pytest.fixture(autouse=True)
def _isolated_media(media_root):
    """Every education test writes lesson media into its own folder, with a fresh flag state."""
    return media_root
