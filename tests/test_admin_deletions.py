"""No unaudited deletion from the admin (``veza.admin_tools.AuditedDeleteMixin``).

Django's own "Delete selected" is off for the whole site. Where staff may delete, the audited
action takes its place: its confirmation page lists the rows with everything that goes with
them, a reason is required, and each deleted row leaves one audit entry (``<model>.admin_delete``)
with the staff member, the reason and what the row was. The object page's "Delete" asks for the
reason too. Rows whose deletion is a domain operation (an account's erasure, an API key's
revocation) cannot be deleted from the admin at all.
"""

import itertools
from dataclasses import dataclass
from html import escape
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.admin import actions as django_admin_actions
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.test import RequestFactory
from django.urls import reverse
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from apps.accounts.models import AuditLog, BackupCodeDevice, OAuthAccount, User
from apps.accounts.services import api_key_create
from apps.catalog.models import Follow, LibraryEntry, Playlist, PlaylistEntry, ShareToken
from apps.catalog.services import share_token_create
from tests.accounts.factories import UserFactory
from tests.catalog.factories import PlaylistFactory, TrackFactory
from veza.admin_tools import AuditedDeleteMixin
from veza.audit import RequestMeta

REASON = "Spam account's leftovers, checked by hand"
_numbers = itertools.count()
BLANK_REASON_ERROR = "Say why: the reason is recorded in the audit log."

#: The models staff may delete from the admin, always through the audited path. Any other
#: model's rows go through a service action or stay (a new entry here is a decision to make).
DELETABLE = {
    "accounts.backupcodedevice",
    "accounts.oauthaccount",
    "catalog.follow",
    "catalog.libraryentry",
    "catalog.playlist",
    "catalog.sharetoken",
    "django_celery_beat.crontabschedule",
    "django_celery_beat.intervalschedule",
    "django_celery_beat.periodictask",
}


def _playlist():
    playlist = PlaylistFactory()
    PlaylistEntry.objects.create(playlist=playlist, track=TrackFactory(), position=0)
    return playlist


def _share():
    track = TrackFactory()
    return share_token_create(actor=track.owner, track=track)[0]


def _interval_with_a_job():
    interval = IntervalSchedule.objects.create(every=17, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(name="nightly-cleanup", task="veza.jobs_sweep", interval=interval)
    return interval


@dataclass
class Case:
    model: Any
    make: Any  # () -> a row to delete
    cascades: tuple[str, ...] = ()  # words the confirmation page shows for what goes with it


CASES = {
    "a playlist and its entries": Case(
        Playlist, _playlist, ("Playlists: 2", "Playlist entries: 2")
    ),
    "a share link": Case(ShareToken, _share),
    "a follow": Case(
        Follow, lambda: Follow.objects.create(follower=UserFactory(), followee=UserFactory())
    ),
    "a library entry": Case(
        LibraryEntry, lambda: LibraryEntry.objects.create(user=UserFactory(), track=TrackFactory())
    ),
    "a linked provider identity": Case(
        OAuthAccount,
        lambda: OAuthAccount.objects.create(
            user=UserFactory(), provider="google", provider_user_id=f"g-{next(_numbers)}"
        ),
    ),
    "a backup code set": Case(
        BackupCodeDevice, lambda: BackupCodeDevice.objects.create(user=UserFactory(), name="backup")
    ),
    "a scheduled job": Case(
        PeriodicTask,
        lambda: PeriodicTask.objects.create(
            name=f"hourly-report-{next(_numbers)}",
            task="veza.jobs_sweep",
            interval=IntervalSchedule.objects.create(every=1, period=IntervalSchedule.HOURS),
        ),
    ),
    "an interval schedule and its jobs": Case(
        IntervalSchedule, _interval_with_a_job, ("Periodic tasks: 1", "nightly-cleanup")
    ),
}


def _changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def _delete_url(row) -> str:
    opts = row._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[row.pk])


def _post_action(client, model, rows, **extra):
    return client.post(
        _changelist(model),
        {
            "action": "delete_selected",
            ACTION_CHECKBOX_NAME: [str(row.pk) for row in rows],
            "index": "0",
            **extra,
        },
    )


def _deletions(model):
    return AuditLog.objects.filter(action=f"{model._meta.model_name}.admin_delete")


def _exists(row) -> bool:
    return type(row)._default_manager.filter(pk=row.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(CASES))
