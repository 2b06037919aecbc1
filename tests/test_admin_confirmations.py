"""Destructive admin actions ask first: a confirmation page saying what will happen, with a
required reason that the service records in its audit row (``veza.admin_tools.action_confirm``).

Every such action is exercised the same three ways: the changelist's POST shows the page and
changes nothing; confirming without a reason shows the page again with the error and changes
nothing; confirming with a reason performs the action through the service, whose audit row
names the staff member and carries the reason.
"""

from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.models import ApiKey, AuditLog, User
from apps.accounts.services import api_key_create
from apps.billing.models import Subscription
from apps.catalog.models import Report, ShareToken, Track
from apps.catalog.services import share_token_create
from apps.education import services as education_services
from apps.education.models import Certificate, Course, Review
from apps.gdpr.models import AccountDeletion
from apps.webhooks.models import WebhookEndpoint
from tests.accounts.factories import UserFactory
from tests.billing.factories import PlanFactory, subscribe
from tests.catalog.factories import TrackFactory
from tests.education.factories import CourseFactory, EnrollmentFactory, ReviewFactory
from tests.webhooks.factories import WebhookEndpointFactory
from veza.audit import RequestMeta

REASON = "Reported by three listeners, checked by hand"


@dataclass
class Case:
    changelist: str
    action: str
    audit_action: str
    make: Any  # () -> the row to select
    done: Any  # (row) -> has the action happened?
    phrase: str  # words of the consequence the page must show


def _api_key():
    return api_key_create(
        user=UserFactory(verified=True), name="ci", scopes=["read"], meta=RequestMeta()
    )[0]


def _certificate():
    enrollment = EnrollmentFactory(completed_at=timezone.now(), lessons_at_completion=1)
    return education_services.certificate_issue(enrollment=enrollment)[0]


def _subscription():
    PlanFactory(code="creator")  # the seeded plan (a transactional test may have flushed it)
    return subscribe(UserFactory(verified=True), "creator")


def _review():
    review = ReviewFactory(rating=4)
    Course.objects.filter(pk=review.course_id).update(rating_count=1, rating_total=4)
    return review


def _report():
    return Report.objects.create(track=TrackFactory(), reporter=UserFactory(), reason="spam")


def _moderation(status):
    def done(row):
        track_id = row.track_id if isinstance(row, Report) else row.pk
        return Track.objects.get(pk=track_id).moderation_status == status

    return done


CASES = {
    "deactivate a user": Case(
        "accounts_user",
        "deactivate",
        "user.deactivate",
        lambda: UserFactory(verified=True),
        lambda user: not User.objects.get(pk=user.pk).is_active,
        "can no longer log in",
    ),
    "revoke an API key": Case(
        "accounts_apikey",
        "revoke",
        "api_key.revoke",
        _api_key,
        lambda key: ApiKey.objects.get(pk=key.pk).revoked_at is not None,
        "is refused",
    ),
    "reset two-factor": Case(
        "otp_totp_totpdevice",
        "reset_two_factor",
        "user.2fa_reset_by_staff",
        lambda: TOTPDevice.objects.create(user=UserFactory(verified=True), confirmed=True),
        lambda device: not TOTPDevice.objects.filter(pk=device.pk).exists(),
        "a password alone opens them",
    ),
    "hide a track": Case(
        "catalog_track",
        "hide_tracks",
        "track.moderation.hide",
        TrackFactory,
        _moderation("hidden"),
        "leave every list",
    ),
    "take down a track": Case(
        "catalog_track",
        "take_down_tracks",
        "track.moderation.take_down",
        TrackFactory,
        _moderation("taken_down"),
        "media answers 404",
    ),
    "take down a reported track": Case(
        "catalog_report",
        "take_down_track",
        "track.moderation.take_down",
        _report,
        _moderation("taken_down"),
        "media answers 404",
    ),
    "hide a reported track": Case(
        "catalog_report",
        "hide_track",
        "track.moderation.hide",
        _report,
        _moderation("hidden"),
        "leave every list",
    ),
    "revoke a share link": Case(
        "catalog_sharetoken",
        "revoke",
        "share.revoke",
        lambda: share_token_create(actor=(track := TrackFactory()).owner, track=track)[0],
        lambda share: ShareToken.objects.get(pk=share.pk).revoked_at is not None,
        "loses access",
    ),
    "cancel a subscription": Case(
        "billing_subscription",
        "cancel_at_period_end_action",
        "subscription.cancel",
        _subscription,
        lambda sub: Subscription.objects.get(pk=sub.pk).cancel_at_period_end,
        "end at their period end",
    ),
    "revoke a certificate": Case(
        "education_certificate",
        "revoke_certificates",
        "certificate.revoke",
        _certificate,
        lambda cert: Certificate.objects.get(pk=cert.pk).revoked_at is not None,
        "Revoking is permanent",
    ),
    "archive a course": Case(
        "education_course",
        "archive_courses",
        "course.archive",
        CourseFactory,
        lambda course: Course.objects.get(pk=course.pk).status == "archived",
        "take no new enrollments",
    ),
    "hide a review": Case(
        "education_review",
        "hide_reviews",
        "review.hide",
        _review,
        lambda review: Review.objects.get(pk=review.pk).is_hidden,
        "leave the course",
    ),
    "disable a webhook endpoint": Case(
        "webhooks_webhookendpoint",
        "disable",
        "webhook.disable",
        lambda: WebhookEndpointFactory(),
        lambda endpoint: not WebhookEndpoint.objects.get(pk=endpoint.pk).is_active,
        "pending deliveries are given up",
    ),
    "delete an account keeping public tracks": Case(
        "gdpr_datasubject",
        "delete_keeping_public_tracks",
        "gdpr.account_delete",
        lambda: UserFactory(verified=True),
        lambda user: AccountDeletion.objects.filter(user_id=user.pk).exists(),
        "Public tracks stay",
    ),
    "delete an account and its tracks": Case(
        "gdpr_datasubject",
        "delete_everything",
        "gdpr.account_delete",
        lambda: UserFactory(verified=True),
        lambda user: AccountDeletion.objects.filter(user_id=user.pk).exists(),
        "Every track of theirs goes too",
    ),
}


