"""Every read of the personal-data app."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from apps.gdpr.exceptions import ExportExpired, ExportNotReady
from apps.gdpr.models import DataExport, ExportStatus
from veza.api.exceptions import NotFound


def export_list_for_user(*, user) -> QuerySet[DataExport]:
    return DataExport.objects.filter(user=user).order_by("-created_at", "-id")


def export_downloadable(*, export_id, user) -> DataExport:
    """The caller's own export while it can be downloaded: someone else's is a 404 (its
    existence is not revealed), one still building or failed a 409, an expired one a 404."""
    export = DataExport.objects.filter(pk=export_id, user=user).first()
    if export is None:
        raise NotFound("No such export.")
    if export.status == ExportStatus.EXPIRED or (
        export.status == ExportStatus.READY and export.expires_at <= timezone.now()
    ):
        raise ExportExpired()
    if export.status != ExportStatus.READY:
        raise ExportNotReady()
    return export