def test_the_audited_delete_asks_for_a_reason_then_deletes_with_one_audit_row_each(
    name, client, staff_user
):
    case = CASES[name]
    rows = [case.make(), case.make()] if case.model is not IntervalSchedule else [case.make()]
    client.force_login(staff_user)

    page = _post_action(client, case.model, rows)

    assert page.status_code == 200
    assert page.templates[0].name == "admin/action_confirm.html"
    html = page.content.decode()
    assert "This cannot be undone." in html
    assert 'name="reason"' in html
    for row in rows:
        assert escape(str(row)) in html
        assert f'name="{ACTION_CHECKBOX_NAME}" value="{row.pk}"' in html
    for words in case.cascades:
        assert words in html
    if case.model is Playlist:  # each playlist is listed with the entries that go with it
        for row in rows:
            assert f"Playlist entry: {row.pk}#0" in html
    assert all(_exists(row) for row in rows)

    blank = _post_action(client, case.model, rows, confirm="yes", reason="  \n ")

    assert blank.status_code == 200
    assert BLANK_REASON_ERROR in blank.content.decode()
    assert all(_exists(row) for row in rows)
    assert not _deletions(case.model).exists()

    confirmed = _post_action(client, case.model, rows, confirm="yes", reason=f" {REASON}\n")

    assert confirmed.status_code == 302
    assert not any(_exists(row) for row in rows)
    entries = _deletions(case.model).order_by("target_id")
    assert [(e.target_type, e.target_id) for e in entries] == sorted(
        (case.model._meta.label_lower, str(row.pk)) for row in rows
    )
    for entry in entries:
        assert entry.actor_id == staff_user.pk
        assert entry.metadata["reason"] == REASON
    assert {entry.metadata["object"] for entry in entries} == {str(row) for row in rows}


@pytest.mark.django_db
def test_deleting_an_interval_schedule_deletes_its_jobs_too(client, staff_user):
    interval = _interval_with_a_job()
    client.force_login(staff_user)

    _post_action(client, IntervalSchedule, [interval], confirm="yes", reason=REASON)

    assert not PeriodicTask.objects.filter(name="nightly-cleanup").exists()
    assert _deletions(IntervalSchedule).count() == 1


@pytest.mark.django_db
def test_the_object_pages_delete_asks_for_a_reason_and_audits_the_deletion(client, staff_user):
    playlist = _playlist()
    client.force_login(staff_user)

    page = client.get(_delete_url(playlist))

    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="reason"' in html
    assert "Playlist entries: 1" in html
    assert f"Playlist entry: {playlist.pk}#0" in html

    django_confirmation = client.post(_delete_url(playlist), {"post": "yes"})

    assert django_confirmation.status_code == 200
    assert BLANK_REASON_ERROR in django_confirmation.content.decode()
    assert Playlist.objects.filter(pk=playlist.pk).exists()
    assert not _deletions(Playlist).exists()

    confirmed = client.post(_delete_url(playlist), {"post": "yes", "reason": REASON})

    assert confirmed.status_code == 302
    assert not Playlist.objects.filter(pk=playlist.pk).exists()
    assert not PlaylistEntry.objects.filter(playlist_id=playlist.pk).exists()
    entry = _deletions(Playlist).get()
    assert (entry.target_type, entry.target_id) == ("catalog.playlist", str(playlist.pk))
    assert entry.actor_id == staff_user.pk
    assert entry.metadata == {"reason": REASON, "object": playlist.title}


@pytest.mark.django_db
def test_a_staff_member_without_the_delete_permission_is_offered_no_delete_and_refused(client):
    staff = UserFactory(verified=True, is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="catalog", codename__in=["view_playlist", "change_playlist"]
        )
    )
    playlist = _playlist()
    client.force_login(staff)

    listing = client.get(_changelist(Playlist))
    action = _post_action(client, Playlist, [playlist], confirm="yes", reason=REASON)
    page = client.get(_delete_url(playlist))
    post = client.post(_delete_url(playlist), {"post": "yes", "reason": REASON})

    assert listing.status_code == 200
    assert 'value="delete_selected"' not in listing.content.decode()
    assert action.status_code == 200  # the list again: it has no such action
    assert page.status_code == 403
    assert post.status_code == 403
    assert Playlist.objects.filter(pk=playlist.pk).exists()
    assert not _deletions(Playlist).exists()


@pytest.mark.django_db
def test_a_deletion_that_would_take_rows_the_staff_member_may_not_delete_is_refused(client):
    """An interval schedule takes its jobs with it: without the right to delete jobs, the page
    says so and offers no form, and confirming anyway deletes nothing."""
    staff = UserFactory(verified=True, is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="django_celery_beat",
            codename__in=["view_intervalschedule", "delete_intervalschedule"],
        )
    )
    interval = _interval_with_a_job()
    client.force_login(staff)

    page = _post_action(client, IntervalSchedule, [interval])
    forced = _post_action(client, IntervalSchedule, [interval], confirm="yes", reason=REASON)

    assert page.status_code == 200
    html = page.content.decode()
    assert "cannot be deleted" in html
    assert "periodic task" in html
    assert 'name="reason"' not in html
    assert forced.status_code == 200
    assert IntervalSchedule.objects.filter(pk=interval.pk).exists()
    assert PeriodicTask.objects.filter(name="nightly-cleanup").exists()
    assert not _deletions(IntervalSchedule).exists()


