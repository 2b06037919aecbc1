"""Each domain records its catalogue event in the transaction of the change, for the owner the
catalogue names (README "Webhooks for integrators", event catalogue)."""

import importlib

import pytest
from django.apps import apps

from apps.billing import services as billing_services
from apps.catalog.services import track_moderate, track_process
from apps.distribution.models import ChangeSource, ReleaseStatus
from apps.distribution.services import release_transition
from apps.education import services as education_services
from apps.gdpr import services as gdpr_services
from apps.webhooks.models import WebhookDelivery, WebhookEvent
from tests.accounts.factories import UserFactory
from tests.billing.factories import RecordingGateway, at, decline, subscribe
from tests.catalog.factories import TrackFactory
from tests.distribution.factories import release_in
from tests.education.factories import CourseFactory
from tests.gdpr.factories import DataExportFactory
from tests.webhooks.factories import WebhookEndpointFactory

pytestmark = pytest.mark.django_db

_plans = importlib.import_module("apps.billing.migrations.0002_seed_plans")


@pytest.fixture(autouse=True)
def _media_and_plans(media_root):
    _plans.seed_plans(apps, None)


def events_of(user) -> list[tuple[str, dict]]:
    return [
        (event.type, event.payload["data"]["object"])
        for event in WebhookEvent.objects.filter(owner=user).order_by("id")
    ]


def test_a_processed_track_sends_track_ready_to_its_owner_only(mp3_bytes):
    endpoint = WebhookEndpointFactory()
    WebhookEndpointFactory()  # another account's endpoint hears nothing
    track = TrackFactory(owner=endpoint.owner, status="processing", content=mp3_bytes)

    track_process(track_id=track.pk)

    [(event_type, track_object)] = events_of(endpoint.owner)
    assert event_type == "track.ready"
    assert track_object["id"] == str(track.pk)
    assert (track_object["object"], track_object["status"]) == ("track", "ready")
    assert WebhookDelivery.objects.get().endpoint == endpoint
    event = WebhookEvent.objects.get()
    assert event.ordering_key == f"track:{track.pk}"
    assert set(event.payload) == {"id", "type", "created", "api_version", "data"}


def test_a_track_that_fails_processing_sends_track_failed():
    endpoint = WebhookEndpointFactory()
    track = TrackFactory(owner=endpoint.owner, status="processing", content=b"not audio" * 20)

    track_process(track_id=track.pk)

    [(event_type, track_object)] = events_of(endpoint.owner)
    assert event_type == "track.failed"
    assert track_object["failure_reason"].startswith("Could not read the audio")


def test_a_take_down_sends_track_taken_down_once(staff_user):
    endpoint = WebhookEndpointFactory()
    track = TrackFactory(owner=endpoint.owner)

    track_moderate(track=track, action="take_down", actor=staff_user)
    track_moderate(track=track, action="take_down", actor=staff_user)

    assert [t for t, _ in events_of(endpoint.owner)] == ["track.taken_down"]


def test_subscribing_sends_subscription_changed_and_invoice_paid_to_the_subscriber():
    endpoint = WebhookEndpointFactory()

    billing_services.subscription_create(
        user=endpoint.owner, plan_code="creator", billing_cycle="monthly"
    )

    # The first invoice is paid inside the subscription's creation, which then completes.
    (first, invoice), (second, subscription) = events_of(endpoint.owner)
    assert (first, invoice["status"], invoice["total"], invoice["currency"]) == (
        "invoice.paid",
        "paid",
        "9.99",
        "USD",
    )
    assert (second, subscription["change"], subscription["plan"]) == (
        "subscription.changed",
        "subscription.create",
        "creator",
    )
    assert subscription["status"] == "active"
    assert invoice["number"].startswith("VZ-")


def test_a_declined_renewal_sends_invoice_payment_failed_and_the_past_due_subscription():
    endpoint = WebhookEndpointFactory(
        event_types=["invoice.payment_failed", "subscription.changed"]
    )
    subscribe(endpoint.owner, "creator", "monthly")
    WebhookEvent.objects.all().delete()
    decline(endpoint.owner)

    billing_services.subscriptions_process_due(now=at(2026, 4, 1, 12), gateway=RecordingGateway())

    (first, invoice), (second, subscription) = events_of(endpoint.owner)
    assert (first, invoice["status"], invoice["paid_at"]) == (
        "invoice.payment_failed",
        "open",
        None,
    )
    assert invoice["last_payment_error"]
    assert invoice["number"].startswith("VZ-")
    assert (second, subscription["change"], subscription["status"]) == (
        "subscription.changed",
        "subscription.payment_failed",
        "past_due",
    )


def test_an_enrollment_is_sent_to_the_course_creator_not_the_learner():
    endpoint = WebhookEndpointFactory()
    course = CourseFactory(owner=endpoint.owner)
    learner = UserFactory(verified=True)
    WebhookEndpointFactory(owner=learner)

    enrollment = education_services.enrollment_create(user=learner, course=course)

    [(event_type, data)] = events_of(endpoint.owner)
    assert event_type == "course.enrollment.created"
    assert data["id"] == str(enrollment.pk)
    assert data["learner"] == str(learner.pk)
    assert data["course"] == {"id": str(course.pk), "slug": course.slug}
    assert events_of(learner) == []


def test_a_release_status_change_is_sent_to_the_distribution_owner():
    release = release_in(ReleaseStatus.SUBMITTED)
    owner = release.distribution.owner
    WebhookEndpointFactory(owner=owner, event_types=["distribution.status_changed"])

    release_transition(
        release=release, to_status=ReleaseStatus.PROCESSING, source=ChangeSource.PROVIDER
    )

    [(event_type, data)] = events_of(owner)
    assert event_type == "distribution.status_changed"
    assert (data["from_status"], data["status"], data["platform"]) == (
        "submitted",
        "processing",
        "spotify",
    )


def test_a_ready_export_is_sent_to_the_user_it_is_about():
    endpoint = WebhookEndpointFactory(event_types=["export.ready"])
    export = DataExportFactory(user=endpoint.owner)

    gdpr_services.export_process(export_id=export.pk)

    [(event_type, data)] = events_of(endpoint.owner)
    assert event_type == "export.ready"
    assert data["id"] == str(export.pk)
    assert data["download_url"].endswith(f"/api/v1/users/me/exports/{export.pk}/download")
