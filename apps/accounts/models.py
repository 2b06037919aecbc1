"""Accounts: the user, their profile and the audit log staff read."""

import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django_countries.fields import CountryField


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


#: Everything but ``user`` may upload (Go's RequireContentCreatorRole).
CONTENT_CREATOR_ROLES = frozenset(role for role in Role.values if role != Role.USER)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)

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
    username = models.CharField(max_length=30)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.USER)
    is_verified = models.BooleanField(default=False)
    promoted_to_creator_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the user promoted themselves to creator; empty for admin-assigned roles.",
    )
    is_active = models.BooleanField(default=True)
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
    """Who did what to what, from where. Written by :func:`apps.accounts.services.audit_record`."""

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