def _post(client, case, row, **extra):
    return client.post(
        reverse(f"admin:{case.changelist}_changelist"),
        {"action": case.action, ACTION_CHECKBOX_NAME: [str(row.pk)], "index": "0", **extra},
    )


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(CASES))
def test_a_destructive_action_asks_for_a_reason_then_acts_through_the_audited_service(
    name, client, staff_user
):
    case = CASES[name]
    row = case.make()
    client.force_login(staff_user)
    audits_before = AuditLog.objects.filter(action=case.audit_action).count()

    page = _post(client, case, row)

    assert page.status_code == 200
    assert page.templates[0].name == "admin/action_confirm.html"
    html = page.content.decode()
    assert case.phrase in html
    assert 'name="reason"' in html
    assert 'name="confirm" value="yes"' in html
    assert f'name="{ACTION_CHECKBOX_NAME}" value="{row.pk}"' in html
    assert not case.done(row)

    blank = _post(client, case, row, confirm="yes", reason="   ")

    assert blank.status_code == 200
    assert "Say why: the reason is recorded in the audit log." in blank.content.decode()
    assert not case.done(row)
    assert AuditLog.objects.filter(action=case.audit_action).count() == audits_before

    confirmed = _post(client, case, row, confirm="yes", reason=f"  {REASON}\n")

    assert confirmed.status_code == 302
    assert case.done(row)
    entry = AuditLog.objects.filter(action=case.audit_action).latest("created_at")
    assert entry.actor_id == staff_user.pk
    assert entry.metadata["reason"] == REASON


@pytest.mark.django_db
def test_the_confirmation_page_lists_a_long_selection_briefly_and_keeps_select_across(
    client, staff_user
):
    tracks = TrackFactory.create_batch(52)
    client.force_login(staff_user)

    page = client.post(
        reverse("admin:catalog_track_changelist"),
        {
            "action": "take_down_tracks",
            ACTION_CHECKBOX_NAME: [str(tracks[0].pk)],
            "select_across": "1",
            "index": "0",
        },
    )

    html = page.content.decode()
    assert page.status_code == 200
    assert "52 tracks selected" in html
    assert "… and 2 more" in html
    assert 'name="select_across" value="1"' in html
    confirmed = client.post(
        reverse("admin:catalog_track_changelist"),
        {
            "action": "take_down_tracks",
            ACTION_CHECKBOX_NAME: [str(tracks[0].pk)],
            "select_across": "1",
            "index": "0",
            "confirm": "yes",
            "reason": REASON,
        },
    )
    assert confirmed.status_code == 302
    assert Track.objects.filter(moderation_status="taken_down").count() == 52
    assert AuditLog.objects.filter(action="track.moderation.take_down").count() == 52
