from django.urls import path

from apps.distribution import apis

urlpatterns = [
    path(
        "distributions/validate",
        apis.DistributionValidateApi.as_view(),
        name="distribution-validate",
    ),
    path("distributions", apis.DistributionListCreateApi.as_view(), name="distribution-list"),
    path(
        "distributions/<uuid:distribution_id>",
        apis.DistributionDetailApi.as_view(),
        name="distribution-detail",
    ),
    path(
        "distributions/<uuid:distribution_id>/history",
        apis.DistributionHistoryApi.as_view(),
        name="distribution-history",
    ),
    path(
        "distributions/<uuid:distribution_id>/takedown",
        apis.DistributionTakedownApi.as_view(),
        name="distribution-takedown",
    ),
    path("royalties", apis.RoyaltySummaryApi.as_view(), name="royalty-summary"),
    path("royalties/import", apis.RoyaltyImportApi.as_view(), name="royalty-import"),
    path(
        "royalties/imports/<uuid:import_id>",
        apis.RoyaltyImportDetailApi.as_view(),
        name="royalty-import-detail",
    ),
    path("royalties/splits", apis.RoyaltySplitListCreateApi.as_view(), name="royalty-splits"),
]
