"""Distribution and royalty API views, split by concern; imported from here by ``urls``."""

from apps.distribution.apis.distributions import (
    DistributionDetailApi,
    DistributionHistoryApi,
    DistributionListCreateApi,
    DistributionTakedownApi,
    DistributionValidateApi,
)
from apps.distribution.apis.royalties import (
    RoyaltyImportApi,
    RoyaltyImportDetailApi,
    RoyaltySplitListCreateApi,
    RoyaltySummaryApi,
)

__all__ = [
    "DistributionDetailApi",
    "DistributionHistoryApi",
    "DistributionListCreateApi",
    "DistributionTakedownApi",
    "DistributionValidateApi",
    "RoyaltyImportApi",
    "RoyaltyImportDetailApi",
    "RoyaltySplitListCreateApi",
    "RoyaltySummaryApi",
]
