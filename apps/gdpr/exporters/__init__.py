"""The one list of exporters: each app's data about a user, one module per domain.

A new app registers its exporters here: write ``apps/gdpr/exporters/<app>.py`` with an
``EXPORTERS`` list (see :mod:`apps.gdpr.exporters.base`), then add one line below.
"""

from apps.gdpr.exporters import (
    accounts,
    billing,
    catalog,
    distribution,
    education,
    messaging,
    streaming,
    webhooks,
)
from apps.gdpr.exporters.base import Exporter

EXPORTERS: list[Exporter] = [
    *accounts.EXPORTERS,
    *catalog.EXPORTERS,
    *streaming.EXPORTERS,
    *billing.EXPORTERS,
    *education.EXPORTERS,
    *distribution.EXPORTERS,
    *messaging.EXPORTERS,
    *webhooks.EXPORTERS,
]

__all__ = ["EXPORTERS", "Exporter"]
