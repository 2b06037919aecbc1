"""Deliveries to a real HTTP receiver on localhost: signature, retries, disabling, ordering,
the outbox after a worker restart, and the SSRF guard (README "Webhooks for integrators")."""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from freezegun import freeze_time

from apps.accounts.models import AuditLog
from apps.gdpr.erasure import STEPS
from apps.webhooks import services, tasks, transport
from apps.webhooks.checks import private_targets_only_while_debugging
from apps.webhooks.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from tests.webhooks.factories import (
    SECRET,
    WebhookAttemptFactory,
    WebhookDeliveryFactory,
    WebhookEndpointFactory,
)
from tests.webhooks.helpers import signatures, verifies
from tests.webhooks.receiver import Reply, TlsReceiver

pytestmark = pytest.mark.django_db


def record(endpoint, capture, *, object_id="track-1", event_type="track.ready", title="Song"):
    with capture(execute=True):
        return services.webhook_event_record(
            owner_id=endpoint.owner_id,
            event_type=event_type,
            object_id=object_id,
            data_object={"id": object_id, "object": "track", "title": title},
        )


def sweep_at(moment, capture):
    with freeze_time(moment), capture(execute=True):
        return tasks.deliveries_sweep()


def test_a_delivery_is_a_signed_post_that_verifies_with_the_endpoint_secret(
    receiver, private_targets_allowed, django_capture_on_commit_callbacks
):
    endpoint = WebhookEndpointFactory(url=receiver.url)

    event = record(endpoint, django_capture_on_commit_callbacks, title="Night drive")

    [request] = receiver.requests
    assert request.path == "/hooks"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"].startswith("Veza-Webhooks/")
    assert request.headers["Veza-Event-Id"] == str(event.uuid)
    assert request.headers["Veza-Event-Type"] == "track.ready"
    assert verifies(SECRET, request.headers["Veza-Signature"], request.body)
    assert not verifies("whsec_someone-else", request.headers["Veza-Signature"], request.body)
    timestamp, v1 = signatures(request.headers["Veza-Signature"])
    assert abs(timestamp - timezone.now().timestamp()) < 60
    assert len(v1) == 1
    body = json.loads(request.body)
    assert body == {
        "id": str(event.uuid),
        "type": "track.ready",
        "created": body["created"],
        "api_version": "v1",
        "data": {"object": {"id": "track-1", "object": "track", "title": "Night drive"}},
    }
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 1, 200)
    assert delivery.next_attempt_at is None
    [attempt] = delivery.attempt_log.all()
    assert (attempt.number, attempt.status_code, attempt.response_excerpt) == (1, 200, "ok")
    endpoint.refresh_from_db()
    assert endpoint.last_success_at is not None
    assert endpoint.failing_since is None


def test_a_500_is_retried_after_the_backoff_and_then_succeeds(
    receiver, private_targets_allowed, django_capture_on_commit_callbacks
):
    receiver.replies = [Reply(500, b"boom")]
    endpoint = WebhookEndpointFactory(url=receiver.url)
    started = timezone.now()

    record(endpoint, django_capture_on_commit_callbacks)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    wait = delivery.next_attempt_at - started
    assert timedelta(seconds=47) <= wait <= timedelta(seconds=73)  # 60 s +- 20 % jitter
    assert (
        sweep_at(
            delivery.next_attempt_at - timedelta(seconds=1), django_capture_on_commit_callbacks
        )
        == 0
    )
    assert len(receiver.requests) == 1

    assert sweep_at(delivery.next_attempt_at, django_capture_on_commit_callbacks) == 1

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 2, 200)
    first, second = receiver.requests
    assert first.headers["Veza-Event-Id"] == second.headers["Veza-Event-Id"]
    assert first.body == second.body
    assert [a.status_code for a in delivery.attempt_log.order_by("number")] == [500, 200]


