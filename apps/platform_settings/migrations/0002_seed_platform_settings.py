"""Seed the rows a fresh install needs. Creates only missing rows: re-running changes nothing."""

from django.conf import settings
from django.db import migrations

SEED = [
    {
        "key": "maintenance_mode",
        "value_type": "bool",
        "value_bool": False,
        "description": "Answer 503 MAINTENANCE to every request but health and the admin.",
    },
    {
        "key": "maintenance_message",
        "value_type": "text",
        "value_text": "Veza is down for scheduled maintenance. We will be back shortly.",
        "description": "Message shown to clients while maintenance is on.",
    },
    {
        "key": "maintenance_retry_after",
        "value_type": "int",
        "value_int": 120,
        "description": "Seconds clients are told to wait (Retry-After) during maintenance.",
    },
    {
        "key": "hls_streaming",
        "value_type": "bool",
        "is_public_flag": True,
        "description": "Serve HLS renditions; when off, players use /stream.",
    },
]


def seed(apps, schema_editor):
    PlatformSetting = apps.get_model("platform_settings", "PlatformSetting")
    for row in SEED:
        row = dict(row)
        if row["key"] == "hls_streaming":
            row["value_bool"] = bool(getattr(settings, "HLS_STREAMING", False))
        key = row.pop("key")
        PlatformSetting.objects.get_or_create(key=key, defaults=row)


def unseed(apps, schema_editor):
    PlatformSetting = apps.get_model("platform_settings", "PlatformSetting")
    PlatformSetting.objects.filter(key__in=[row["key"] for row in SEED]).delete()


class Migration(migrations.Migration):
    dependencies = [("platform_settings", "0001_platform_setting_table")]

    operations = [migrations.RunPython(seed, unseed)]
