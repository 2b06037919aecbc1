"""Account deletion (Art. 17): shared/API.md "Personal data (GDPR)"."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.models import ApiKey, AuditLog, OAuthAccount, Profile, User
from apps.accounts.services import api_key_create
from apps.analytics.definitions import listener_key
from apps.analytics.models import DailyListenerRollup, ListenerRollup
from apps.analytics.services import rollup_advance
from apps.billing.models import Invoice, Subscription
from apps.catalog.models import Follow, LibraryEntry, Playlist, ShareToken, Track
from apps.distribution.models import PlatformRelease, ReleaseStatus
from apps.distribution.providers import SandboxProvider
from apps.education.models import Certificate, Course, CourseStatus, Review
from apps.gdpr import services
from apps.gdpr.exceptions import AlreadyDeleted
from apps.gdpr.models import AccountDeletion, DataExport, ExportStatus
from apps.gdpr.services.ledger import ledger_records
from apps.messaging.models import Block, Message
from apps.streaming.models import PlayEvent
from tests.accounts.factories import PASSWORD, UserFactory
from tests.conftest import bearer_client
from tests.gdpr.factories import DataExportFactory, error_code, footprint
from veza.audit import RequestMeta

pytestmark = pytest.mark.django_db


def delete_me(user, keep_public_tracks=False, password=PASSWORD, **extra):
    """DELETE /users/me as the account holder (with a current code when 2FA is on)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None and "otp_code" not in extra:
        extra["otp_code"] = f"{totp(device.bin_key):06d}"
    return bearer_client(user).delete(
        "/api/v1/users/me",
        {"password": password, "keep_public_tracks": keep_public_tracks, **extra},
        format="json",
    )


def test_deleting_the_account_answers_202_with_the_receipt(
    user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = delete_me(user)

    assert response.status_code == 202
    deletion = AccountDeletion.objects.get(user=user)
    body = response.json()
    assert body["status"] == "scheduled"
    assert body["hard_delete_at"] == (
        deletion.requested_at + timedelta(days=30)
    ).isoformat().replace("+00:00", "Z")
    assert body["keep_public_tracks"] is False
    assert body["pseudonym"] is None
    assert any("email address" in line for line in body["done_now"])
    assert any("IP addresses" in line for line in body["at_hard_delete"])
    invoices = next(item for item in body["kept"] if item["what"].startswith("Invoices"))
    assert invoices["kept_for"] == "10 years from the invoice date"
    entry = AuditLog.objects.get(action="gdpr.account_delete")
    assert (entry.actor_id, entry.target_id) == (user.pk, str(deletion.pk))
    assert entry.metadata == {
        "user_id": str(user.pk),
        "keep_public_tracks": False,
        "by_staff": False,
    }
    assert [record["user_id"] for record in ledger_records()] == [str(user.pk)]


def test_the_account_holder_is_emailed_at_the_address_before_anonymisation(
    user, mailoutbox, django_capture_on_commit_callbacks
):
    address = user.email

    with django_capture_on_commit_callbacks(execute=True):
        assert delete_me(user).status_code == 202

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [address]
    assert mailoutbox[0].subject == "Your Veza account was deleted"
    hard_delete = AccountDeletion.objects.get(user=user).hard_delete_after
    assert f"erased on {hard_delete:%Y-%m-%d}" in mailoutbox[0].body


def test_a_wrong_password_deletes_nothing(user):
    response = delete_me(user, password="not-my-password")

    assert (response.status_code, error_code(response)) == (400, "INVALID_PASSWORD")
    assert AccountDeletion.objects.count() == 0
    user.refresh_from_db()
    assert user.is_active is True
    assert user.email == "user" + user.username.removeprefix("user") + "@example.com"


def test_with_two_factor_on_a_one_time_code_is_required(user):
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)

    missing = delete_me(user, otp_code="")
    wrong = delete_me(user, otp_code="000000")
    device.throttle_reset()  # the wrong code above starts the device's back-off
    accepted = delete_me(user, otp_code=f"{totp(device.bin_key):06d}")

    assert (missing.status_code, error_code(missing)) == (400, "OTP_REQUIRED")
    assert (wrong.status_code, error_code(wrong)) == (400, "INVALID_OTP")
    assert accepted.status_code == 202