def test_an_endpoint_failing_for_the_whole_retry_window_is_disabled_and_its_owner_emailed(
    receiver, private_targets_allowed, django_capture_on_commit_callbacks
):
    receiver.default = Reply(503, b"down")
    endpoint = WebhookEndpointFactory(url=receiver.url)
    record(endpoint, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    created = delivery.event.created_at

    while delivery.status == DeliveryStatus.PENDING:
        sweep_at(delivery.next_attempt_at, django_capture_on_commit_callbacks)
        delivery.refresh_from_db()

    assert delivery.status == DeliveryStatus.FAILED
    assert 10 <= delivery.attempts <= 16
    assert len(receiver.requests) == delivery.attempts
    assert delivery.last_attempt_at <= created + timedelta(hours=72)
    assert delivery.last_attempt_at >= created + timedelta(hours=50)
    endpoint.refresh_from_db()
    assert endpoint.is_active is False
    assert endpoint.disabled_reason == "Every delivery failed for 72 hours."
    [email] = mail.outbox
    assert email.to == [endpoint.owner.email]
    assert endpoint.url in email.body
    entry = AuditLog.objects.get(action="webhook.disable")
    assert (entry.actor, entry.target_id) == (None, str(endpoint.pk))
    # Nothing is sent to a disabled endpoint any more.
    record(endpoint, django_capture_on_commit_callbacks, object_id="track-2")
    assert len(receiver.requests) == delivery.attempts


def test_a_rotated_secret_still_signs_for_24_hours(
    receiver, private_targets_allowed, django_capture_on_commit_callbacks
):
    endpoint = WebhookEndpointFactory(url=receiver.url)
    endpoint, new_secret = services.webhook_endpoint_secret_rotate(
        endpoint=endpoint, actor=endpoint.owner, meta=None
    )

    record(endpoint, django_capture_on_commit_callbacks)
    with freeze_time(timezone.now() + timedelta(hours=24, minutes=1)):
        record(endpoint, django_capture_on_commit_callbacks, object_id="track-2")

    during, after = receiver.requests
    assert len(signatures(during.headers["Veza-Signature"])[1]) == 2
    assert verifies(SECRET, during.headers["Veza-Signature"], during.body)
    assert verifies(new_secret, during.headers["Veza-Signature"], during.body)
    assert len(signatures(after.headers["Veza-Signature"])[1]) == 1
    assert verifies(new_secret, after.headers["Veza-Signature"], after.body)
    assert not verifies(SECRET, after.headers["Veza-Signature"], after.body)


@pytest.mark.parametrize(
    "addresses",
    [
        ["127.0.0.1"],
        ["10.0.0.7"],
        ["172.16.5.4"],
        ["192.168.1.1"],
        ["169.254.169.254"],  # cloud metadata
        ["100.64.0.1"],  # shared address space
        ["0.0.0.0"],  # noqa: S104  (an address the name resolves to, not a bind)
        ["224.0.0.1"],
        ["::1"],
        ["fd00::1"],
        ["fe80::1"],
        ["::ffff:127.0.0.1"],
        ["93.184.215.14", "10.0.0.1"],  # every address is checked, not only the first
    ],
)
def test_a_name_that_resolves_to_a_private_address_is_refused_at_delivery(
    addresses, receiver, monkeypatch, django_capture_on_commit_callbacks
):
    asked = []

    def fake_resolve(host, port):
        asked.append((host, port))
        return addresses

    monkeypatch.setattr(transport, "resolve", fake_resolve)
    endpoint = WebhookEndpointFactory(url=f"https://hooks.example.com:{receiver.port}/hooks")

    record(endpoint, django_capture_on_commit_callbacks)

    assert asked == [("hooks.example.com", receiver.port)]
    assert receiver.requests == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING  # retried: DNS may change back
    assert delivery.last_error == "refused: The host resolves to a private or reserved address."
    assert delivery.last_status_code is None


def test_a_dns_name_pointing_at_the_receiver_is_refused_without_the_test_allowance(
    receiver, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(transport, "resolve", lambda host, port: ["127.0.0.1"])
    endpoint = WebhookEndpointFactory(url=f"http://rebind.example.com:{receiver.port}/hooks")

    record(endpoint, django_capture_on_commit_callbacks)

    assert receiver.requests == []
    assert WebhookDelivery.objects.get().last_error.startswith("refused:")


def test_the_request_goes_to_the_vetted_address_with_the_host_name_in_the_host_header(
    receiver, private_targets_allowed, monkeypatch, django_capture_on_commit_callbacks
):
    calls = []

    def fake_resolve(host, port):
        calls.append(host)
        return ["127.0.0.1"]

    monkeypatch.setattr(transport, "resolve", fake_resolve)
    endpoint = WebhookEndpointFactory(url=f"http://hooks.example.test:{receiver.port}/in?x=1")

    record(endpoint, django_capture_on_commit_callbacks)

    [request] = receiver.requests
    assert calls == ["hooks.example.test"]  # resolved once, at delivery time
    assert request.headers["Host"] == f"hooks.example.test:{receiver.port}"
    assert request.path == "/in?x=1"


def test_redirects_are_not_followed(
    receiver, private_targets_allowed, django_capture_on_commit_callbacks
):
    receiver.replies = [Reply(302, b"", {"Location": "http://169.254.169.254/latest"})]
    endpoint = WebhookEndpointFactory(url=receiver.url)

    record(endpoint, django_capture_on_commit_callbacks)

    assert len(receiver.requests) == 1
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_status_code) == ("pending", 302)
    assert delivery.last_error == "redirects are not followed"


def test_a_large_answer_is_read_up_to_the_limit_only(
    receiver, private_targets_allowed, django_capture_on_commit_callbacks
):
    receiver.replies = [Reply(200, b"x" * 2_000_000)]
    endpoint = WebhookEndpointFactory(url=receiver.url)

    record(endpoint, django_capture_on_commit_callbacks)

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "succeeded"
    assert delivery.attempt_log.get().response_excerpt == "x" * 512


def test_the_outbox_survives_a_worker_restart(
    receiver, private_targets_allowed, django_capture_on_commit_callbacks
):
    endpoint = WebhookEndpointFactory(url=receiver.url)
    # The change commits but the queued task is lost (the worker died, the broker restarted).
    with django_capture_on_commit_callbacks(execute=False):
        lost = services.webhook_event_record(
            owner_id=endpoint.owner_id,
            event_type="track.ready",
            object_id="track-1",
            data_object={"object": "track"},
        )
    # Another delivery was claimed by a worker that died mid-attempt.
    with django_capture_on_commit_callbacks(execute=False):
        services.webhook_event_record(
            owner_id=endpoint.owner_id,
            event_type="track.failed",
            object_id="track-2",
            data_object={"object": "track"},
        )
    now = timezone.now()
    crashed = WebhookDelivery.objects.get(event__type="track.failed")
    WebhookDelivery.objects.filter(pk=crashed.pk).update(claimed_until=now + timedelta(seconds=90))
    assert receiver.requests == []

    assert sweep_at(now, django_capture_on_commit_callbacks) == 1  # the claim still holds
    assert sweep_at(now + timedelta(seconds=91), django_capture_on_commit_callbacks) == 1

    assert sorted(r.headers["Veza-Event-Type"] for r in receiver.requests) == [
        "track.failed",
        "track.ready",
    ]
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"succeeded"}
    assert lost.deliveries.get().attempts == 1


