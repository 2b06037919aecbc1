"""The test-only allowance never reaches production: ``check --deploy`` refuses it."""

import pytest

from tests.test_settings import PRODUCTION, manage


@pytest.mark.slow
def test_check_deploy_fails_when_private_webhook_targets_are_allowed():
    result = manage("check", "--deploy", **{**PRODUCTION, "WEBHOOKS_ALLOW_PRIVATE_TARGETS": "true"})

    assert result.returncode != 0
    assert "webhooks.E001" in result.stderr + result.stdout