def test_deletion_refuses_an_api_key(user, api_client):
    _, secret = api_key_create(user=user, name="ci", scopes=["admin"], meta=RequestMeta())
    api_client.credentials(HTTP_X_API_KEY=secret)

    response = api_client.delete(
        "/api/v1/users/me", {"password": PASSWORD, "keep_public_tracks": False}, format="json"
    )

    assert (response.status_code, error_code(response)) == (403, "API_KEY_NOT_ALLOWED")
    assert AccountDeletion.objects.count() == 0


def test_deletion_without_password_or_choice_is_a_validation_error(user):
    response = bearer_client(user).delete("/api/v1/users/me", {}, format="json")

    assert (response.status_code, error_code(response)) == (400, "VALIDATION_ERROR")
    assert set(response.json()["error"]["details"]) == {"password", "keep_public_tracks"}


def test_the_deleted_account_cannot_log_in_and_its_tokens_stop_working(user, api_client):
    client = bearer_client(user)
    email = user.email

    assert delete_me(user).status_code == 202

    login = api_client.post(
        "/api/v1/auth/login", {"email": email, "password": PASSWORD}, format="json"
    )
    assert (login.status_code, error_code(login)) == (401, "INVALID_CREDENTIALS")
    me = client.get("/api/v1/users/me")
    assert me.status_code == 401


def test_deletion_anonymises_the_account_and_revokes_every_credential():
    data = footprint()
    user = data.user

    assert delete_me(user).status_code == 202

    user.refresh_from_db()
    deletion = AccountDeletion.objects.get(user=user)
    assert user.email == f"deleted-{deletion.pk.hex}@deleted.invalid"
    assert user.username == f"deleted-{deletion.pk.hex[:12]}"
    assert not user.has_usable_password()
    assert (user.is_active, user.is_staff) == (False, False)
    profile = Profile.objects.get(user=user)
    assert (profile.display_name, profile.bio, profile.avatar.name, profile.country) == (
        "Deleted user",
        "",
        "",
        "",
    )
    assert not default_storage.exists("avatars/jane.png")
    assert ApiKey.objects.get(user=user).revoked_at is not None
    assert not OAuthAccount.objects.filter(user=user).exists()
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not AuditLog.objects.filter(actor_label="jane.doe@example.com").exists()
    subscription = Subscription.objects.get(user=user)
    assert subscription.cancel_at_period_end is True
    assert not Playlist.objects.filter(owner=user).exists()
    assert not LibraryEntry.objects.filter(user=user).exists()
    assert not Follow.objects.filter(follower=user).exists()
    assert not Follow.objects.filter(followee=user).exists()
    assert not Block.objects.filter(blocker=user).exists()


def test_the_other_participant_sees_messages_from_deleted_user(django_capture_on_commit_callbacks):
    data = footprint()
    conversation_id = data.message_to_other.conversation_id

    assert delete_me(data.user).status_code == 202
    response = bearer_client(data.other).get(f"/api/v1/conversations/{conversation_id}/messages")
    reply = bearer_client(data.other).post(
        f"/api/v1/conversations/{conversation_id}/messages", {"body": "still there?"}, format="json"
    )

    senders = {row["body"]: row["sender"] for row in response.json()["results"]}
    assert senders["Hi from Jane"] == {"id": str(data.user.pk), "display_name": "Deleted user"}
    assert (reply.status_code, error_code(reply)) == (403, "BLOCKED")


def test_keeping_public_tracks_credits_them_to_a_pseudonym_and_removes_the_rest(
    django_capture_on_commit_callbacks,
):
    data = footprint()
    private_file = data.private_track.audio_file.name
    public_file = data.public_track.audio_file.name

    with django_capture_on_commit_callbacks(execute=True):
        response = delete_me(data.user, keep_public_tracks=True)

    deletion = AccountDeletion.objects.get(user=data.user)
    assert response.json()["pseudonym"] == deletion.pseudonym
    assert deletion.pseudonym.startswith("Deleted user ")
    kept = Track.objects.get(owner=data.user)
    assert (kept.pk, kept.artist_name) == (data.public_track.pk, deletion.pseudonym)
    assert default_storage.exists(public_file)
    assert not default_storage.exists(private_file)
    assert not ShareToken.objects.filter(created_by=data.user).exists()


