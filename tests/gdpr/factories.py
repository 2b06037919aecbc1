"""Personal-data test helpers: a user with data in every domain, and export shortcuts."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import timedelta

import factory
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from factory.django import DjangoModelFactory

from apps.accounts.models import (
    ApiKey,
    AuditLog,
    BackupCodeDevice,
    OAuthAccount,
    Profile,
    Role,
    User,
)
from apps.billing import services as billing_services
from apps.catalog.models import (
    Follow,
    LibraryEntry,
    PlaylistEntry,
    Report,
    ShareToken,
    Track,
    Visibility,
)
from apps.distribution.models import ReleaseStatus
from apps.education import services as education_services
from apps.education.models import LessonProgress
from apps.gdpr.models import DataExport
from apps.messaging.models import Block, Message
from apps.streaming.models import PlayEvent
from tests.accounts.factories import UserFactory
from tests.catalog.factories import PlaylistFactory, TrackFactory
from tests.distribution.factories import import_report, release_in, report, report_line
from tests.education.factories import CourseFactory, EnrollmentFactory, LessonFactory
from tests.messaging.factories import MessageFactory, conversation_between
from tests.webhooks.factories import WebhookAttemptFactory, WebhookEndpointFactory


class DataExportFactory(DjangoModelFactory):
    class Meta:
        model = DataExport

    user = factory.SubFactory(UserFactory, is_verified=True)


@dataclass
class Footprint:
    """A user with data in every domain, someone they talk to, and a stranger."""

    user: User
    other: User
    stranger: User
    public_track: Track
    private_track: Track
    other_track: Track
    message_to_other: Message
    message_from_other: Message
    strangers_message: Message


def footprint() -> Footprint:
    now = timezone.now()
    user = UserFactory(
        is_verified=True,
        role=Role.CREATOR,
        email="jane.doe@example.com",
        username="janedoe",
        profile=None,
    )
    Profile.objects.create(
        user=user,
        display_name="Jane Doe",
        bio="Bass player from Lyon",
        avatar=default_storage.save("avatars/jane.png", ContentFile(b"\x89PNG jane")),
        country="FR",
    )
    other = UserFactory(
        is_verified=True,
        role=Role.CREATOR,
        email="other.person@example.com",
        username="otherperson",
        profile__display_name="Other Person",
    )
    stranger = UserFactory(
        is_verified=True, email="stranger@example.com", profile__display_name="Stranger"
    )
    public_track = TrackFactory(
        owner=user,
        title="Jane public",
        artist_name="Jane Doe Band",
        description="Recorded at home",
        content=b"public-audio-bytes",
    )
    private_track = TrackFactory(
        owner=user,
        title="Jane private",
        artist_name="Jane Doe Band",
        visibility=Visibility.PRIVATE,
        content=b"private-audio-bytes",
    )
    other_track = TrackFactory(owner=other, title="Other's song")
    playlist = PlaylistFactory(owner=user, title="Jane's mix", description="For Jane's runs")
    PlaylistEntry.objects.create(playlist=playlist, track=other_track, position=0)
    LibraryEntry.objects.create(user=user, track=other_track)
    Follow.objects.create(follower=user, followee=other)
    Follow.objects.create(follower=other, followee=user)
    ShareToken.objects.create(token_hash="a" * 64, track=private_track, created_by=user)
    Report.objects.create(track=other_track, reporter=user, reason="spam", details="Jane saw spam")
    PlayEvent.objects.bulk_create(
        [
            PlayEvent(
                track=other_track,
                creator=other,
                listener=user,
                session_id="sess-jane",
                country="FR",
                seconds_played=30 + index,
            )
            for index in range(3)
        ]
    )
    conversation = conversation_between(user, other)
    message_to_other = MessageFactory(
        conversation=conversation, sender=user, body="Hi from Jane", created_at=now
    )
    message_from_other = MessageFactory(
        conversation=conversation, sender=other, body="Hi Jane, Other here", created_at=now
    )
    strangers_message = MessageFactory(
        conversation=conversation_between(other, stranger),
        sender=stranger,
        body="A secret between other and stranger",
    )
    Block.objects.create(blocker=user, blocked=stranger)
    # Education: Jane teaches one course, and learned, completed and reviewed another's.
    LessonFactory(course=CourseFactory(owner=user, title="Jane's bass course"))
    others_course = CourseFactory(owner=other, title="Other's course")
    lesson = LessonFactory(course=others_course, title="Lesson one")
    enrollment = EnrollmentFactory(user=user, course=others_course, completed_at=now)
    LessonProgress.objects.create(
        enrollment=enrollment, lesson=lesson, percent=100, completed_at=now
    )
    education_services.certificate_issue(enrollment=enrollment, now=now)
    education_services.review_create(
        course=others_course, user=user, rating=5, body="Jane loved it"
    )
    billing_services.subscription_create(
        user=user, plan_code="creator", billing_cycle="monthly", now=now - timedelta(days=1)
    )
    # Distribution: one of Jane's tracks is live on Spotify and earned royalties.
    live = release_in(ReleaseStatus.LIVE, user=user)
    Track.objects.filter(pk=live.track_id).update(visibility=Visibility.PRIVATE)
    import_report(report(report_line(live.distribution.isrc, earnings="2.50")))
    ApiKey.objects.create(user=user, name="Jane's laptop", prefix="vz_live_jane", secret_hash="x")
    OAuthAccount.objects.create(
        user=user,
        provider="google",
        provider_user_id="g-jane",
        email="jane@gmail.example",
        access_token="sealed-access-token",
        refresh_token="sealed-refresh-token",
    )
    BackupCodeDevice.objects.create(user=user, name="Jane's backup codes", confirmed=True)
    TOTPDevice.objects.create(user=user, name="Jane's phone", confirmed=True)
    AuditLog.objects.create(
        actor=user,
        actor_label=user.email,
        action="user.login",
        target_type="accounts.user",
        target_id=str(user.pk),
        ip_address="203.0.113.7",
        user_agent="JaneBrowser/1.0",
    )
    # Webhooks: one endpoint, one event sent to it and the attempt's answer.
    hooks = WebhookEndpointFactory(
        owner=user,
        url="https://jane.example/hooks",
        description="Jane's shop",
        event_types=["track.ready"],
    )
    WebhookAttemptFactory(delivery__endpoint=hooks, response_excerpt="Jane's server says no")
    return Footprint(
        user=user,
        other=other,
        stranger=stranger,
        public_track=public_track,
        private_track=private_track,
        other_track=other_track,
        message_to_other=message_to_other,
        message_from_other=message_from_other,
        strangers_message=strangers_message,
    )


def error_code(response) -> str:
    """The code of an error answer, after checking it is the contract's envelope."""
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    return body["error"]["code"]


def archive_of(export: DataExport) -> zipfile.ZipFile:
    with default_storage.open(export.file, "rb") as handle:
        return zipfile.ZipFile(io.BytesIO(handle.read()))


def jsonl(archive: zipfile.ZipFile, name: str) -> list[dict]:
    return [json.loads(line) for line in archive.read(name).decode().splitlines()]
