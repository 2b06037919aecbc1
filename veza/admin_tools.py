"""Shared pieces of the operations console (the Django admin)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.apps import apps as django_apps
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.utils import model_ngettext, quote
from django.core.exceptions import PermissionDenied
from django.db import router, transaction
from django.http import QueryDict
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator, capfirst

from veza.audit import RequestMeta, audit_record

REASON_MAX_LENGTH = 500
CONFIRM_FIELD = "confirm"
CONFIRM_LIST_LIMIT = 50


class ReadOnlyAdminMixin:
    """Staff may look; adding, editing and deleting are off unless a class turns one back on.

    Many tables are written only by services (audit entries, invoices, devices, keys): the admin
    shows them and offers audited actions, but its generic forms must not bypass the rules.
    Set ``allow_add``, ``allow_change`` or ``allow_delete`` to keep one of Django's own, still
    subject to the staff member's model permissions. Works for model admins and inlines. A
    model admin that allows deletion also takes :class:`AuditedDeleteMixin`.
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


class ReasonForm(forms.Form):
    """The one field of a confirmation page: why, in words another staff member will read."""

    reason = forms.CharField(
        label="Reason",
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text="Required. Recorded in the audit log with your name and address.",
        error_messages={"required": "Say why: the reason is recorded in the audit log."},
    )

    def clean_reason(self) -> str:
        reason = " ".join(self.cleaned_data["reason"].split())
        if not reason:
            raise forms.ValidationError("Say why: the reason is recorded in the audit log.")
        return reason


def action_confirm(
    modeladmin,
    request,
    queryset,
    *,
    title: str,
    consequence: str,
    confirm_label: str,
    perform: Callable[[str], None],
    describe: Callable[[Any], str] = str,
    summary: DeletionSummary | None = None,
):
    """Put a destructive admin action behind a confirmation page that asks for a reason.

    Use it as the whole body of the action::

        @admin.action(description="Disable the selected endpoints…", permissions=["change"])
        def disable(self, request, queryset):
            return action_confirm(
                self, request, queryset,
                title="Disable webhook endpoints",
                consequence="No event is delivered to them until an owner enables them again.",
                confirm_label="Yes, disable them",
                perform=lambda reason: self._disable(request, queryset, reason),
            )

    The changelist's POST (action chosen, rows ticked) shows the page and changes nothing; the
    page posts the same action back with ``confirm=yes`` and the reason. A missing or blank
    reason shows the page again with the error; a valid one calls ``perform(reason)``, which
    must run the service (passing the reason, so the service's audit row carries it) and tell
    the user what happened with ``message_user``; the admin then returns to the changelist.

    A deletion passes its ``summary`` (:class:`DeletionSummary`): the page then lists the rows
    with everything that goes with them, and refuses (no form, nothing performed) when a
    related row is protected or the staff member may not delete one of them.
    """
    confirming = request.POST.get(CONFIRM_FIELD) == "yes"
    form = ReasonForm(request.POST if confirming else None)
    blocked = summary is not None and summary.is_blocked
    if confirming and form.is_valid() and not blocked:
        perform(form.cleaned_data["reason"])
        return None
    if summary is None:
        shown = list(queryset[:CONFIRM_LIST_LIMIT])
        objects, listed = [describe(obj) for obj in shown], len(shown)
        total = listed if listed < CONFIRM_LIST_LIMIT else queryset.count()
    else:
        objects, listed = _nested_head(summary.deleted_objects, CONFIRM_LIST_LIMIT)
        total = queryset.count()
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "subtitle": None,
        "consequence": consequence,
        "confirm_label": confirm_label,
        "form": form,
        "objects": objects,
        "more": total - listed,
        "total": total,
        "summary": summary,
        "blocked": blocked,
        "opts": modeladmin.model._meta,
        "action": request.POST.get("action", ""),
        "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
        "select_across": request.POST.get("select_across", "0"),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "confirm_field": CONFIRM_FIELD,
        "media": modeladmin.media,
    }
    return TemplateResponse(request, "admin/action_confirm.html", context)


# --- Deletions: audited, with a reason ---------------------------------------------------------


@dataclass(frozen=True)
class DeletionSummary:
    """What deleting a selection takes with it, as Django's ``get_deleted_objects`` reports it:
    the nested list of rows (each followed by the list of its cascades), the count per model,
    the kinds of related rows the staff member may not delete, and the protected rows."""

    deleted_objects: list
    model_count: dict
    perms_lacking: set
    protected: list

    @property
    def is_blocked(self) -> bool:
        return bool(self.perms_lacking or self.protected)


def _nested_head(nested: list, limit: int) -> tuple[list, int]:
    """The first ``limit`` rows of a ``get_deleted_objects`` list, each with its cascades, and
    how many rows that is."""
    head: list = []
    rows = 0
    for item in nested:
        if isinstance(item, list):
            if head:
                head.append(item)
            continue
        if rows == limit:
            break
        head.append(item)
        rows += 1
    return head, rows