def test_a_second_copy_of_the_task_sends_nothing(
    receiver, private_targets_allowed, django_capture_on_commit_callbacks
):
    endpoint = WebhookEndpointFactory(url=receiver.url)
    record(endpoint, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()

    assert tasks.delivery_attempt(str(delivery.pk)) == "skipped"

    assert len(receiver.requests) == 1


def test_no_event_is_recorded_or_sent_for_a_rolled_back_change(
    receiver, private_targets_allowed, django_capture_on_commit_callbacks
):
    endpoint = WebhookEndpointFactory(url=receiver.url)

    def change_that_fails():
        with transaction.atomic():
            services.webhook_event_record(
                owner_id=endpoint.owner_id,
                event_type="track.ready",
                object_id="track-1",
                data_object={"object": "track"},
            )
            raise RuntimeError("the change fails after the event was recorded")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        change_that_fails()

    assert callbacks == []
    assert WebhookEvent.objects.count() == 0
    assert WebhookDelivery.objects.count() == 0
    assert receiver.requests == []


def test_events_about_one_object_are_delivered_in_order(
    receiver, private_targets_allowed, django_capture_on_commit_callbacks
):
    receiver.replies = [Reply(500)]
    endpoint = WebhookEndpointFactory(url=receiver.url)
    record(endpoint, django_capture_on_commit_callbacks, title="first")
    record(endpoint, django_capture_on_commit_callbacks, object_id="other-track", title="other")
    record(endpoint, django_capture_on_commit_callbacks, title="second")

    # The second event about track-1 waits while the first is being retried; another object's
    # event is not held up.
    assert [json.loads(r.body)["data"]["object"]["title"] for r in receiver.requests] == [
        "first",
        "other",
    ]
    first = WebhookDelivery.objects.get(event__payload__data__object__title="first")
    second = WebhookDelivery.objects.get(event__payload__data__object__title="second")
    assert (second.status, second.attempts) == ("pending", 0)

    sweep_at(first.next_attempt_at, django_capture_on_commit_callbacks)

    titles = [json.loads(r.body)["data"]["object"]["title"] for r in receiver.requests]
    assert titles == ["first", "other", "first", "second"]
    second.refresh_from_db()
    assert second.status == "succeeded"


def test_unordered_types_are_not_held_back(
    receiver, private_targets_allowed, django_capture_on_commit_callbacks
):
    receiver.replies = [Reply(500)]
    endpoint = WebhookEndpointFactory(url=receiver.url)

    record(endpoint, django_capture_on_commit_callbacks, event_type="export.ready")
    record(endpoint, django_capture_on_commit_callbacks, event_type="export.ready")

    assert len(receiver.requests) == 2


def test_only_subscribed_active_endpoints_of_the_owner_receive_an_event(
    receiver, private_targets_allowed, django_capture_on_commit_callbacks
):
    endpoint = WebhookEndpointFactory(url=receiver.url, event_types=["track.failed"])
    WebhookEndpointFactory(url=receiver.url, owner=endpoint.owner, is_active=False)
    WebhookEndpointFactory(url=receiver.url)  # someone else's

    assert record(endpoint, django_capture_on_commit_callbacks) is None

    assert receiver.requests == []
    assert WebhookEvent.objects.count() == 0


def test_the_test_only_allowance_fails_the_deploy_check_when_debug_is_off(settings):
    settings.DEBUG = False
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    assert [error.id for error in private_targets_only_while_debugging(None)] == ["webhooks.E001"]

    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    assert private_targets_only_while_debugging(None) == []


def test_a_disabled_endpoints_pending_deliveries_are_given_up(
    receiver, private_targets_allowed, django_capture_on_commit_callbacks
):
    receiver.replies = [Reply(500)]
    endpoint = WebhookEndpointFactory(url=receiver.url)
    record(endpoint, django_capture_on_commit_callbacks)

    services.webhook_endpoint_disable(endpoint=endpoint, actor=None, reason="test")

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_error) == ("failed", "endpoint disabled")
    assert WebhookEndpoint.objects.get().is_active is False


