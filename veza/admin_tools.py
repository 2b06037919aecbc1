"""Shared pieces of the operations console (the Django admin)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.apps import apps as django_apps
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.utils import quote
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator, capfirst

REASON_MAX_LENGTH = 500
CONFIRM_FIELD = "confirm"
CONFIRM_LIST_LIMIT = 50


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
    """
    confirming = request.POST.get(CONFIRM_FIELD) == "yes"
    form = ReasonForm(request.POST if confirming else None)
    if confirming and form.is_valid():
        perform(form.cleaned_data["reason"])
        return None
    shown = list(queryset[:CONFIRM_LIST_LIMIT])
    total = len(shown) if len(shown) < CONFIRM_LIST_LIMIT else queryset.count()
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "subtitle": None,
        "consequence": consequence,
        "confirm_label": confirm_label,
        "form": form,
        "objects": [describe(obj) for obj in shown],
        "more": total - len(shown),
        "total": total,
        "opts": modeladmin.model._meta,
        "action": request.POST.get("action", ""),
        "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
        "select_across": request.POST.get("select_across", "0"),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "confirm_field": CONFIRM_FIELD,
        "media": modeladmin.media,
    }
    return TemplateResponse(request, "admin/action_confirm.html", context)


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
