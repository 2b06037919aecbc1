"""Lesson media and progress the server can believe (shared/API.md, /lessons/{id}/stream and
/lessons/{id}/progress): access rules, Range, and the percent capped by the bytes served."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from apps.education import services
from apps.education.models import CourseStatus, LessonProgress, LessonStatus
from tests.conftest import bearer_client
from tests.education.factories import (
    LESSON_BYTES,
    CourseFactory,
    EnrollmentFactory,
    LessonFactory,
)
from tests.education.racing import send
from tests.storage_backend import accel_expected, accel_path


def _stream(client, lesson, range_header=None, method="get"):
    headers = {"HTTP_RANGE": range_header} if range_header else {}
    response = getattr(client, method)(f"/api/v1/lessons/{lesson.pk}/stream", **headers)
    body = b"".join(response.streaming_content) if getattr(response, "streaming", False) else b""
    return response, body


def _progress(client, lesson, percent):
    return client.post(f"/api/v1/lessons/{lesson.pk}/progress", {"percent": percent}, format="json")


@pytest.fixture
def enrolled():
    enrollment = EnrollmentFactory()
    lesson = LessonFactory(course=enrollment.course)
    return enrollment, lesson, bearer_client(enrollment.user)


@pytest.mark.django_db
def test_an_enrolled_learner_streams_a_range_like_track_streams(enrolled):
    _, lesson, client = enrolled

    response, body = _stream(client, lesson, "bytes=10-19")

    assert response.status_code == 206
    assert response["Content-Range"] == "bytes 10-19/1024"
    assert response["Accept-Ranges"] == "bytes"
    assert response["Cache-Control"] == "private, max-age=0, must-revalidate"
    assert response["ETag"] == f'"{lesson.sha256}"'
    assert body == LESSON_BYTES[10:20]


@pytest.mark.django_db
def test_conditional_and_unsatisfiable_requests_follow_the_stream_rules(enrolled):
    _, lesson, client = enrolled

    not_modified = client.get(
        f"/api/v1/lessons/{lesson.pk}/stream", HTTP_IF_NONE_MATCH=f'"{lesson.sha256}"'
    )
    unsatisfiable, _ = _stream(client, lesson, "bytes=5000-")

    assert not_modified.status_code == 304
    assert unsatisfiable.status_code == 416
    assert unsatisfiable["Content-Range"] == "bytes */1024"


@pytest.mark.django_db
def test_a_visible_lesson_of_a_course_the_caller_is_not_enrolled_in_is_forbidden(user_client):
    lesson = LessonFactory()

    response, _ = _stream(user_client, lesson)
    progress = _progress(user_client, lesson, 10)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "NOT_ENROLLED"
    assert progress.status_code == 403
    assert progress.json()["error"]["code"] == "NOT_ENROLLED"


@pytest.mark.django_db
def test_lessons_of_a_draft_course_do_not_exist_for_others(user_client, api_client):
    lesson = LessonFactory(course=CourseFactory(status=CourseStatus.DRAFT))

    for client in (user_client, api_client):
        response, _ = _stream(client, lesson)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "NOT_FOUND"


@pytest.mark.django_db
def test_a_preview_lesson_plays_for_anyone_and_the_owner_and_staff_play_every_lesson(
    api_client, staff_user
):
    course = CourseFactory()
    preview = LessonFactory(course=course, is_preview=True)
    locked = LessonFactory(course=course)

    anonymous, body = _stream(api_client, preview)
    owner, _ = _stream(bearer_client(course.owner), locked)
    staff, _ = _stream(bearer_client(staff_user), locked)
    anonymous_locked, _ = _stream(api_client, locked)

    assert anonymous.status_code == 200
    assert body == LESSON_BYTES
    assert owner.status_code == 200
    assert staff.status_code == 200
    assert anonymous_locked.status_code == 403


@pytest.mark.django_db
def test_a_missing_file_answers_file_missing(enrolled):
    _, lesson, client = enrolled
    from django.core.files.storage import default_storage

    default_storage.delete(lesson.media_file.name)

    response, _ = _stream(client, lesson)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "FILE_MISSING"


@pytest.mark.django_db
def test_dragging_the_scrubber_to_the_end_completes_nothing(enrolled):
    _enrollment, lesson, client = enrolled

    response = _progress(client, lesson, 100)

    assert response.status_code == 200
    assert response.json() == {
        "lesson": str(lesson.pk),
        "percent": 0,
        "requested_percent": 100,
        "served_percent": 0,
        "completed": False,
        "completed_at": None,
        "course_completed": False,
        "course_completed_at": None,
    }


@pytest.mark.django_db
def test_progress_is_capped_by_the_bytes_served_and_never_goes_down(enrolled):
    enrollment, lesson, client = enrolled

    _stream(client, lesson, "bytes=0-511")
    half = _progress(client, lesson, 95).json()
    lower = _progress(client, lesson, 20).json()
    _stream(client, lesson, "bytes=400-899")  # overlaps: counted once
    more = _progress(client, lesson, 95).json()

    assert (half["percent"], half["served_percent"], half["completed"]) == (50, 50, False)
    assert lower["percent"] == 50
    assert (more["percent"], more["served_percent"], more["completed"]) == (87, 87, False)
    progress = LessonProgress.objects.get(enrollment=enrollment, lesson=lesson)
    assert progress.served_ranges == [[0, 900]]
    assert progress.served_bytes == 900


@pytest.mark.django_db
def test_a_head_request_or_a_304_credits_no_bytes(enrolled):
    _enrollment, lesson, client = enrolled

    _stream(client, lesson, method="head")
    client.get(f"/api/v1/lessons/{lesson.pk}/stream", HTTP_IF_NONE_MATCH=f'"{lesson.sha256}"')

    assert not LessonProgress.objects.filter(served_bytes__gt=0).exists()


@pytest.mark.django_db
def test_only_the_bytes_actually_read_are_credited_when_the_client_goes_away(enrolled):
    enrollment, _, client = enrolled
    lesson = LessonFactory(course=enrollment.course, content=bytes(100_000))

    response = client.get(f"/api/v1/lessons/{lesson.pk}/stream")
    first_block = next(iter(response.streaming_content))  # one block leaves; the client goes
    # A WSGI server closes the body on a broken pipe; the test client's own wrapper does the
    # same, and keeps the test's database connection open while it does.
    response._iterator.close()

    progress = LessonProgress.objects.get(enrollment=enrollment, lesson=lesson)
    assert progress.served_ranges == [[0, len(first_block)]]
    assert progress.served_bytes == len(first_block) < lesson.size


@pytest.mark.django_db
def test_the_course_completes_when_every_lesson_is_completed_and_stays_completed(enrolled):
    enrollment, first, client = enrolled
    second = LessonFactory(course=enrollment.course)

    _stream(client, first)
    after_first = _progress(client, first, 90).json()
    _stream(client, second)
    after_second = _progress(client, second, 100).json()
    later = LessonFactory(course=enrollment.course)
    LessonFactory(course=enrollment.course, status=LessonStatus.PROCESSING)
    detail = client.get(f"/api/v1/courses/{enrollment.course.slug}").json()

    assert after_first["completed"] is True
    assert after_first["course_completed"] is False
    assert after_second["course_completed"] is True
    enrollment.refresh_from_db()
    assert enrollment.completed_at is not None
    assert enrollment.lessons_at_completion == 2
    assert detail["enrollment"]["completed_at"] is not None
    assert detail["enrollment"]["new_lessons_since_completion"] == 1
    assert detail["enrollment"]["lessons_total"] == 3
    assert detail["enrollment"]["lessons_completed"] == 2
    assert later.pk  # a new lesson did not undo the completion


@pytest.mark.django_db
def test_enrolled_learners_keep_access_after_the_course_is_archived(enrolled, user_client):
    enrollment, lesson, client = enrolled
    enrollment.course.status = CourseStatus.ARCHIVED
    enrollment.course.save()

    response, _ = _stream(client, lesson)
    stranger, _ = _stream(user_client, lesson)

    assert response.status_code == 200
    assert stranger.status_code == 403


@pytest.mark.django_db
def test_the_lesson_list_shows_my_progress_when_i_am_enrolled(enrolled):
    enrollment, lesson, client = enrolled
    _stream(client, lesson)
    _progress(client, lesson, 100)

    lessons = client.get(f"/api/v1/courses/{enrollment.course.slug}/lessons").json()

    assert lessons[0]["progress"]["percent"] == 100
    assert lessons[0]["progress"]["completed_at"] is not None


@pytest.mark.parametrize(
    ("ranges", "new", "expected"),
    [
        ([], (0, 10), [[0, 10]]),
        ([[0, 10]], (10, 20), [[0, 20]]),
        ([[0, 10], [30, 40]], (5, 35), [[0, 40]]),
        ([[0, 10], [30, 40]], (15, 20), [[0, 10], [15, 20], [30, 40]]),
        ([[10, 20]], (0, 5), [[0, 5], [10, 20]]),
    ],
)
def test_served_ranges_merge_into_sorted_disjoint_intervals(ranges, new, expected):
    from apps.education.services import served_ranges_merge

    assert served_ranges_merge(ranges, *new) == expected


@pytest.mark.django_db
def test_behind_nginx_a_learners_bytes_still_pass_through_the_app_to_be_counted(enrolled, settings):
    enrollment, lesson, client = enrolled
    settings.STREAM_ACCEL_REDIRECT = "/protected-media/"
    settings.STREAM_DELIVERY = "accel"

    learner, body = _stream(client, lesson, "bytes=0-99")
    owner = bearer_client(enrollment.course.owner).get(f"/api/v1/lessons/{lesson.pk}/stream")

    assert learner.status_code == 206
    assert "X-Accel-Redirect" not in learner
    assert body == LESSON_BYTES[:100]
    assert LessonProgress.objects.get(enrollment=enrollment, lesson=lesson).served_bytes == 100
    assert accel_path(owner) == accel_expected(lesson.media_file.name)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the race needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_the_last_two_lessons_completed_at_once_still_complete_the_course(live_server, attempt):
    enrollment = EnrollmentFactory()
    lessons = [LessonFactory(course=enrollment.course) for _ in range(2)]
    for lesson in lessons:
        services.lesson_media_served_record(
            enrollment_id=enrollment.pk, lesson_id=lesson.pk, start=0, length=lesson.size
        )
    auth = bearer_client(enrollment.user)._credentials["HTTP_AUTHORIZATION"]
    start = threading.Barrier(2)

    def post(lesson):
        start.wait()
        return send(
            "POST",
            f"{live_server.url}/api/v1/lessons/{lesson.pk}/progress",
            json={"percent": 100},
            headers={"Authorization": auth},
        )

    with ThreadPoolExecutor(max_workers=2) as pool:
        responses = list(pool.map(post, lessons))

    assert [r.status_code for r in responses] == [200, 200]
    assert sorted(r.json()["course_completed"] for r in responses) == [False, True]
    enrollment.refresh_from_db()
    assert enrollment.completed_at is not None
    assert enrollment.lessons_at_completion == 2