@pytest.mark.django_db
def test_nothing_is_deleted_when_its_audit_row_cannot_be_written(client, staff_user, monkeypatch):
    playlist = _playlist()
    client.force_login(staff_user)
    monkeypatch.setattr("veza.admin_tools.audit_record", lambda **kwargs: None)

    with pytest.raises(RuntimeError, match="No audit row"):
        _post_action(client, Playlist, [playlist], confirm="yes", reason=REASON)

    assert Playlist.objects.filter(pk=playlist.pk).exists()
    assert PlaylistEntry.objects.filter(playlist=playlist).exists()


@pytest.mark.django_db
def test_deleting_share_links_goes_through_the_catalog_and_refreshes_the_cached_reads(
    client, staff_user, monkeypatch
):
    """A link may have unlocked anonymous reads that sit in the response cache; a library
    entry saved through it keeps the track only while something else grants it."""
    share = _share()
    library = LibraryEntry.objects.create(user=UserFactory(), track=share.track, share=share)
    invalidated = []
    monkeypatch.setattr(
        "apps.catalog.services.shares.response_cache_invalidate",
        lambda *namespaces: invalidated.append(namespaces),
    )
    client.force_login(staff_user)

    _post_action(client, ShareToken, [share], confirm="yes", reason=REASON)

    assert not ShareToken.objects.filter(pk=share.pk).exists()
    library.refresh_from_db()
    assert library.share_id is None
    assert invalidated == [("tracks", "playlists")]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: UserFactory(verified=True), id="an account (erased via gdpr)"),
        pytest.param(
            lambda: api_key_create(
                user=UserFactory(verified=True), name="ci", scopes=["read"], meta=RequestMeta()
            )[0],
            id="an API key (revoked instead)",
        ),
        pytest.param(
            lambda: BlacklistedToken.objects.create(
                token=OutstandingToken.objects.create(
                    user=UserFactory(), jti="j1", token="t", expires_at="2099-01-01T00:00Z"
                )
            ),
            id="an ended session (would revive its refresh token)",
        ),
    ],
)
def test_rows_whose_deletion_is_a_domain_operation_cannot_be_deleted_from_the_admin(
    make, client, staff_user
):
    row = make()
    client.force_login(staff_user)

    listing = client.get(_changelist(type(row)))
    page = client.get(_delete_url(row))
    post = client.post(_delete_url(row), {"post": "yes", "reason": REASON})

    assert 'value="delete_selected"' not in listing.content.decode()
    assert page.status_code == 403
    assert post.status_code == 403
    assert _exists(row)


def _superuser_request():
    request = RequestFactory().get("/admin/")
    request.user = User(email="walker@example.com", is_staff=True, is_superuser=True)
    return request


def test_no_admin_offers_djangos_plain_delete_and_every_deleting_admin_is_audited():
    """Walks every page of the site: a new model admin cannot bring back an unaudited delete,
    through the action, the object page or an inline's delete box."""
    request = _superuser_request()
    assert "delete_selected" not in dict(admin.site.actions)
    deletable = set()
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label_lower
        action = model_admin.get_actions(request).get("delete_selected")
        assert action is None or action[0] is not django_admin_actions.delete_selected, label
        for inline in model_admin.get_inline_instances(request):
            assert not (inline.can_delete and inline.has_delete_permission(request)), (
                f"{label}: inline {inline.model._meta.label_lower} deletes unaudited"
            )
        if not model_admin.has_delete_permission(request):
            continue
        deletable.add(label)
        assert isinstance(model_admin, AuditedDeleteMixin), label
        for hook in ("delete_view", "delete_model", "delete_queryset", "get_actions"):
            assert getattr(type(model_admin), hook) is getattr(AuditedDeleteMixin, hook), (
                f"{label} overrides {hook}: override delete_objects instead"
            )
        assert action is not None, label
    assert deletable == DELETABLE


@pytest.mark.django_db
def test_a_long_selection_is_listed_briefly_and_deleted_whole_with_an_audit_row_each(
    client, staff_user
):
    owner, track = UserFactory(), TrackFactory()
    playlists = PlaylistFactory.create_batch(52, owner=owner)
    PlaylistEntry.objects.bulk_create(
        PlaylistEntry(playlist=playlist, track=track, position=0) for playlist in playlists
    )
    client.force_login(staff_user)
    everything = {"select_across": "1"}

    page = _post_action(client, Playlist, playlists[:1], **everything)

    html = page.content.decode()
    assert "52 playlists selected" in html
    assert "Playlist entries: 52" in html
    assert html.count("<li>Playlist: ") == 50
    assert "… and 2 more" in html

    _post_action(client, Playlist, playlists[:1], confirm="yes", reason=REASON, **everything)

    assert not Playlist.objects.exists()
    assert not PlaylistEntry.objects.exists()
    assert _deletions(Playlist).count() == 52
