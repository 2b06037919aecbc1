"""This app's own data: export archives hold everything about the user, so they go now."""

from apps.gdpr.erasure.base import ErasureContext, ErasureStep
from apps.gdpr.models import DataExport, ExportStatus
from apps.gdpr.services.exports import export_file_delete


def exports_delete(ctx: ErasureContext) -> dict:
    files = sum(
        export_file_delete(export=export)
        for export in DataExport.objects.filter(user=ctx.user, status=ExportStatus.READY)
    )
    DataExport.objects.filter(
        user=ctx.user, status__in=(ExportStatus.PENDING, ExportStatus.PROCESSING)
    ).update(status=ExportStatus.FAILED, finished_at=ctx.now, failure_reason="Account deleted")
    return {"export_files_deleted": files}


STEPS = [
    ErasureStep(
        "exports",
        now=exports_delete,
        erased_now=("Your data export archives are deleted.",),
    ),
]