def test_an_account_deletion_removes_endpoints_logs_and_events_first(
    receiver, private_targets_allowed, django_capture_on_commit_callbacks
):
    endpoint = WebhookEndpointFactory(url=receiver.url)
    kept = WebhookEndpointFactory(url=receiver.url)
    record(endpoint, django_capture_on_commit_callbacks)
    record(kept, django_capture_on_commit_callbacks)

    counts = services.webhook_data_erase(owner=endpoint.owner)

    assert counts["webhook_events_deleted"] >= 1
    assert not WebhookEndpoint.objects.filter(owner=endpoint.owner).exists()
    assert not WebhookEvent.objects.filter(owner=endpoint.owner).exists()
    assert WebhookDelivery.objects.get().endpoint == kept
    # Before the other steps, whose changes (a canceled subscription) must reach nobody.
    assert STEPS[0].name == "webhooks"


def test_an_endpoint_deleted_while_its_request_is_in_flight_records_nothing(
    monkeypatch, django_capture_on_commit_callbacks
):
    endpoint = WebhookEndpointFactory()

    def post_then_delete(**kwargs):
        WebhookEndpoint.objects.filter(pk=endpoint.pk).delete()
        return transport.Outcome(status_code=200, duration_ms=5)

    monkeypatch.setattr(transport, "post", post_then_delete)

    record(endpoint, django_capture_on_commit_callbacks)

    assert WebhookDelivery.objects.count() == 0


