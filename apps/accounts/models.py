"""Accounts: the user, their profile and the audit log staff read."""

import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models, transaction
from django.db.models.functions import Lower
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_countries.fields import CountryField
from django_otp.models import Device, ThrottlingMixin

from veza.api.bearer_users import users_changed
from veza.normalization import email_normalize


class Role(models.TextChoices):
    """The contract's eight roles (shared/API.md, Roles)."""

    USER = "user", "User"
    CREATOR = "creator", "Creator"
    PREMIUM = "premium", "Premium"
    MODERATOR = "moderator", "Moderator"
    ADMIN = "admin", "Admin"
    ARTIST = "artist", "Artist"
    PRODUCER = "producer", "Producer"
    LABEL = "label", "Label"


#: Everything but ``user`` may upload (shared/API.md, Roles).
CONTENT_CREATOR_ROLES = frozenset(role for role in Role.values if role != Role.USER)


class UserQuerySet(models.QuerySet):
    def update(self, **kwargs):
        """Bulk updates skip ``save()`` and its signals: the rows they change are reported to
        the bearer-user copies (``veza.api.bearer_users``) here, in the same transaction."""
        with transaction.atomic(using=self.db, savepoint=False):
            users_changed(self._pks_named() or self.values_list("pk", flat=True))
            return super().update(**kwargs)

    update.alters_data = True

    def _pks_named(self) -> list | None:
        """The primary keys an AND-ed ``pk=`` or ``pk__in=`` condition of this queryset names
        (every row it can change is among them), or ``None``: then they are read."""
        where = self.query.where
        if where.connector != "AND" or where.negated:
            return None
        for lookup in where.children:
            target = getattr(getattr(lookup, "lhs", None), "target", None)
            if (
                target is None
                or not target.primary_key
                or lookup.lhs.alias != self.model._meta.db_table
            ):
                continue
            if lookup.lookup_name == "exact" and not hasattr(lookup.rhs, "resolve_expression"):
                return [lookup.rhs]
            if lookup.lookup_name == "in" and isinstance(lookup.rhs, (list, tuple, set, frozenset)):
                return list(lookup.rhs)
        return None


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        return self.get(email_normalized=email_normalize(email))

    def _create_user(self, email, username, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        if not username:
            raise ValueError("A username is required.")
        user = self.model(email=self.normalize_email(email), username=username, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        Profile.objects.using(self._db).create(user=user)
        return user

    def create_user(self, email, username, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, username, password, **extra_fields)

    def create_superuser(self, email, username, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("is_verified", True)
        extra_fields.setdefault("role", Role.ADMIN)
        return self._create_user(email, username, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(max_length=254, unique=True)
    email_normalized = models.CharField(
        max_length=254,
        unique=True,
        editable=False,
        help_text="The address under veza.normalization.email_normalize: the account's identity.",
    )
    username = models.CharField(max_length=30)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.USER)
    is_verified = models.BooleanField(default=False)
    promoted_to_creator_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the user promoted themselves to creator; empty for admin-assigned roles.",
    )
    is_active = models.BooleanField(default=True)
    session_version = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text=(
            "Copied into every access token; raising it ends every access token issued before "
            "(password change or reset, ownership proven by email)."
        ),
    )
    is_staff = models.BooleanField(default=False, help_text="May log into the admin site.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["username"]

    class Meta:
        ordering = ["-date_joined"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
            models.UniqueConstraint(Lower("username"), name="accounts_user_username_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="accounts_user_role_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["role"], name="accounts_user_role_idx"),
            models.Index(fields=["-date_joined"], name="accounts_user_joined_idx"),
            models.Index(
                fields=["promoted_to_creator_at"],
                name="accounts_user_promoted_idx",
                condition=models.Q(promoted_to_creator_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.email

    def save(self, *args, **kwargs):
        # A derived column: kept equal to the rule's output on every write of ``email``.
        self.email_normalized = email_normalize(self.email)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "email" in update_fields:
            kwargs["update_fields"] = {*update_fields, "email_normalized"}
        super().save(*args, **kwargs)

    def _get_session_auth_hash(self, secret=None):
        """Django sessions end with ``session_version`` like bearer tokens do (a password
        change already ends them through the password hash; proven ownership of the address
        does not change the password). Version 0 keeps Django's own hash, so sessions that
        predate the column stay valid."""
        if not self.session_version:
            return super()._get_session_auth_hash(secret=secret)
        return salted_hmac(
            "veza.accounts.User.session_auth_hash",
            f"{self.password}|{self.session_version}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    @property
    def is_content_creator(self) -> bool:
        return self.role in CONTENT_CREATOR_ROLES


class Profile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(max_length=80, blank=True)
    bio = models.TextField(max_length=2000, blank=True)
    avatar = models.ImageField(upload_to="avatars/%Y/%m/", blank=True)
    country = CountryField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.display_name or self.user.username


class AuditLog(models.Model):
    """Who did what to what, from where. Written by :func:`veza.audit.audit_record`, which finds
    this model through ``settings.AUDIT_LOG_MODEL``."""

    id = models.BigAutoField(primary_key=True)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_entries"
    )
    actor_label = models.CharField(
        max_length=254, blank=True, help_text="The actor's email when written (kept if deleted)."
    )
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=512, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["actor", "-created_at"], name="audit_actor_time_idx"),
            models.Index(fields=["action", "-created_at"], name="audit_action_time_idx"),
            models.Index(fields=["-created_at"], name="audit_time_idx"),
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_label or 'system'}"


# --- Account security: API keys, backup codes, OAuth ------------------------------------


class ApiScope(models.TextChoices):
    """shared/API.md "API keys: scopes and rate limits"."""

    READ = "read", "Read (GET, HEAD, OPTIONS)"
    WRITE = "write", "Write (POST, PUT, PATCH, DELETE and reads)"
    ADMIN = "admin", "Admin (everything)"


class ApiKey(models.Model):
    """An integrator's key. Only a SHA-256 of its secret is stored; the key is shown once.

    The visible ``prefix`` (``vz_live_<lookup>``) finds the row with one indexed lookup and lets
    secret scanners recognise a leaked key; the secret part carries ~238 random bits, so a fast
    hash compared in constant time is enough (no password-style stretching needed).
    """

    DEFAULT_READ_LIMIT = 1000
    DEFAULT_WRITE_LIMIT = 200

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=32, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(default=list, help_text='Any of "read", "write", "admin".')
    read_limit_per_hour = models.PositiveIntegerField(default=DEFAULT_READ_LIMIT)
    write_limit_per_hour = models.PositiveIntegerField(default=DEFAULT_WRITE_LIMIT)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API key"
        indexes = [
            models.Index(fields=["user", "-created_at"], name="apikey_user_created_idx"),
            models.Index(fields=["-created_at"], name="apikey_created_idx"),
            models.Index(
                fields=["revoked_at"],
                name="apikey_revoked_idx",
                condition=models.Q(revoked_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prefix} ({self.name})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_expired(self, now=None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())


class BackupCodeDevice(ThrottlingMixin, Device):
    """A django-otp device holding the user's ten single-use backup codes, stored hashed.

    django-otp's own static-token plugin keeps its tokens in plain text, so a database leak
    would hand out second factors; these rows keep only a salted PBKDF2 hash. Being a django-otp
    device, it also works on the OTP-protected admin login. Throttled like the TOTP device
    (exponential back-off after failures).
    """

    class Meta(Device.Meta):
        verbose_name = "backup code set"

    def get_throttle_factor(self) -> int:
        from django.conf import settings

        return getattr(settings, "OTP_BACKUP_CODE_THROTTLE_FACTOR", 1)

    def verify_token(self, token) -> bool:
        from apps.accounts.services.two_factor import backup_code_consume

        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        if backup_code_consume(device=self, code=str(token)):
            self.throttle_reset(commit=True)
            return True
        self.throttle_increment(commit=True)
        return False

    @property
    def remaining(self) -> int:
        return self.codes.filter(used_at__isnull=True).count()


class BackupCode(models.Model):
    device = models.ForeignKey(BackupCodeDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=128)
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["device", "used_at"], name="backupcode_device_used_idx")]

    def __str__(self) -> str:
        return f"backup code of device {self.device_id}"


class OAuthState(models.Model):
    """One OAuth sign-in attempt: ``state`` plus its PKCE verifier; single use, 10 minutes."""

    id = models.BigAutoField(primary_key=True)
    state = models.CharField(max_length=64, unique=True)
    provider = models.CharField(max_length=32)
    code_verifier = models.CharField(max_length=128)
    redirect_uri = models.CharField(max_length=2048)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["expires_at"], name="oauthstate_expires_idx")]

    def __str__(self) -> str:
        return f"{self.provider} state {self.state[:8]}…"


class OAuthAccount(models.Model):
    """A provider identity linked to a Veza account. Provider tokens are stored encrypted
    (AES-256-GCM, ``veza.crypto``): the two token columns never hold plain text once written
    by the services or ``manage.py encrypt_oauth_tokens``."""

    id = models.BigAutoField(primary_key=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="oauth_accounts")
    provider = models.CharField(max_length=32)
    provider_user_id = models.CharField(max_length=255)
    email = models.EmailField(max_length=254, blank=True)
    access_token = models.TextField(blank=True, help_text="Encrypted at rest.")
    refresh_token = models.TextField(blank=True, help_text="Encrypted at rest.")
    token_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "OAuth account"
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_user_id"], name="oauthaccount_provider_uid_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "provider"], name="oauthaccount_user_provider_idx"),
            models.Index(fields=["-created_at"], name="oauthaccount_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.provider_user_id}"


@receiver(post_save, sender=User, dispatch_uid="accounts.user_saved")
@receiver(post_delete, sender=User, dispatch_uid="accounts.user_deleted")
def _user_row_changed(sender, instance, **kwargs):
    """A saved or deleted user: the bearer-user copies of every process go on commit."""
    users_changed([instance.pk])
