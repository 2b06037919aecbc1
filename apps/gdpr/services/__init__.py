"""Every write of the personal-data app. The API, the admin and the tasks call these."""

from apps.gdpr.services.archive import FORMAT_VERSION, archive_build
from apps.gdpr.services.deletion import (
    account_delete,
    account_erase,
    deletion_finish,
    deletion_receipt,
    deletions_finish_due,
    erasures_replay,
    retained_invoices_purge,
)
from apps.gdpr.services.exports import (
    export_file_delete,
    export_process,
    export_request,
    exports_expire,
    exports_requeue_stalled,
)

__all__ = [
    "FORMAT_VERSION",
    "account_delete",
    "account_erase",
    "archive_build",
    "deletion_finish",
    "deletion_receipt",
    "deletions_finish_due",
    "erasures_replay",
    "export_file_delete",
    "export_process",
    "export_request",
    "exports_expire",
    "exports_requeue_stalled",
    "retained_invoices_purge",
]
