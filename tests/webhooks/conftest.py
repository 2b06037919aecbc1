import pytest

from tests.webhooks.receiver import Receiver


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def private_targets_allowed(settings):
    """The documented test-only allowance: deliveries may reach the receiver on localhost."""
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    return settings
