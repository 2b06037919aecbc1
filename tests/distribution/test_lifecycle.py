"""Following a release through the provider: submit after commit, poll with backoff, the sandbox's
delays and switches, idempotent retries, takedown, and what happens when the paid plan ends."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from apps.accounts.models import AuditLog
from apps.billing.models import Subscription
from apps.distribution import services, tasks
from apps.distribution.models import PlatformRelease, StatusChange
from apps.distribution.providers import SandboxProvider
from apps.distribution.services import providers as provider_services
from tests.conftest import bearer_client, staff_bearer_client
from tests.distribution.factories import DistributableTrackFactory, paid_creator, release_in, submit


class RecordingProvider(SandboxProvider):
    """The sandbox plus a record of what left the machine. Like a real distributor, it
    delivers once per idempotency key however often the key is sent."""

    def __init__(self, delay: float = 0.0):
        self.calls: list[str] = []
        self.takedowns: list[str] = []
        self.delay = delay
        self._lock = threading.Lock()

    @property
    def deliveries(self) -> set[str]:
        return set(self.calls)

    def submit(self, *, release, spec, idempotency_key):
        time.sleep(self.delay)
        with self._lock:
            self.calls.append(idempotency_key)
        return super().submit(release=release, spec=spec, idempotency_key=idempotency_key)

    def take_down(self, *, release, idempotency_key):
        self.takedowns.append(idempotency_key)


def _history(release):
    return list(
        StatusChange.objects.filter(release=release)
        .order_by("created_at", "id")
        .values_list("from_status", "to_status", "source")
    )


@pytest.mark.django_db
def test_the_submit_task_runs_after_commit_and_the_release_is_submitted(
    django_capture_on_commit_callbacks,
):
    user = paid_creator()
    track = DistributableTrackFactory(owner=user)

    with django_capture_on_commit_callbacks(execute=True):
        distribution = submit(user, track, ["spotify"])

    release = distribution.releases.get()
    release.refresh_from_db()
    assert release.status == "submitted"
    assert release.provider == "sandbox"
    assert release.provider_reference.startswith("sbx_spotify_")
    assert release.submit_attempts == 1


@pytest.mark.django_db
@override_settings(DISTRIBUTION_SANDBOX_TIME_SCALE=1, DISTRIBUTION_POLL_BASE_SECONDS=60)
def test_the_sandbox_walks_spotify_from_submitted_to_live_with_its_delays():
    release = release_in("pending", next_check_at=timezone.now())
    t0 = timezone.now()

    outcomes = [
        services.release_submit(release_id=release.pk, now=t0),
        services.release_poll(release_id=release.pk, now=t0 + timedelta(minutes=1)),
        services.release_poll(release_id=release.pk, now=t0 + timedelta(hours=3)),
        services.release_poll(release_id=release.pk, now=t0 + timedelta(hours=49)),
    ]

    assert outcomes == ["submitted", "unchanged", "processing", "live"]
    release.refresh_from_db()
    assert release.status == "live"
    assert release.live_at == t0 + timedelta(hours=49)
    assert release.next_check_at is None
    assert _history(release) == [
        ("draft", "pending", "owner"),
        ("pending", "submitted", "provider"),
        ("submitted", "processing", "provider"),
        ("processing", "live", "provider"),
    ]


@pytest.mark.django_db
@override_settings(DISTRIBUTION_SANDBOX_TIME_SCALE=1)
def test_a_release_that_went_live_between_two_checks_records_both_steps():
    release = release_in("pending", platform="apple_music")
    t0 = timezone.now()
    services.release_submit(release_id=release.pk, now=t0)

    assert services.release_poll(release_id=release.pk, now=t0 + timedelta(hours=73)) == "live"
    assert _history(release)[-2:] == [
        ("submitted", "processing", "provider"),
        ("processing", "live", "provider"),
    ]


@pytest.mark.django_db
@override_settings(DISTRIBUTION_SANDBOX_TIME_SCALE=1, DISTRIBUTION_POLL_BASE_SECONDS=60)
def test_unchanged_answers_back_off_exponentially_up_to_the_cap():
    release = release_in("pending")
    t0 = timezone.now()
    services.release_submit(release_id=release.pk, now=t0)

    waits = []
    for _ in range(4):
        services.release_poll(release_id=release.pk, now=t0)
        release.refresh_from_db()
        waits.append((release.next_check_at - t0).total_seconds())
    with override_settings(DISTRIBUTION_POLL_MAX_SECONDS=300):
        services.release_poll(release_id=release.pk, now=t0)
    release.refresh_from_db()

    assert waits == [60, 120, 240, 480]
    assert (release.next_check_at - t0).total_seconds() == 300
    assert release.poll_attempts == 5


@pytest.mark.django_db
@override_settings(DISTRIBUTION_SANDBOX_TIME_SCALE=1)
def test_the_sandbox_rejects_on_demand_with_the_platforms_reason():
    user = paid_creator()
    track = DistributableTrackFactory(owner=user, title="Night Drive [reject]")
    release = submit(user, track, ["deezer"]).releases.get()
    t0 = timezone.now()
    services.release_submit(release_id=release.pk, now=t0)

    outcome = services.release_poll(release_id=release.pk, now=t0 + timedelta(days=6))

    assert outcome == "rejected"
    response = bearer_client(user).get(f"/api/v1/distributions/{release.distribution_id}")
    deezer = response.json()["releases"][0]
    assert deezer["status"] == "rejected"
    assert deezer["status_reason"] == (
        "The artwork does not match the metadata (sandbox: the title has [reject])."
    )


@pytest.mark.django_db
@override_settings(DISTRIBUTION_SUBMIT_MAX_ATTEMPTS=3, DISTRIBUTION_POLL_BASE_SECONDS=60)
def test_provider_errors_are_retried_with_backoff_then_the_release_fails():
    user = paid_creator()
    track = DistributableTrackFactory(owner=user, title="Outage [fail]")
    release = submit(user, track, ["spotify"]).releases.get()
    t0 = timezone.now()

    first = services.release_submit(release_id=release.pk, now=t0)
    release.refresh_from_db()
    wait = release.next_check_at - t0
    second = services.release_submit(release_id=release.pk, now=t0)
    third = services.release_submit(release_id=release.pk, now=t0)

    assert (first, second, third) == ("retry", "retry", "failed")
    assert wait == timedelta(seconds=60)
    release.refresh_from_db()
    assert release.status == "failed"
    assert release.status_reason.startswith("After 3 attempts: Sandbox: the provider is")
    assert _history(release)[-1] == ("pending", "failed", "provider")


@pytest.mark.django_db
def test_a_worker_killed_after_the_provider_accepted_is_retried_and_delivers_once(monkeypatch):
    """The crash is simulated after the provider answered and before the commit: the release
    is still pending, the retry sends the same idempotency key, the platform gets it once."""
    release = release_in("pending")
    provider = RecordingProvider()
    monkeypatch.setattr(provider_services, "get_provider", lambda: provider)
    real_transition = provider_services.release_transition

    class WorkerKilled(Exception):
        pass

    def crash(**kwargs):
        raise WorkerKilled()

    monkeypatch.setattr(provider_services, "release_transition", crash)
    with pytest.raises(WorkerKilled):
        tasks.release_submit.delay(str(release.pk))
    release.refresh_from_db()
    assert release.status == "pending"

    monkeypatch.setattr(provider_services, "release_transition", real_transition)
    assert tasks.release_submit.delay(str(release.pk)).get() == "submitted"
    assert tasks.release_submit.delay(str(release.pk)).get() == "skipped"  # delivered twice

    assert provider.calls == [services.submit_idempotency_key(release)] * 2
    assert len(provider.deliveries) == 1
    release.refresh_from_db()
    assert release.status == "submitted"
    assert [h for h in _history(release) if h[1] == "submitted"] == [
        ("pending", "submitted", "provider")
    ]


@pytest.mark.django_db(transaction=True)
def test_two_workers_on_one_release_call_the_provider_once(monkeypatch):
    release = release_in("pending")
    provider = RecordingProvider(delay=0.5)
    start = threading.Barrier(2)
    outcomes = []

    def worker():
        try:
            start.wait()
            outcomes.append(services.release_submit(release_id=release.pk, provider=provider))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["skipped", "submitted"]
    assert len(provider.calls) == 1
    assert PlatformRelease.objects.get(pk=release.pk).status == "submitted"


@pytest.mark.django_db(transaction=True)
def test_two_parallel_submissions_of_one_track_make_one_distribution():
    user = paid_creator()
    track = DistributableTrackFactory(owner=user)
    start = threading.Barrier(2)
    statuses = []

    def post():
        try:
            client = bearer_client(user)
            start.wait()
            response = client.post(
                "/api/v1/distributions",
                {"track": str(track.pk), "platforms": ["spotify"], "is_explicit": False},
                format="json",
            )
            statuses.append((response.status_code, response.json().get("error", {}).get("code")))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses, key=str) == [(201, None), (409, "ALREADY_DISTRIBUTED")]
    assert PlatformRelease.objects.filter(track=track).count() == 1


@pytest.mark.django_db
def test_the_scheduler_submits_pending_releases_and_polls_the_rest():
    pending = release_in("pending", next_check_at=timezone.now())
    submitted = release_in("submitted", submitted_at=timezone.now(), next_check_at=timezone.now())
    later = release_in("submitted", next_check_at=timezone.now() + timedelta(hours=1))

    outcome = tasks.poll_releases.delay().get()

    assert outcome == {"submitted": 1, "unchanged": 1}
    assert PlatformRelease.objects.get(pk=pending.pk).status == "submitted"
    assert PlatformRelease.objects.get(pk=submitted.pk).status == "submitted"
    assert PlatformRelease.objects.get(pk=later.pk).poll_attempts == 0


# --- Takedown ----------------------------------------------------------------------------


def _takedown(client, release):
    return client.post(f"/api/v1/distributions/{release.distribution_id}/takedown")


@pytest.mark.django_db
@override_settings(DISTRIBUTION_SANDBOX_TIME_SCALE=1)
def test_the_owner_takes_a_live_distribution_down(monkeypatch, django_capture_on_commit_callbacks):
    provider = RecordingProvider()
    monkeypatch.setattr(provider_services, "get_provider", lambda: provider)
    release = release_in("live")
    user = release.distribution.owner

    with django_capture_on_commit_callbacks(execute=True):
        response = _takedown(bearer_client(user), release)

    assert response.status_code == 200
    assert response.json()["releases"][0]["status"] == "takedown_requested"
    assert provider.takedowns == [services.takedown_idempotency_key(release)]
    assert _history(release)[-1] == ("live", "takedown_requested", "owner")
    assert AuditLog.objects.get(action="distribution.takedown").actor_id == user.pk
    t0 = PlatformRelease.objects.get(pk=release.pk).takedown_requested_at
    assert services.release_poll(release_id=release.pk, now=t0 + timedelta(hours=49)) == (
        "taken_down"
    )


@pytest.mark.django_db
def test_a_distribution_not_live_anywhere_cannot_be_taken_down():
    release = release_in("processing")

    response = _takedown(bearer_client(release.distribution.owner), release)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "NOT_LIVE"
    assert PlatformRelease.objects.get(pk=release.pk).status == "processing"


@pytest.mark.django_db
def test_another_creator_cannot_take_a_distribution_down():
    release = release_in("live")
    stranger = paid_creator()

    response = _takedown(bearer_client(stranger), release)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"
    assert PlatformRelease.objects.get(pk=release.pk).status == "live"


@pytest.mark.django_db
def test_staff_take_down_with_a_two_factor_login_only(staff_user):
    release = release_in("live")

    password_only = _takedown(bearer_client(staff_user), release)
    with_code = _takedown(staff_bearer_client(staff_user), release)

    assert password_only.status_code == 403
    assert password_only.json()["error"]["code"] == "TWO_FACTOR_LOGIN_REQUIRED"
    assert with_code.status_code == 200
    assert _history(release)[-1] == ("live", "takedown_requested", "staff")


# --- When the paid plan ends -------------------------------------------------------------


def _end_subscription(user, ended_at):
    Subscription.objects.filter(user=user).update(status="expired", ended_at=ended_at)


@pytest.mark.django_db
@override_settings(DISTRIBUTION_GRACE_DAYS=30)
def test_live_releases_are_taken_down_once_the_grace_period_after_the_plan_ended_is_over():
    lapsed, in_grace, paying = (release_in("live") for _ in range(3))
    now = timezone.now()
    _end_subscription(lapsed.distribution.owner, now - timedelta(days=31))
    _end_subscription(in_grace.distribution.owner, now - timedelta(days=29))

    taken_down = services.distributions_enforce_eligibility(now=now)

    assert taken_down == 1
    assert PlatformRelease.objects.get(pk=lapsed.pk).status == "takedown_requested"
    assert _history(lapsed)[-1] == ("live", "takedown_requested", "system")
    assert PlatformRelease.objects.get(pk=in_grace.pk).status == "live"
    assert PlatformRelease.objects.get(pk=paying.pk).status == "live"


@pytest.mark.django_db
def test_a_past_due_subscription_keeps_releases_live_while_billing_retries():
    release = release_in("live")
    Subscription.objects.filter(user=release.distribution.owner).update(status="past_due")

    assert services.distributions_enforce_eligibility() == 0
    assert PlatformRelease.objects.get(pk=release.pk).status == "live"


def test_the_scheduled_tasks_are_registered_and_on_the_beat_schedule(settings):
    from veza.celery import app

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    for name in ("distribution.poll_releases", "distribution.enforce_eligibility"):
        assert name in scheduled
        assert name in app.tasks
