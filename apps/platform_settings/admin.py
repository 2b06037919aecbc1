"""Platform settings in the operations console.

The maintenance switch is built for a tired operator: the list shows the state in words, the
switch is one button per direction, and it asks for confirmation showing what will happen.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from apps.platform_settings import selectors, services
from apps.platform_settings.definitions import setting_definition
from apps.platform_settings.models import PlatformSetting, ValueType
from veza.admin_tools import (
    NEEDS_ATTENTION,
    OperationsPanel,
    PanelReading,
    ReadOnlyAdminMixin,
    list_column,
    operations_panel_register,
)
from veza.api.exceptions import ApplicationError
from veza.audit import RequestMeta


class PlatformSettingForm(forms.ModelForm):
    class Meta:
        model = PlatformSetting
        fields = ("value_bool", "value_text", "value_int", "description")
        labels = {"description": "Staff notes"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        definition = setting_definition(
            key=self.instance.key, description=self.instance.description
        )
        for name in ("value_bool", "value_text", "value_int"):
            if name in self.fields:
                self.fields[name].label = definition.label
                self.fields[name].help_text = definition.help_text

    def clean(self):
        cleaned = super().clean()
        if self.instance.value_type == ValueType.BOOL and cleaned.get("value_bool") is None:
            raise ValidationError({"value_bool": "Choose on or off."})
        if self.instance.value_type == ValueType.INT and cleaned.get("value_int") is None:
            raise ValidationError({"value_int": "Enter a number."})
        return cleaned


@admin.register(PlatformSetting)
class PlatformSettingAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    # rows are created by migrations; the code reads known keys only
    allow_change = True

    form = PlatformSettingForm
    list_display = (
        "setting",
        "current_value",
        "meaning",
        "public",
        "updated",
        "updated_by",
    )
    updated = list_column("updated_at", description="updated")
    list_display_links = ("setting",)
    list_filter = ("value_type", "is_public_flag")
    search_fields = ("key", "description")
    list_select_related = ("updated_by",)
    readonly_fields = (
        "setting",
        "key",
        "value_type",
        "is_public_flag",
        "updated_at",
        "updated_by",
    )
    change_list_template = "admin/platform_settings/change_list.html"

    def get_fields(self, request, obj=None):
        value_field = (
            {
                ValueType.BOOL: "value_bool",
                ValueType.INT: "value_int",
                ValueType.TEXT: "value_text",
            }[obj.value_type]
            if obj
            else "value_text"
        )
        return (
            "setting",
            "key",
            "value_type",
            value_field,
            "description",
            "is_public_flag",
            "updated_at",
            "updated_by",
        )

    @admin.display(description="Setting", ordering="key")
    def setting(self, obj):
        label = setting_definition(key=obj.key, description=obj.description).label
        return format_html('{}<br><code class="quiet">{}</code>', label, obj.key)

    @admin.display(description="public flag", boolean=True, ordering="is_public_flag")
    def public(self, obj):
        return obj.is_public_flag

    @admin.display(description="What it does")
    def meaning(self, obj):
        return setting_definition(key=obj.key, description=obj.description).help_text

    @admin.display(description="Value")
    def current_value(self, obj):
        if obj.value_type == ValueType.BOOL:
            color = "#b00020" if (obj.key == "maintenance_mode" and obj.value_bool) else "#2e7d32"
            return format_html(
                '<strong style="color:{}">{}</strong>', color, "ON" if obj.value_bool else "off"
            )
        return obj.value

    def save_model(self, request, obj, form, change):
        field = {ValueType.BOOL: "value_bool", ValueType.INT: "value_int"}.get(
            obj.value_type, "value_text"
        )
        new_value = form.cleaned_data[field]
        try:
            services.setting_set(
                key=obj.key,
                value=new_value,
                actor=request.user,
                meta=RequestMeta.from_request(request),
                description=form.cleaned_data["description"],
            )
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)

    def get_urls(self):
        return [
            path(
                "maintenance/<str:direction>/",
                self.admin_site.admin_view(self.maintenance_view),
                name="platform_settings_maintenance",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "maintenance": selectors.maintenance_status()}
        return super().changelist_view(request, extra_context)

    def maintenance_view(self, request, direction):
        if direction not in ("on", "off") or not self.has_change_permission(request):
            return redirect("admin:platform_settings_platformsetting_changelist")
        enabled = direction == "on"
        status = selectors.maintenance_status()
        if request.method == "POST":
            message = request.POST.get("message", "").strip()[:500] or None
            services.maintenance_set(
                enabled=enabled,
                message=message,
                actor=request.user,
                meta=RequestMeta.from_request(request),
            )
            self.message_user(
                request,
                "Maintenance is ON: clients get 503 except health and the admin."
                if enabled
                else "Maintenance is OFF: the platform is serving normally.",
                messages.WARNING if enabled else messages.SUCCESS,
            )
            return redirect("admin:platform_settings_platformsetting_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": f"Turn maintenance {'ON' if enabled else 'OFF'}?",
            "enabled": enabled,
            "status": status,
            "opts": self.model._meta,
            "cancel_url": reverse("admin:platform_settings_platformsetting_changelist"),
        }
        return TemplateResponse(
            request, "admin/platform_settings/maintenance_confirm.html", context
        )


def _maintenance_reading() -> PanelReading:
    enabled = selectors.maintenance_status()["enabled"]
    direction = "off" if enabled else "on"
    return PanelReading(
        value="ON" if enabled else "off",
        is_alert=enabled,
        url=reverse("admin:platform_settings_platformsetting_changelist"),
        action_label=f"Turn maintenance {direction.upper()}…",
        action_url=reverse("admin:platform_settings_maintenance", args=[direction]),
    )


operations_panel_register(
    OperationsPanel(
        key="maintenance",
        section=NEEDS_ATTENTION,
        title="Maintenance",
        help_text="When ON, clients get 503 except health and the admin.",
        permission="platform_settings.change_platformsetting",
        read=_maintenance_reading,
        order=0,
    )
)
