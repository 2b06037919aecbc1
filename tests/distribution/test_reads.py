"""Reading distributions: list, detail and history, for the owner only (shared/API.md,
GET /api/v1/distributions, /distributions/{id}, /distributions/{id}/history)."""

import uuid

import pytest

from apps.distribution import services
from apps.distribution.models import ChangeSource, StatusChange
from tests.conftest import bearer_client
from tests.distribution.factories import DistributableTrackFactory, paid_creator, submit

URL = "/api/v1/distributions"


@pytest.mark.django_db
def test_the_list_shows_my_distributions_newest_first_with_per_platform_status():
    user = paid_creator()
    first = submit(user, DistributableTrackFactory(owner=user), ["spotify"])
    second = submit(user, DistributableTrackFactory(owner=user), ["deezer", "apple_music"])
    submit(other := paid_creator(), DistributableTrackFactory(owner=other))

    response = bearer_client(user).get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [d["id"] for d in body["results"]] == [str(second.pk), str(first.pk)]
    assert [(r["platform"], r["status"]) for r in body["results"][0]["releases"]] == [
        ("apple_music", "pending"),
        ("deezer", "pending"),
    ]
    assert body["results"][1]["track_title"] == first.track.title


@pytest.mark.django_db
def test_the_list_filters_by_status_and_track_and_ignores_a_bad_ordering():
    user = paid_creator()
    live = submit(user, DistributableTrackFactory(owner=user), ["spotify"])
    release = live.releases.get()
    for step in ("submitted", "processing", "live"):
        services.release_transition(release=release, to_status=step, source=ChangeSource.PROVIDER)
    pending = submit(user, DistributableTrackFactory(owner=user), ["spotify"])
    client = bearer_client(user)

    by_status = client.get(URL, {"status": "live", "ordering": "'; DROP TABLE x"})
    by_track = client.get(URL, {"track": str(pending.track_id), "ordering": "created_at"})
    bad = client.get(URL, {"status": "nonsense"})

    assert [d["id"] for d in by_status.json()["results"]] == [str(live.pk)]
    assert [d["id"] for d in by_track.json()["results"]] == [str(pending.pk)]
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "VALIDATION_ERROR"


@pytest.mark.django_db
def test_another_creators_distribution_and_its_history_are_not_found():
    owner = paid_creator()
    distribution = submit(owner, DistributableTrackFactory(owner=owner))
    client = bearer_client(paid_creator())

    for path in (f"{URL}/{distribution.pk}", f"{URL}/{distribution.pk}/history"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "NOT_FOUND"
    assert client.get(URL).json()["count"] == 0


@pytest.mark.django_db
def test_an_unknown_distribution_is_not_found():
    response = bearer_client(paid_creator()).get(f"{URL}/{uuid.uuid4()}")

    assert response.status_code == 404


@pytest.mark.django_db
def test_the_history_shows_every_transition_with_who_and_why(staff_user):
    user = paid_creator()
    distribution = submit(user, DistributableTrackFactory(owner=user), ["spotify"])
    release = distribution.releases.get()
    services.release_transition(release=release, to_status="submitted", source="provider")
    services.release_transition(
        release=release,
        to_status="rejected",
        source="staff",
        actor=staff_user,
        reason="Cover shows a URL",
    )

    response = bearer_client(user).get(f"{URL}/{distribution.pk}/history")

    assert response.status_code == 200
    rows = [
        {key: row[key] for key in ("platform", "from_status", "to_status", "source", "actor")}
        | {"reason": row["reason"]}
        for row in response.json()["results"]
    ]
    assert rows == [
        {
            "platform": "spotify",
            "from_status": "draft",
            "to_status": "pending",
            "source": "owner",
            "actor": user.username,
            "reason": "Submitted by the owner.",
        },
        {
            "platform": "spotify",
            "from_status": "pending",
            "to_status": "submitted",
            "source": "provider",
            "actor": None,
            "reason": "",
        },
        {
            "platform": "spotify",
            "from_status": "submitted",
            "to_status": "rejected",
            "source": "staff",
            "actor": staff_user.username,
            "reason": "Cover shows a URL",
        },
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 20])
def test_the_list_query_count_does_not_grow_with_rows(django_assert_num_queries, rows):
    user = paid_creator()
    for track in DistributableTrackFactory.create_batch(rows, owner=user):
        submit(user, track, ["spotify", "deezer"])
    client = bearer_client(user)

    # user (token check), count, page with tracks, releases prefetch
    with django_assert_num_queries(4):
        response = client.get(URL)

    assert len(response.json()["results"]) == rows


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 20])
def test_the_history_query_count_does_not_grow_with_rows(django_assert_num_queries, rows):
    user = paid_creator()
    distribution = submit(user, DistributableTrackFactory(owner=user), ["spotify"])
    release = distribution.releases.get()
    StatusChange.objects.bulk_create(
        StatusChange(
            release=release,
            from_status="pending",
            to_status="pending",
            source="staff" if index % 2 else "provider",
            actor=user if index % 2 else None,
        )
        for index in range(rows - 1)
    )
    client = bearer_client(user)

    # user, distribution (+ releases prefetch), count, page with release and actor
    with django_assert_num_queries(5):
        response = client.get(f"{URL}/{distribution.pk}/history")

    assert response.json()["count"] == rows
