"""The deploy check that keeps sandbox ISRCs away from real platforms."""

from django.test import override_settings

from apps.distribution.checks import real_provider_needs_a_real_isrc_prefix
from apps.distribution.providers import SandboxProvider


class RealProvider(SandboxProvider):
    is_sandbox = False


REAL = "tests.distribution.test_checks.RealProvider"


@override_settings(DISTRIBUTION_PROVIDER=REAL, ISRC_PREFIX="ZZVZA")
def test_a_real_provider_with_the_sandbox_isrc_prefix_fails_the_deploy_check():
    errors = real_provider_needs_a_real_isrc_prefix(None)

    assert [error.id for error in errors] == ["distribution.E001"]


@override_settings(DISTRIBUTION_PROVIDER=REAL, ISRC_PREFIX="FRZ03")
def test_a_real_provider_with_an_allocated_prefix_passes():
    assert real_provider_needs_a_real_isrc_prefix(None) == []


def test_the_sandbox_provider_may_use_the_sandbox_prefix():
    assert real_provider_needs_a_real_isrc_prefix(None) == []