def test_without_keeping_public_tracks_every_track_and_file_goes(
    django_capture_on_commit_callbacks,
):
    data = footprint()
    files = [data.public_track.audio_file.name, data.private_track.audio_file.name]

    with django_capture_on_commit_callbacks(execute=True):
        assert delete_me(data.user, keep_public_tracks=False).status_code == 202

    assert not Track.objects.filter(owner=data.user).exists()
    assert not any(default_storage.exists(name) for name in files)
    assert Track.objects.filter(pk=data.other_track.pk).exists()


def test_export_archives_go_with_the_account(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        bearer_client(user).post("/api/v1/users/me/export")
    export = DataExport.objects.get(user=user)
    pending = DataExportFactory(user=user)

    with django_capture_on_commit_callbacks(execute=True):
        assert delete_me(user).status_code == 202

    export_file = export.file or DataExport.objects.get(pk=export.pk).file
    export.refresh_from_db()
    pending.refresh_from_db()
    assert (export.status, export.file) == (ExportStatus.EXPIRED, "")
    assert not default_storage.exists(export_file)
    assert pending.status == ExportStatus.FAILED


def test_invoices_are_kept_as_issued():
    data = footprint()
    invoice = Invoice.objects.get(user=data.user)
    before = {f.name: getattr(invoice, f.name) for f in Invoice._meta.concrete_fields}

    assert delete_me(data.user).status_code == 202

    invoice.refresh_from_db()
    assert {f.name: getattr(invoice, f.name) for f in Invoice._meta.concrete_fields} == before


def test_the_hard_delete_removes_what_remains_and_is_safe_to_run_twice():
    data = footprint()
    assert delete_me(data.user).status_code == 202
    deletion = AccountDeletion.objects.get(user=data.user)
    too_early = services.deletions_finish_due(now=deletion.hard_delete_after - timedelta(1))
    later = deletion.hard_delete_after + timedelta(hours=1)

    first = services.deletions_finish_due(now=later)
    second = services.deletions_finish_due(now=later + timedelta(days=1))

    assert (too_early, first, second) == (0, 1, 0)
    deletion.refresh_from_db()
    assert deletion.hard_deleted_at == later
    assert deletion.summary["final"]["streaming"] == {"playback_events_unlinked": 3}
    assert PlayEvent.objects.filter(listener=data.user).count() == 0
    assert PlayEvent.objects.filter(creator=data.other, session_id="sess-jane").count() == 0
    assert PlayEvent.objects.filter(creator=data.other).count() == 3
    assert Message.objects.get(pk=data.message_to_other.pk).body == ""
    assert Message.objects.get(pk=data.message_from_other.pk).body == "Hi Jane, Other here"
    assert not AuditLog.objects.filter(actor=data.user, ip_address__isnull=False).exists()
    assert not AuditLog.objects.filter(actor=data.user).exclude(user_agent="").exists()
    track_deletions = AuditLog.objects.filter(actor=data.user, action="track.delete")
    # the public, the private and the distributed track
    assert [entry.metadata for entry in track_deletions] == [{"owner": str(data.user.pk)}] * 3
    assert AuditLog.objects.filter(action="gdpr.account_hard_delete").count() == 1


def test_invoices_of_deleted_accounts_go_when_their_retention_ends():
    data = footprint()
    invoice = Invoice.objects.get(user=data.user)
    assert delete_me(data.user).status_code == 202
    ten_years_later = invoice.issued_at.replace(year=invoice.issued_at.year + 10)

    early = services.retained_invoices_purge(now=ten_years_later - timedelta(minutes=1))
    due = services.retained_invoices_purge(now=ten_years_later + timedelta(minutes=1))

    assert early == 0
    assert due == 2  # the invoice and its line
    assert not Invoice.objects.filter(pk=invoice.pk).exists()


def test_the_hard_delete_task_runs_from_beat(user):
    assert delete_me(user).status_code == 202
    AccountDeletion.objects.filter(user=user).update(
        hard_delete_after=timezone.now() - timedelta(minutes=1)
    )
    from apps.gdpr.tasks import hard_delete_due

    assert hard_delete_due.delay().get() == 1
    assert hard_delete_due.delay().get() == 0


def test_the_ledger_erases_an_account_again_after_a_database_restore(
    django_capture_on_commit_callbacks,
):
    user = UserFactory(is_verified=True, email="restored@example.com", username="restored")
    with django_capture_on_commit_callbacks(execute=True):
        assert delete_me(user).status_code == 202
    # A restore from last night's backup brings the account back as it was.
    AccountDeletion.objects.all().delete()
    User.objects.filter(pk=user.pk).update(
        email="restored@example.com", username="restored", is_active=True
    )
    Profile.objects.filter(user=user).update(display_name="Restored Name")

    replayed = services.erasures_replay()

    assert replayed == 1
    user.refresh_from_db()
    assert user.email.endswith("@deleted.invalid")
    assert user.is_active is False
    assert Profile.objects.get(user=user).display_name == "Deleted user"
    assert AccountDeletion.objects.filter(user=user).count() == 1


def test_a_second_deletion_of_the_same_account_is_a_conflict(user):
    services.account_erase(user=user, keep_public_tracks=False)

    with pytest.raises(AlreadyDeleted):
        services.account_erase(user=user, keep_public_tracks=False)

    assert AccountDeletion.objects.filter(user=user).count() == 1


def test_get_and_patch_of_users_me_still_work(user):
    client = bearer_client(user)

    got = client.get("/api/v1/users/me")
    patched = client.patch("/api/v1/users/me", {"username": "renamed"}, format="json")

    assert (got.status_code, got.json()["email"]) == (200, user.email)
    assert (patched.status_code, patched.json()["username"]) == (200, "renamed")


def test_deletion_archives_the_teachers_courses_and_removes_the_learners_traces():
    data = footprint()
    user = data.user
    taught = Course.objects.get(owner=user)
    others_course = Course.objects.get(title="Other's course")
    assert (others_course.rating_count, others_course.rating_average) == (1, Decimal("5.00"))

    assert delete_me(user).status_code == 202

    taught.refresh_from_db()
    others_course.refresh_from_db()
    deletion = AccountDeletion.objects.get(user=user)
    assert taught.status == CourseStatus.ARCHIVED  # learners keep it; nobody new pays
    assert not Review.objects.filter(user=user).exists()
    assert (others_course.rating_count, others_course.rating_average) == (0, None)
    certificate = Certificate.objects.get(enrollment__user=user)
    assert certificate.learner_name == deletion.pseudonym
    assert certificate.course_title == "Other's course"
    assert AuditLog.objects.filter(action="course.archive", target_id=str(taught.pk)).exists()


def test_deletion_takes_down_every_live_release_and_tells_the_provider_at_once(monkeypatch):
    data = footprint()
    release = PlatformRelease.objects.get(distribution__owner=data.user)
    assert release.status == ReleaseStatus.LIVE
    told = []
    monkeypatch.setattr(
        SandboxProvider,
        "take_down",
        lambda self, *, release, idempotency_key: told.append((release.pk, idempotency_key)),
    )

    assert delete_me(data.user).status_code == 202

    assert [release_id for release_id, _ in told] == [release.pk]
    entry = AuditLog.objects.get(action="distribution.takedown")
    assert entry.target_id == str(release.distribution_id)
    deletion = AccountDeletion.objects.get(user=data.user)
    assert deletion.summary["now"]["distribution"]["takedowns_sent"] == 1


def test_the_hard_delete_unlinks_the_listener_from_creators_statistics_without_changing_them():
    data = footprint()
    rollup_advance(now=timezone.now() + timedelta(minutes=5))
    key = listener_key(listener_id=data.user.pk, session_id="", event_id=0)
    rows = ListenerRollup.objects.filter(listener=key).count()
    listeners_before = ListenerRollup.objects.values("listener").distinct().count()
    assert rows > 0
    assert delete_me(data.user).status_code == 202
    deletion = AccountDeletion.objects.get(user=data.user)

    services.deletions_finish_due(now=deletion.hard_delete_after + timedelta(hours=1))

    deletion.refresh_from_db()
    assert not ListenerRollup.objects.filter(listener=key).exists()
    assert not DailyListenerRollup.objects.filter(listener=key).exists()
    assert ListenerRollup.objects.values("listener").distinct().count() == listeners_before
    assert deletion.summary["final"]["analytics"]["listener_rollup_rows_unlinked"] >= rows
