"""The one list of erasure steps, one module per domain, run in this order.

A new app adds its part of deleting an account here: write ``apps/gdpr/erasure/<app>.py`` with
a ``STEPS`` list (see :mod:`apps.gdpr.erasure.base`), then add one line below, before
``accounts`` (which runs last so it also anonymises the audit entries the others write).
"""

from apps.gdpr.erasure import (
    accounts,
    analytics,
    billing,
    catalog,
    distribution,
    education,
    exports,
    messaging,
    streaming,
    webhooks,
)
from apps.gdpr.erasure.base import ErasureContext, ErasureStep

STEPS: list[ErasureStep] = [
    *webhooks.STEPS,
    *distribution.STEPS,
    *billing.STEPS,
    *catalog.STEPS,
    *streaming.STEPS,
    *analytics.STEPS,
    *education.STEPS,
    *messaging.STEPS,
    *exports.STEPS,
    *accounts.STEPS,
]

__all__ = ["STEPS", "ErasureContext", "ErasureStep"]
