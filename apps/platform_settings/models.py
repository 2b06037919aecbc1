"""Fleet-wide settings as typed rows, so the hot path never parses strings.

Changelog: "Migration 976_platform_settings.sql adds a typed key/value table (value_bool /
value_text to avoid string parsing in the hot path)". The database is the truth; every process
keeps a short-lived snapshot (see :mod:`apps.platform_settings.state`).
"""

from django.conf import settings
from django.db import models


class ValueType(models.TextChoices):
    BOOL = "bool", "On/off"
    TEXT = "text", "Text"
    INT = "int", "Number"


class PlatformSetting(models.Model):
    key = models.SlugField(max_length=64, unique=True)
    value_type = models.CharField(max_length=8, choices=ValueType.choices)
    value_bool = models.BooleanField(null=True, blank=True)
    value_text = models.TextField(blank=True, default="")
    value_int = models.BigIntegerField(null=True, blank=True)
    is_public_flag = models.BooleanField(
        default=False, help_text="Listed by GET /api/v1/features (clients take defaults from it)."
    )
    description = models.CharField(max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["key"]
        constraints = [
            models.CheckConstraint(
                name="platform_setting_value_matches_type",
                condition=(
                    models.Q(value_type="bool", value_bool__isnull=False)
                    | models.Q(value_type="text")
                    | models.Q(value_type="int", value_int__isnull=False)
                ),
            ),
            models.CheckConstraint(
                name="platform_setting_public_flags_are_bool",
                condition=models.Q(is_public_flag=False) | models.Q(value_type="bool"),
            ),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def value(self):
        if self.value_type == ValueType.BOOL:
            return self.value_bool
        if self.value_type == ValueType.INT:
            return self.value_int
        return self.value_text
