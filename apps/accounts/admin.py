"""The accounts part of the operations console. Role changes go through the audited service."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp import admin as otp_totp_admin  # registers first, replaced below
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.models import (
    ApiKey,
    AuditLog,
    BackupCodeDevice,
    OAuthAccount,
    Profile,
    Role,
    User,
)
from apps.accounts.services import (
    api_key_revoke,
    api_key_staff_update,
    user_role_assign,
    user_staff_create,
    user_staff_update,
    users_deactivate,
    users_mark_verified,
)
from apps.accounts.services.two_factor import two_factor_reset
from veza.admin_tools import (
    AuditedDeleteMixin,
    ReadOnlyAdminMixin,
    action_confirm,
    admin_change_link,
    list_column,
    truncated,
)
from veza.audit import RequestMeta
from veza.normalization import email_normalize, email_normalized_fits


class NormalizedEmailUniqueMixin:
    """Staff cannot create a second account for an identity either: the address is compared
    under ``veza.normalization.email_normalize`` (the model's unique column is the real guard;
    this gives the form a field error instead of a crash)."""

    def clean_email(self):
        email = self.cleaned_data.get("email")
        if email and not email_normalized_fits(email):
            raise forms.ValidationError("Enter a valid email address.")
        if email:
            taken = User.objects.filter(email_normalized=email_normalize(email))
            if self.instance.pk:
                taken = taken.exclude(pk=self.instance.pk)
            if taken.exists():
                raise forms.ValidationError("An account with this email address already exists.")
        return email


class UserCreationForm(NormalizedEmailUniqueMixin, AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "username")


class UserChangeForm(NormalizedEmailUniqueMixin, DjangoUserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    fields = ("display_name", "bio", "avatar", "country")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    inlines = [ProfileInline]
    list_display = (
        "email_column",
        "username_column",
        "role",
        "is_verified",
        "promoted_column",
        "is_staff",
        "is_active",
        "joined_column",
    )
    email_column = list_column("email", length=40)
    username_column = list_column("username", length=20)
    promoted_column = list_column("promoted_to_creator_at", description="promoted to creator at")
    joined_column = list_column("date_joined", description="joined")
    list_filter = ("role", "is_verified", "is_staff", "is_active", "date_joined")
    search_fields = ("email", "username")
    ordering = ("-date_joined",)
    readonly_fields = ("id", "promoted_to_creator_at", "date_joined", "last_login")
    list_select_related = ()
    show_full_result_count = False
    fieldsets = (
        (None, {"fields": ("id", "email", "username", "password")}),
        (_("Role"), {"fields": ("role", "is_verified", "promoted_to_creator_at")}),
        # Staff rights are is_staff/is_superuser and the role: no groups or per-user
        # permissions to keep in step (their pages are not in this admin).
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "username", "password1", "password2")}),
    )
    actions = ["mark_verified", "deactivate"]

    def has_delete_permission(self, request, obj=None):
        """An account is erased under the personal-data rules, never deleted from a form:
        staff deactivate it here or delete it from "Data subjects" (apps.gdpr), audited."""
        return False

    def save_model(self, request, obj, form, change):
        """Save only what the form changed; the role goes through the audited service.

        Writing only changed columns keeps a concurrent self-upgrade's timestamp intact.
        """
        meta = RequestMeta.from_request(request)
        if not change:
            user_staff_create(user=obj, actor=request.user, meta=meta)
            return
        changed = [name for name in form.changed_data if name != "role"]
        if "role" in form.changed_data:
            new_role = obj.role
            obj.role = form.initial.get("role", obj.role)
            user_role_assign(user=obj, role=new_role, actor=request.user, meta=meta)
        model_fields = {f.name for f in obj._meta.concrete_fields}
        update_fields = [name for name in changed if name in model_fields]
        user_staff_update(user=obj, fields=update_fields, actor=request.user, meta=meta)

    @admin.action(description="Mark selected accounts as verified", permissions=["change"])
    def mark_verified(self, request, queryset):
        users = users_mark_verified(
            users=queryset, actor=request.user, meta=RequestMeta.from_request(request)
        )
        self.message_user(request, f"{len(users)} account(s) marked verified.", messages.SUCCESS)

    @admin.action(
        description="Deactivate selected accounts (they can no longer log in)…",
        permissions=["change"],
    )
    def deactivate(self, request, queryset):
        def perform(reason: str) -> None:
            users = users_deactivate(
                users=queryset,
                actor=request.user,
                meta=RequestMeta.from_request(request),
                reason=reason,
            )
            self.message_user(request, f"{len(users)} account(s) deactivated.", messages.SUCCESS)

        return action_confirm(
            self,
            request,
            queryset,
            title="Deactivate accounts",
            consequence=(
                "They can no longer log in, and their tokens and API keys stop working at once. "
                "Your own account is skipped."
            ),
            confirm_label="Yes, deactivate",
            perform=perform,
            describe=lambda user: f"{user.email} ({user.get_role_display()})",
        )


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created", "action", "actor_name", "target", "reason", "ip_address")
    created = list_column("created_at", description="when")
    list_filter = ("action", "target_type", "created_at")
    search_fields = ("actor_label", "target_id", "action", "=ip_address")
    date_hierarchy = "created_at"
    list_select_related = ()
    readonly_fields = ["target", *(f.name for f in AuditLog._meta.fields)]
    show_full_result_count = False

    @admin.display(description="Actor", ordering="actor_label")
    def actor_name(self, entry):
        return truncated(entry.actor_label or "system", 32)

    @admin.display(description="Target")
    def target(self, entry):
        return admin_change_link(
            target_type=entry.target_type, target_id=entry.target_id, admin_site=self.admin_site
        )

    @admin.display(description="Reason")
    def reason(self, entry):
        metadata = entry.metadata if isinstance(entry.metadata, dict) else {}
        return truncated(metadata.get("reason", ""), 48)


@admin.register(ApiKey)
class ApiKeyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Integrators' keys. The secret is never stored, so never shown; staff may change the
    name, the per-key hourly limits (a bigger plan) and the expiry, or revoke. Never delete:
    a revoked key stays, so its requests and audit entries keep their key."""

    # keys are created by their owner, who alone sees the secret
    allow_change = True

    list_display = (
        "prefix",
        "name_column",
        "owner",
        "scopes",
        "hourly_limits",
        "last_used",
        "expires",
        "revoked",
    )
    name_column = list_column("name", length=28)
    owner = list_column("user__email", length=28, description="owner")
    last_used = list_column("last_used_at", description="last used")
    expires = list_column("expires_at", description="expires")
    revoked = list_column("revoked_at", description="revoked")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter), "created_at", "expires_at")
    search_fields = ("=prefix", "name", "user__email")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = (
        "id",
        "user",
        "name",
        "prefix",
        "scopes",
        "read_limit_per_hour",
        "write_limit_per_hour",
        "expires_at",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    readonly_fields = ("id", "user", "prefix", "scopes", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def save_model(self, request, obj, form, change):
        api_key_staff_update(
            api_key=obj,
            fields=form.changed_data,
            actor=request.user,
            meta=RequestMeta.from_request(request),
        )

    @admin.display(description="hourly limits (read / write)")
    def hourly_limits(self, key):
        return f"{key.read_limit_per_hour} / {key.write_limit_per_hour}"

    @admin.action(description="Revoke selected API keys (they stop working at once)…")
    def revoke(self, request, queryset):
        def perform(reason: str) -> None:
            meta = RequestMeta.from_request(request)
            revoked = sum(
                api_key_revoke(api_key=key, actor=request.user, meta=meta, reason=reason)
                for key in queryset.filter(revoked_at__isnull=True)
            )
            self.message_user(request, f"{revoked} API key(s) revoked.", messages.SUCCESS)

        return action_confirm(
            self,
            request,
            queryset.select_related("user"),
            title="Revoke API keys",
            consequence="The next request with any of these keys is refused; this is permanent.",
            confirm_label="Yes, revoke",
            perform=perform,
            describe=lambda key: f"{key.prefix} “{key.name}” of {key.user.email}",
        )


@admin.register(BackupCodeDevice)
class BackupCodeDeviceAdmin(AuditedDeleteMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Backup-code sets (hashes only). Deleting one (audited, with a reason) removes those
    codes, e.g. a leaked sheet; the authenticator stays."""

    allow_change = True
    allow_delete = True

    list_display = ("user", "name", "confirmed", "remaining_codes", "throttling_failure_count")
    list_filter = ("confirmed",)
    search_fields = ("user__email",)
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    fields = ("user", "name", "confirmed", "throttling_failure_count")
    readonly_fields = ("user", "throttling_failure_count")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(unused=Count("codes", filter=Q(codes__used_at__isnull=True)))
        )

    @admin.display(description="unused codes", ordering="unused")
    def remaining_codes(self, obj):
        return obj.unused


@admin.register(OAuthAccount)
class OAuthAccountAdmin(AuditedDeleteMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Linked provider identities. Provider tokens are secrets: never displayed. Deleting one
    (audited, with a reason) unlinks that identity and drops its stored tokens; the next
    sign-in with it links again by its verified email, like a first one."""

    allow_delete = True

    list_display = ("user", "provider", "provider_user_id", "email", "created_at", "updated_at")
    list_filter = ("provider", "created_at")
    search_fields = ("user__email", "email", "=provider_user_id")
    list_select_related = ("user",)
    date_hierarchy = "created_at"
    fields = (
        "user",
        "provider",
        "provider_user_id",
        "email",
        "token_expires_at",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    show_full_result_count = False


if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Authenticator apps. Unlike django-otp's own admin, the shared secret (and its QR code
    page) is never shown: staff can only see devices and reset 2FA, through the audited
    action."""

    list_display = (
        "user",
        "name",
        "confirmed",
        "created_at",
        "last_used_at",
        "throttling_failure_count",
    )
    list_filter = ("confirmed", "created_at")
    search_fields = ("user__email",)
    list_select_related = ("user",)
    fields = (
        "user",
        "name",
        "confirmed",
        "created_at",
        "last_used_at",
        "throttling_failure_count",
    )
    readonly_fields = fields
    actions = ["reset_two_factor"]

    @admin.action(
        description="Turn 2FA off for the owners of the selected devices (lost device)…",
        permissions=["view"],
    )
    def reset_two_factor(self, request, queryset):
        if not request.user.is_superuser:
            self.message_user(request, "Only superusers may reset 2FA.", messages.ERROR)
            return None

        def perform(reason: str) -> None:
            meta = RequestMeta.from_request(request)
            users = User.objects.filter(pk__in=queryset.values("user_id"))
            reset = sum(
                two_factor_reset(user=user, actor=request.user, meta=meta, reason=reason)
                for user in users
            )
            self.message_user(request, f"2FA turned off for {reset} account(s).", messages.SUCCESS)

        return action_confirm(
            self,
            request,
            queryset.select_related("user"),
            title="Turn two-factor authentication off",
            consequence=(
                "Every authenticator and backup code of these accounts is removed: a password "
                "alone opens them until their owners set 2FA up again. Check who is asking "
                "out of band first."
            ),
            confirm_label="Yes, turn 2FA off",
            perform=perform,
            describe=lambda device: f"{device.user.email}: {device.name}",
        )


__all__ = [
    "ApiKeyAdmin",
    "AuditLogAdmin",
    "OAuthAccountAdmin",
    "Role",
    "TOTPDeviceAdmin",
    "UserAdmin",
    "otp_totp_admin",
]
