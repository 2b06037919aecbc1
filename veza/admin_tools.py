"""Shared pieces of the operations console (the Django admin)."""


class ReadOnlyAdminMixin:
    """Staff may look, never add, edit or delete here: records (audit, events, invoices' lines)
    that only services write. Deleting is still refused where a view would offer it."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