def objects_delete_audited(modeladmin, request, objects: list, *, reason: str) -> None:
    """Delete ``objects`` through ``modeladmin.delete_objects`` with one audit row each
    (``<model>.admin_delete``: the staff member, their address, the reason and what the row
    was), all in one transaction: if an audit row cannot be written, nothing is deleted."""
    opts = modeladmin.model._meta
    meta = RequestMeta.from_request(request)
    with transaction.atomic(using=router.db_for_write(modeladmin.model)):
        for obj in objects:
            entry = audit_record(
                action=f"{opts.model_name}.admin_delete",
                actor=request.user,
                target=obj,
                meta=meta,
                metadata={"reason": reason, "object": str(obj)[:REASON_MAX_LENGTH]},
            )
            if entry is None:
                raise RuntimeError(f"No audit row for deleting {opts.label} {obj.pk}: kept.")
        modeladmin.log_deletions(request, objects)
        modeladmin.delete_objects(request, objects)


class AuditedDeleteMixin:
    """Deletion from the admin asks for a reason and leaves one audit row per deleted row.

    Django's own "Delete selected" action is switched off for the whole site
    (``veza.admin_site.VezaAdminSite``); this mixin offers an audited one in its place, behind
    the confirmation page (``action_confirm``) listing what goes with the rows as Django's page
    does, and gives the object page's "Delete" a required reason too. Every admin that lets
    staff delete uses it (``tests/test_admin_deletions.py`` walks the site to make sure).

    Rows whose deletion means more than a ``DELETE`` (a cache to refresh, a service to call)
    override :meth:`delete_objects`; never ``delete_model``/``delete_queryset``, which carry
    the audit. Whether a staff member may delete is still ``has_delete_permission``.
    """

    delete_confirmation_template = "admin/audited_delete_confirmation.html"

    def delete_objects(self, request, objects: list) -> None:
        """Delete ``objects`` (already audited, inside the transaction): one ``DELETE`` and
        its cascades by default."""
        self.model._default_manager.filter(pk__in=[obj.pk for obj in objects]).delete()

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        if (
            self.actions is None
            or IS_POPUP_VAR in request.GET
            or not self.has_delete_permission(request)
        ):
            return actions
        return {"delete_selected": self.get_action("delete_selected"), **actions}

    @admin.action(description="Delete selected %(verbose_name_plural)s…", permissions=["delete"])
    def delete_selected(self, request, queryset):
        deleted_objects, model_count, perms_lacking, protected = self.get_deleted_objects(
            queryset, request
        )
        summary = DeletionSummary(deleted_objects, dict(model_count), perms_lacking, protected)
        verb = "Cannot delete" if summary.is_blocked else "Delete"

        def perform(reason: str) -> None:
            objects = list(queryset)
            objects_delete_audited(self, request, objects, reason=reason)
            self.message_user(
                request,
                f"{len(objects)} {model_ngettext(self.opts, len(objects))} deleted.",
                messages.SUCCESS,
            )

        return action_confirm(
            self,
            request,
            queryset,
            title=f"{verb} {self.opts.verbose_name_plural}",
            consequence=(
                "They are deleted for good, with every related row listed below. "
                "This cannot be undone."
            ),
            confirm_label="Yes, delete",
            perform=perform,
            summary=summary,
        )

    def delete_view(self, request, object_id, extra_context=None):
        """Django's page, with a required reason: a POST without one shows the page again
        (Django deletes on any non-empty POST, so it is handed an empty one)."""
        posted = request.method == "POST"
        form = ReasonForm(request.POST if posted else None)
        if posted and not form.is_valid():
            request = copy.copy(request)
            request.POST = QueryDict()
        context = {**(extra_context or {}), "reason_form": form}
        return super().delete_view(request, object_id, context)

    def delete_model(self, request, obj):
        objects_delete_audited(self, request, [obj], reason=_posted_reason(request))

    def delete_queryset(self, request, queryset):
        objects_delete_audited(self, request, list(queryset), reason=_posted_reason(request))


def _posted_reason(request) -> str:
    """The reason posted with a deletion; without one, the deletion is refused."""
    form = ReasonForm(request.POST)
    if not form.is_valid():
        raise PermissionDenied("A deletion from the admin needs a reason.")
    return form.cleaned_data["reason"]


# --- The operations home page (the admin index) ------------------------------------------------

NEEDS_ATTENTION = "Needs attention"
FAILED_JOBS = "Failed background jobs"
#: Sections in the order the home page shows them.
OPERATIONS_SECTIONS = (NEEDS_ATTENTION, FAILED_JOBS)