@pytest.fixture
def tls_receiver(tmp_path):
    server = TlsReceiver(tmp_path, "hooks.example.test").start()
    yield server
    server.stop()


def test_https_goes_to_the_vetted_address_with_the_host_name_for_sni_and_the_certificate(
    tls_receiver, private_targets_allowed, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(transport, "resolve", lambda host, port: ["127.0.0.1"])
    monkeypatch.setattr(transport, "CA_BUNDLE", tls_receiver.cert_path)
    endpoint = WebhookEndpointFactory(url=f"https://hooks.example.test:{tls_receiver.port}/in")

    record(endpoint, django_capture_on_commit_callbacks)

    assert tls_receiver.server_names == ["hooks.example.test"]
    [request] = tls_receiver.requests
    assert request.headers["Host"] == f"hooks.example.test:{tls_receiver.port}"
    assert WebhookDelivery.objects.get().status == "succeeded"


def test_https_with_an_untrusted_certificate_fails_the_attempt(
    tls_receiver, private_targets_allowed, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(transport, "resolve", lambda host, port: ["127.0.0.1"])
    endpoint = WebhookEndpointFactory(url=f"https://hooks.example.test:{tls_receiver.port}/in")

    record(endpoint, django_capture_on_commit_callbacks)

    assert tls_receiver.requests == []
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_error) == (
        "pending",
        "tls: certificate or handshake failed",
    )


def test_the_sweeper_runs_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["webhooks-deliveries-sweep"]

    assert entry["task"] == tasks.deliveries_sweep.name
    assert entry["schedule"] <= 60
    assert tasks.delivery_attempt.acks_late is True
    assert tasks.delivery_attempt.time_limit > transport.RESPONSE_DEADLINE_SECONDS


def test_a_broker_outage_does_not_fail_the_change_and_the_sweeper_delivers_later(
    receiver, private_targets_allowed, monkeypatch, django_capture_on_commit_callbacks
):
    endpoint = WebhookEndpointFactory(url=receiver.url)

    def broker_down(delivery_id):
        raise ConnectionError("broker unreachable")

    with monkeypatch.context() as patched:
        patched.setattr(tasks.delivery_attempt, "delay", broker_down)
        record(endpoint, django_capture_on_commit_callbacks)  # does not raise

    assert WebhookDelivery.objects.get().status == "pending"
    assert receiver.requests == []
    assert sweep_at(timezone.now(), django_capture_on_commit_callbacks) == 1
    assert WebhookDelivery.objects.get().status == "succeeded"


def test_events_past_retention_are_pruned_with_their_logs_unless_still_pending(settings):
    settings.WEBHOOKS_LOG_RETENTION_DAYS = 30
    now = timezone.now()
    old = now - timedelta(days=31)
    done = WebhookAttemptFactory(
        delivery__status="succeeded", delivery__event__created_at=old
    ).delivery
    waiting = WebhookDeliveryFactory(event__created_at=old)  # pending: kept until it finishes
    recent = WebhookDeliveryFactory(status="failed")

    assert tasks.events_prune() == 1

    assert set(WebhookDelivery.objects.values_list("pk", flat=True)) == {waiting.pk, recent.pk}
    assert not WebhookEvent.objects.filter(pk=done.event_id).exists()
    assert WebhookAttempt.objects.count() == 0
