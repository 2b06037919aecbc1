import pytest


@pytest.fixture(autouse=True)
def _isolated_media(media_root):
    """Every storage test stores into its own folder (or bucket, in the S3 pass)."""
    return media_root