@dataclass(frozen=True)
class PanelReading:
    """What one panel shows now: a value (a count, or a state such as "ON"), whether it needs
    someone (drawn in red), the filtered list it links to, and optionally one action link."""

    value: str
    is_alert: bool
    url: str
    action_label: str = ""
    action_url: str = ""


@dataclass(frozen=True)
class OperationsPanel:
    key: str
    section: str
    title: str
    help_text: str
    permission: str  # "app_label.codename": the panel is shown to staff who hold it
    read: Callable[[], PanelReading]
    order: int = 100


_panels: dict[str, OperationsPanel] = {}


def operations_panel_register(panel: OperationsPanel) -> OperationsPanel:
    """Add a panel to the operations home page. Apps call this from their ``admin.py`` (the
    ground floor knows no app: each app says what its operators must watch)."""
    _panels[panel.key] = panel
    return panel


def operations_count_panel(
    *,
    key: str,
    section: str,
    title: str,
    help_text: str,
    model,
    filters: dict[str, str],
    order: int = 100,
) -> OperationsPanel:
    """A panel counting the rows of ``model`` that match ``filters`` (one ``COUNT`` query),
    linking to the model's admin list filtered the same way. ``filters`` are exact lookups the
    list accepts as querystring parameters (e.g. ``{"status__exact": "failed"}``), so the count
    and the list it opens are one and the same filter."""
    meta = model._meta
    changelist = f"admin:{meta.app_label}_{meta.model_name}_changelist"

    def read() -> PanelReading:
        count = model._default_manager.filter(**filters).count()
        return PanelReading(
            value=str(count),
            is_alert=count > 0,
            url=f"{reverse(changelist)}?{urlencode(filters)}",
        )

    return operations_panel_register(
        OperationsPanel(
            key=key,
            section=section,
            title=title,
            help_text=help_text,
            permission=f"{meta.app_label}.view_{meta.model_name}",
            read=read,
            order=order,
        )
    )


def operations_panels_read(user) -> list[dict]:
    """The home page's sections with the panels ``user`` may see, each read now."""
    visible = sorted(
        (panel for panel in _panels.values() if user.has_perm(panel.permission)),
        key=lambda panel: (panel.order, panel.title),
    )
    sections = []
    for section in OPERATIONS_SECTIONS:
        rows = [
            {"panel": panel, "reading": panel.read()}
            for panel in visible
            if panel.section == section
        ]
        if rows:
            sections.append({"title": section, "rows": rows})
    return sections


# --- List columns that fit -----------------------------------------------------------------


def truncated(text, length: int = 40):
    """``text`` cut to ``length`` characters for a list column, whole on hover (``title``), so
    long titles, emails and agents keep every changelist inside a 1440 px screen."""
    text = "" if text is None else str(text)
    if len(text) <= length:
        return text
    return format_html('<span title="{}">{}</span>', text, Truncator(text).chars(length))


def admin_change_link(*, target_type: str, target_id: str, admin_site=None):
    """A link to the admin page of the row ``target_type`` (``app_label.model_name``, as the
    audit log stores it) ``target_id``, or the plain reference when that model has no page."""
    if not target_type:
        return "—"
    label = f"{target_type} {truncated(target_id, 12)}" if target_id else target_type
    try:
        model = django_apps.get_model(target_type)
    except (LookupError, ValueError):
        return label
    site = admin_site or admin.site
    if not target_id or not site.is_registered(model):
        return label
    opts = model._meta
    try:
        url = reverse(
            f"{site.name}:{opts.app_label}_{opts.model_name}_change", args=[quote(target_id)]
        )
    except NoReverseMatch:
        return label
    return format_html(
        '<a href="{}" title="{}">{} {}</a>',
        url,
        target_id,
        capfirst(opts.verbose_name),
        Truncator(target_id).chars(12),
    )


def compact_datetime(value):
    """A date-time as ``2026-11-28 09:07`` (local time), the full value on hover."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return format_html(
            '<span title="{}">{}</span>', local.isoformat(), local.strftime("%Y-%m-%d %H:%M")
        )
    return str(value)


def list_column(
    path: str,
    *,
    length: int = 32,
    description: str | None = None,
    ordering: str | None = None,
):
    """A changelist column for ``path`` (a field, or a relation's field as in ``owner__email``)
    that cannot overflow: text is cut to ``length`` characters and date-times are compact,
    both whole on hover. Assign it in the ``ModelAdmin`` and name it in ``list_display``::

        owner_email = list_column("owner__email", length=28, description="owner")
    """
    names = path.split("__")

    @admin.display(
        description=description or names[-1].replace("_", " "), ordering=ordering or path
    )
    def column(modeladmin, obj):
        value = obj
        for name in names:
            value = getattr(value, name, None)
            if value is None:
                return "—"
        if isinstance(value, datetime):
            return compact_datetime(value)
        return truncated(value, length)

    return column
