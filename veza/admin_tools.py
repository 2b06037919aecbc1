"""Shared pieces of the operations console (the Django admin)."""


class ReadOnlyAdminMixin:
    """Staff may look; adding, editing and deleting are off unless a class turns one back on.

    Many tables are written only by services (audit entries, invoices, devices, keys): the admin
    shows them and offers audited actions, but its generic forms must not bypass the rules.
    Set ``allow_add``, ``allow_change`` or ``allow_delete`` to keep one of Django's own, still
    subject to the staff member's model permissions. Works for model admins and inlines.
    """

    allow_add = False
    allow_change = False
    allow_delete = False

    def has_add_permission(self, request, *args):
        return self.allow_add and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self.allow_change and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.allow_delete and super().has_delete_permission(request, obj)
