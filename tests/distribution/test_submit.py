"""Submitting a track (shared/API.md, Distribution and royalties: POST /api/v1/distributions and
its dry run POST /api/v1/distributions/validate)."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from apps.accounts.models import AuditLog
from apps.billing import services as billing
from apps.billing.models import Subscription
from apps.distribution.models import (
    Distribution,
    IsrcCounter,
    PlatformRelease,
    StatusChange,
    TrackIsrc,
)
from tests.catalog.factories import CreatorFactory, TrackFactory
from tests.conftest import bearer_client
from tests.distribution.factories import DistributableTrackFactory, paid_creator, submit

URL = "/api/v1/distributions"
VALIDATE = "/api/v1/distributions/validate"


def _body(track, platforms=("spotify", "deezer"), **extra):
    return {"track": str(track.pk), "platforms": list(platforms), "is_explicit": False, **extra}


def _assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    return body["error"]


def _nothing_distributed():
    assert not Distribution.objects.exists()
    assert not PlatformRelease.objects.exists()
    assert not TrackIsrc.objects.exists()


@pytest.mark.django_db
def test_a_paying_creator_submits_a_ready_track_to_two_platforms(
    django_capture_on_commit_callbacks,
):
    user = paid_creator()
    track = DistributableTrackFactory(owner=user)

    with django_capture_on_commit_callbacks() as callbacks:
        response = bearer_client(user).post(URL, _body(track), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    distribution = Distribution.objects.get()
    year = timezone.now().year % 100
    assert body["id"] == str(distribution.pk)
    assert body["track"] == str(track.pk)
    assert body["isrc"] == f"ZZVZA{year:02d}00001"
    assert body["is_explicit"] is False
    assert [(r["platform"], r["status"]) for r in body["releases"]] == [
        ("deezer", "pending"),
        ("spotify", "pending"),
    ]
    assert TrackIsrc.objects.get(track=track).is_generated is True
    assert list(StatusChange.objects.values_list("from_status", "to_status", "source")) == [
        ("draft", "pending", "owner"),
        ("draft", "pending", "owner"),
    ]
    audit = AuditLog.objects.get(action="distribution.submit")
    assert audit.actor_id == user.pk
    assert audit.metadata["platforms"] == ["deezer", "spotify"]
    assert len(callbacks) == 1  # the provider is called by tasks, after commit


@pytest.mark.django_db
def test_a_free_user_gets_subscription_required_and_nothing_is_created():
    user = CreatorFactory()
    track = DistributableTrackFactory(owner=user)

    response = bearer_client(user).post(URL, _body(track), format="json")

    _assert_error(response, 403, "SUBSCRIPTION_REQUIRED")
    _nothing_distributed()


@pytest.mark.django_db
def test_a_premium_trial_is_eligible():
    user = paid_creator(plan="premium")
    assert Subscription.objects.get(user=user).status == "trialing"
    track = DistributableTrackFactory(owner=user)

    response = bearer_client(user).post(URL, _body(track), format="json")

    assert response.status_code == 201


@pytest.mark.django_db
def test_a_canceled_subscription_is_eligible_until_its_period_ends_then_not():
    user = paid_creator()
    subscription = Subscription.objects.get(user=user)
    billing.subscription_cancel(subscription=subscription)
    first, second = DistributableTrackFactory.create_batch(2, owner=user)

    still_paid = bearer_client(user).post(URL, _body(first), format="json")
    billing.subscriptions_process_due(now=subscription.current_period_end + timedelta(seconds=1))
    ended = bearer_client(user).post(URL, _body(second), format="json")

    assert still_paid.status_code == 201
    assert Subscription.objects.get(user=user).status == "expired"
    _assert_error(ended, 403, "SUBSCRIPTION_REQUIRED")
    assert Distribution.objects.filter(track=second).count() == 0


@pytest.mark.django_db
def test_another_creators_track_is_not_found():
    user = paid_creator()
    track = DistributableTrackFactory()  # someone else's

    response = bearer_client(user).post(URL, _body(track), format="json")

    _assert_error(response, 404, "NOT_FOUND")
    _nothing_distributed()


@pytest.mark.django_db
def test_a_track_still_processing_is_not_found():
    user = paid_creator()
    track = DistributableTrackFactory(owner=user, status="processing")

    response = bearer_client(user).post(URL, _body(track), format="json")

    _assert_error(response, 404, "NOT_FOUND")


@pytest.mark.django_db
def test_a_second_distribution_to_the_same_platform_is_already_distributed():
    user = paid_creator()
    track = DistributableTrackFactory(owner=user)
    submit(user, track, ["spotify"])

    response = bearer_client(user).post(URL, _body(track, ["deezer", "spotify"]), format="json")

    error = _assert_error(response, 409, "ALREADY_DISTRIBUTED")
    assert error["details"] == {"platforms": ["spotify"]}
    assert PlatformRelease.objects.count() == 1


@pytest.mark.django_db
def test_another_platform_for_the_same_track_reuses_its_isrc():
    user = paid_creator()
    track = DistributableTrackFactory(owner=user)
    first = submit(user, track, ["spotify"])

    response = bearer_client(user).post(URL, _body(track, ["apple_music"]), format="json")

    assert response.status_code == 201
    assert response.json()["isrc"] == first.isrc
    assert IsrcCounter.objects.get().last_number == 1


@pytest.mark.django_db
def test_a_given_isrc_is_kept_after_its_format_is_checked():
    user = paid_creator()
    track = DistributableTrackFactory(owner=user)

    response = bearer_client(user).post(URL, _body(track, isrc="fr-z03-26-00042"), format="json")

    assert response.status_code == 201
    assert response.json()["isrc"] == "FRZ032600042"
    assert TrackIsrc.objects.get(track=track).is_generated is False
    assert not IsrcCounter.objects.exists()


@pytest.mark.django_db
def test_a_malformed_isrc_is_a_validation_error():
    user = paid_creator()
    track = DistributableTrackFactory(owner=user)

    response = bearer_client(user).post(URL, _body(track, isrc="NOT-AN-ISRC"), format="json")

    error = _assert_error(response, 400, "VALIDATION_ERROR")
    assert list(error["details"]) == ["isrc"]
    _nothing_distributed()


@pytest.mark.django_db
def test_an_isrc_of_another_recording_is_refused():
    user = paid_creator()
    other = DistributableTrackFactory(owner=user)
    submit(user, other, isrc="FRZ032600042")
    track = DistributableTrackFactory(owner=user)

    response = bearer_client(user).post(URL, _body(track, isrc="FRZ032600042"), format="json")

    _assert_error(response, 409, "ISRC_TAKEN")
    assert Distribution.objects.count() == 1


@pytest.mark.django_db
@override_settings(ISRC_PREFIX="GBABC")
def test_generated_isrcs_follow_the_prefix_and_a_per_year_counter():
    user = paid_creator()
    tracks = DistributableTrackFactory.create_batch(3, owner=user)
    year = timezone.now().year % 100

    codes = [submit(user, track).isrc for track in tracks]

    assert codes == [f"GBABC{year:02d}0000{n}" for n in (1, 2, 3)]
    assert IsrcCounter.objects.get(prefix="GBABC").last_number == 3


@pytest.mark.django_db
def test_a_blocking_problem_is_a_400_with_the_dry_runs_details_and_nothing_is_sent():
    user = paid_creator()
    track = DistributableTrackFactory(owner=user, cover=False, bitrate=192_000)

    response = bearer_client(user).post(
        URL, _body(track, ["spotify", "apple_music"]), format="json"
    )

    error = _assert_error(response, 400, "VALIDATION_ERROR")
    assert error["details"] == {
        "spotify.cover_image": ["The track has no cover art."],
        "apple_music.cover_image": ["The track has no cover art."],
        "apple_music.audio": ["The audio must be at least 256 kbit/s here; it is 192 kbit/s."],
    }
    _nothing_distributed()
    assert not IsrcCounter.objects.exists()


@pytest.mark.django_db
def test_the_dry_run_lists_blocking_problems_and_warnings_per_platform():
    user = CreatorFactory()  # no subscription: the dry run still answers, and says so
    track = DistributableTrackFactory(owner=user, cover=(1000, 1000), bitrate=192_000, duration=20)

    response = bearer_client(user).post(
        VALIDATE,
        {"track": str(track.pk), "platforms": ["spotify", "apple_music", "deezer"]},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["is_eligible"] is False
    assert body["is_ready"] is False
    assert body["isrc"] is None
    checks = {check["platform"]: check for check in body["platforms"]}
    assert checks["spotify"]["is_ready"] is True
    assert checks["spotify"]["blocking"] == []
    assert [w["code"] for w in checks["spotify"]["warnings"]] == [
        "COVER_BELOW_RECOMMENDED",
        "TRACK_SHORT",
        "AUDIO_QUALITY_LOW",
        "EXPLICIT_UNSET",
    ]
    assert [p["code"] for p in checks["apple_music"]["blocking"]] == [
        "COVER_TOO_SMALL",
        "AUDIO_QUALITY_TOO_LOW",
    ]
    assert checks["deezer"]["is_ready"] is True
    _nothing_distributed()


@pytest.mark.django_db
def test_the_dry_run_blocks_a_non_square_cover_and_missing_metadata():
    user = paid_creator()
    track = DistributableTrackFactory(owner=user, cover=(3000, 2000), artist_name="")
    track.owner.profile.display_name = ""
    track.owner.profile.save()

    response = bearer_client(user).post(
        VALIDATE, _body(track, ["deezer"], is_explicit=True), format="json"
    )

    deezer = response.json()["platforms"][0]
    assert [p["code"] for p in deezer["blocking"]] == ["ARTIST_MISSING", "COVER_NOT_SQUARE"]
    assert deezer["warnings"] == [
        {
            "field": "cover_image",
            "code": "COVER_BELOW_RECOMMENDED",
            "message": "3000x3000 px artwork is recommended.",
        }
    ]


@pytest.mark.django_db
def test_the_dry_run_shows_a_platform_already_taken():
    user = paid_creator()
    track = DistributableTrackFactory(owner=user)
    submit(user, track, ["spotify"])

    response = bearer_client(user).post(VALIDATE, _body(track, ["spotify"]), format="json")

    spotify = response.json()["platforms"][0]
    assert [p["code"] for p in spotify["blocking"]] == ["ALREADY_DISTRIBUTED"]
    assert response.json()["isrc"] == TrackIsrc.objects.get().isrc


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {"track": "not-a-uuid", "platforms": ["spotify"]},
        {"platforms": ["spotify"]},
        {"track": "00000000-0000-0000-0000-000000000000", "platforms": []},
        {"track": "00000000-0000-0000-0000-000000000000", "platforms": ["napster"]},
        {"track": "00000000-0000-0000-0000-000000000000", "platforms": ["spotify", "spotify"]},
    ],
)
def test_bad_bodies_are_validation_errors(body):
    user = paid_creator()

    response = bearer_client(user).post(URL, body, format="json")

    _assert_error(response, 400, "VALIDATION_ERROR")


@pytest.mark.django_db
def test_submitting_needs_a_login(api_client):
    track = TrackFactory()

    response = api_client.post(URL, _body(track), format="json")

    _assert_error(response, 401, "AUTHENTICATION_REQUIRED")


@pytest.mark.django_db
def test_when_the_years_isrc_designations_are_used_up_nothing_is_distributed():
    user = paid_creator()
    track = DistributableTrackFactory(owner=user)
    IsrcCounter.objects.create(prefix="ZZVZA", year=timezone.now().year, last_number=99_999)

    response = bearer_client(user).post(URL, _body(track), format="json")

    _assert_error(response, 503, "ISRC_PREFIX_EXHAUSTED")
    _nothing_distributed()
    assert IsrcCounter.objects.get().last_number == 99_999
