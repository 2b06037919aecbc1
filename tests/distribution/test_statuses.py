"""The per-platform status machine: the transition table is enforced in one place and every
move leaves a history row (shared/API.md, GET /distributions/{id}/history)."""

import itertools

import pytest

from apps.accounts.models import AuditLog
from apps.distribution import services
from apps.distribution.exceptions import InvalidStatusTransition
from apps.distribution.models import ChangeSource, PlatformRelease, ReleaseStatus, StatusChange
from tests.distribution.factories import release_in
from veza.audit import RequestMeta

ALLOWED = {
    ("draft", "pending"),
    ("draft", "failed"),
    ("pending", "submitted"),
    ("pending", "failed"),
    ("submitted", "processing"),
    ("submitted", "rejected"),
    ("submitted", "failed"),
    ("processing", "live"),
    ("processing", "rejected"),
    ("processing", "failed"),
    ("live", "takedown_requested"),
    ("takedown_requested", "taken_down"),
}
PAIRS = list(itertools.product(ReleaseStatus.values, repeat=2))


def test_the_transition_table_is_exactly_the_documented_one():
    table = {(a, b) for a, targets in services.TRANSITIONS.items() for b in targets}

    assert table == ALLOWED
    assert set(services.TRANSITIONS) == set(ReleaseStatus.values)


@pytest.mark.django_db
def test_every_illegal_transition_is_refused_and_changes_nothing():
    release = release_in("draft")
    history = StatusChange.objects.count()

    for from_status, to_status in PAIRS:
        if (from_status, to_status) in ALLOWED:
            continue
        PlatformRelease.objects.filter(pk=release.pk).update(status=from_status)
        release.refresh_from_db()
        with pytest.raises(InvalidStatusTransition):
            services.release_transition(
                release=release, to_status=to_status, source=ChangeSource.PROVIDER
            )
        release.refresh_from_db()
        assert release.status == from_status, (from_status, to_status)

    assert StatusChange.objects.count() == history


@pytest.mark.django_db
@pytest.mark.parametrize(("from_status", "to_status"), sorted(ALLOWED))
def test_every_allowed_transition_moves_the_release_and_appends_history(from_status, to_status):
    release = release_in(from_status)

    services.release_transition(
        release=release, to_status=to_status, source=ChangeSource.PROVIDER, reason="why"
    )

    release.refresh_from_db()
    assert release.status == to_status
    assert release.status_reason == "why"
    last = StatusChange.objects.filter(release=release).latest("created_at", "id")
    assert (last.from_status, last.to_status, last.source, last.reason) == (
        from_status,
        to_status,
        "provider",
        "why",
    )


@pytest.mark.django_db
def test_a_stale_release_loses_to_the_concurrent_move():
    release = release_in("processing")
    stale = PlatformRelease.objects.get(pk=release.pk)
    services.release_transition(release=release, to_status="live", source=ChangeSource.PROVIDER)

    with pytest.raises(InvalidStatusTransition):
        services.release_transition(
            release=stale, to_status="rejected", source=ChangeSource.PROVIDER
        )

    assert PlatformRelease.objects.get(pk=release.pk).status == "live"
    assert StatusChange.objects.filter(release=release, to_status="rejected").count() == 0


@pytest.mark.django_db
def test_a_staff_override_is_audited_and_needs_a_reason(staff_user):
    release = release_in("processing")

    with pytest.raises(InvalidStatusTransition):
        services.release_status_override(
            release=release, to_status="live", reason=" ", actor=staff_user, meta=RequestMeta()
        )
    services.release_status_override(
        release=release,
        to_status="rejected",
        reason="Store says artwork is blurry",
        actor=staff_user,
        meta=RequestMeta(ip_address="10.0.0.1"),
    )

    release.refresh_from_db()
    assert release.status == "rejected"
    change = StatusChange.objects.get(release=release, to_status="rejected")
    assert (change.source, change.actor_id) == ("staff", staff_user.pk)
    audit = AuditLog.objects.get(action="distribution.status_override")
    assert audit.actor_id == staff_user.pk
    assert audit.ip_address == "10.0.0.1"
    assert audit.metadata == {
        "distribution_id": str(release.distribution_id),
        "platform": "spotify",
        "from_status": "processing",
        "to_status": "rejected",
        "reason": "Store says artwork is blurry",
    }


@pytest.mark.django_db
def test_a_staff_override_outside_the_table_is_refused(staff_user):
    release = release_in("taken_down")

    with pytest.raises(InvalidStatusTransition):
        services.release_status_override(
            release=release, to_status="live", reason="oops", actor=staff_user, meta=RequestMeta()
        )

    assert not AuditLog.objects.filter(action="distribution.status_override").exists()
