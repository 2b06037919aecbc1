"""Staff rebuild a range of rollups from the admin, through the service, audited."""

import pytest

from apps.accounts.models import AuditLog
from apps.analytics.models import PlayRollup
from apps.analytics.services import rollup_advance
from tests.analytics.factories import TrackFactory, play, utc


@pytest.mark.django_db
def test_the_rebuild_action_recomputes_the_selected_range_and_is_audited(
    creator, staff_user, client
):
    track = TrackFactory(owner=creator, duration=200.0)
    play(track, utc(2026, 5, 10, 12))
    play(track, utc(2026, 5, 10, 12, 5))
    rollup_advance(now=utc(2026, 6, 1))
    PlayRollup.objects.update(plays=7)
    client.force_login(staff_user)

    response = client.post(
        "/admin/analytics/playrollup/",
        {
            "action": "rebuild_range",
            "_selected_action": list(PlayRollup.objects.values_list("pk", flat=True)),
        },
    )

    assert response.status_code in (200, 302)
    assert list(PlayRollup.objects.values_list("plays", flat=True)) == [2]
    entry = AuditLog.objects.get(action="analytics.rollup_rebuild")
    assert entry.actor == staff_user
    assert entry.metadata == {
        "start": "2026-05-10T12:00:00+00:00",
        "end": "2026-05-10T12:15:00+00:00",
        "events": 2,
    }
