"""The operations console speaks the operators' language: human names for apps, models and
platform settings, no pages nobody uses, audit entries that lead to what they are about."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.contrib import admin
from django.urls import reverse

from apps.accounts.models import AuditLog
from apps.platform_settings.definitions import DEFINITIONS
from apps.platform_settings.models import PlatformSetting
from tests.accounts.factories import UserFactory
from tests.catalog.factories import TrackFactory
from veza.admin_tools import list_column, truncated
from veza.audit import RequestMeta, audit_record

seed_migration = importlib.import_module(
    "apps.platform_settings.migrations.0002_seed_platform_settings"
)


@pytest.fixture
def admin_client(client, staff_user):
    seed_migration.seed(django_apps, None)
    client.force_login(staff_user)
    return client


@pytest.mark.django_db
def test_the_index_names_apps_and_models_for_people_and_leaves_out_unused_pages(admin_client):
    response = admin_client.get("/admin/")

    html = response.content.decode()
    apps = {app["app_label"]: app for app in response.context["app_list"]}
    assert apps["otp_totp"]["name"] == "Two-factor devices"
    assert apps["django_celery_beat"]["name"] == "Scheduled jobs"
    assert "auth" not in apps  # groups were its only page
    for app in apps.values():
        assert app["name"] != app["app_label"], app["app_label"]
    beat = {model["object_name"] for model in apps["django_celery_beat"]["models"]}
    assert beat == {"PeriodicTask", "IntervalSchedule", "CrontabSchedule"}
    catalog = {model["name"] for model in apps["catalog"]["models"]}
    assert {"Library entries", "Share links"} <= catalog
    assert "Library entrys" not in html


@pytest.mark.django_db
def test_the_user_form_has_no_groups_or_per_user_permissions(admin_client):
    user = UserFactory()

    response = admin_client.get(reverse("admin:accounts_user_change", args=[user.pk]))

    form = response.context["adminform"].form
    assert "groups" not in form.fields
    assert "user_permissions" not in form.fields
    assert {"is_active", "is_staff", "is_superuser"} <= set(form.fields)


@pytest.mark.django_db
def test_every_platform_setting_has_a_label_and_a_help_text_shown_in_the_list_and_form(
    admin_client,
):
    keys = set(PlatformSetting.objects.values_list("key", flat=True))
    assert keys <= set(DEFINITIONS)

    listing = admin_client.get(reverse("admin:platform_settings_platformsetting_changelist"))
    setting = PlatformSetting.objects.get(key="maintenance_retry_after")
    form_page = admin_client.get(
        reverse("admin:platform_settings_platformsetting_change", args=[setting.pk])
    )

    html = listing.content.decode()
    for key in keys:
        assert DEFINITIONS[key].label in html
        assert DEFINITIONS[key].help_text in html
    field = form_page.context["adminform"].form.fields["value_int"]
    assert field.label == "Retry after (seconds)"
    assert field.help_text == DEFINITIONS["maintenance_retry_after"].help_text


@pytest.mark.django_db
def test_audit_entries_link_their_target_and_show_the_reason(admin_client, staff_user):
    track = TrackFactory()
    audit_record(
        action="track.moderation.hide",
        actor=staff_user,
        target=track,
        meta=RequestMeta(),
        metadata={"reason": "Spam"},
    )
    AuditLog.objects.create(action="legacy", target_type="gone.model", target_id="42")

    response = admin_client.get(reverse("admin:accounts_auditlog_changelist"))

    html = response.content.decode()
    track_url = reverse("admin:catalog_track_change", args=[track.pk])
    assert f'<a href="{track_url}" title="{track.pk}">Track {str(track.pk)[:11]}…</a>' in html
    assert "gone.model 42" in html
    assert '<td class="field-reason">Spam</td>' in html
    entry = AuditLog.objects.get(action="track.moderation.hide")
    detail = admin_client.get(reverse("admin:accounts_auditlog_change", args=[entry.pk]))
    assert f'href="{track_url}"' in detail.content.decode()


def test_long_text_is_cut_with_the_whole_text_on_hover():
    assert truncated("short", 10) == "short"
    assert truncated("a" * 50, 10) == f'<span title="{"a" * 50}">{"a" * 9}…</span>'
    assert truncated("<b>" * 10, 5) == (f'<span title="{"&lt;b&gt;" * 10}">&lt;b&gt;&lt;…</span>')


@pytest.mark.django_db
def test_a_list_column_follows_relations_and_shortens_dates():
    track = TrackFactory(title="t" * 60)
    column = list_column("owner__email", length=8, description="owner")
    title = list_column("title", length=12)
    created = list_column("created_at")
    admin_instance = admin.site._registry[type(track)]

    assert column.short_description == "owner"
    assert column(admin_instance, track) == truncated(track.owner.email, 8)
    assert title(admin_instance, track).endswith(f">{'t' * 11}…</span>")
    assert f">{track.created_at:%Y-%m-%d %H:%M}</span>" in created(admin_instance, track)
