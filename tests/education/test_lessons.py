"""Lessons (shared/API.md "Education"): upload through sniffing and processing, order, edits."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from apps.accounts.models import AuditLog
from apps.education import services
from apps.education.models import CourseStatus, Lesson, LessonStatus
from tests.conftest import bearer_client
from tests.education.factories import CourseFactory, LessonFactory, tiny_mp4_video
from tests.education.racing import send


def _upload(client, course, content, name="lesson.mp3", **fields):
    return client.post(
        f"/api/v1/courses/{course.slug}/lessons",
        {"title": "Intro", "file": SimpleUploadedFile(name, content), **fields},
        format="multipart",
    )


@pytest.mark.django_db
def test_an_uploaded_lesson_is_sniffed_stored_and_processed_to_ready(
    creator, mp3_bytes, django_capture_on_commit_callbacks
):
    course = CourseFactory(owner=creator, status=CourseStatus.DRAFT)

    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(bearer_client(creator), course, mp3_bytes, is_preview="true")

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "pending"
    assert body["position"] == 1
    assert body["is_preview"] is True
    assert body["media_kind"] == "audio"
    assert body["content_type"] == "audio/mpeg"
    lesson = Lesson.objects.get(pk=body["id"])
    assert lesson.status == LessonStatus.READY
    assert lesson.duration == pytest.approx(2.0, abs=0.1)
    assert lesson.size == len(mp3_bytes)
    assert default_storage.exists(lesson.media_file.name)
    assert AuditLog.objects.filter(action="lesson.create", target_id=str(lesson.pk)).count() == 1


@pytest.mark.django_db
def test_a_video_lesson_is_accepted_and_served_as_video(
    creator, django_capture_on_commit_callbacks
):
    course = CourseFactory(owner=creator)
    video = tiny_mp4_video()

    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(bearer_client(creator), course, video, name="intro.mp4")
    lesson = Lesson.objects.get(pk=response.json()["id"])
    stream = bearer_client(creator).get(f"/api/v1/lessons/{lesson.pk}/stream")

    assert response.status_code == 201
    assert (lesson.media_kind, lesson.content_type, lesson.status) == (
        "video",
        "video/mp4",
        LessonStatus.READY,
    )
    assert lesson.duration == pytest.approx(2.0, abs=0.2)
    assert stream.status_code == 200
    assert stream["Content-Type"] == "video/mp4"
    assert b"".join(stream.streaming_content) == video


@pytest.mark.django_db
def test_processing_a_lesson_whose_media_became_unreadable_marks_it_failed(creator):
    lesson = LessonFactory(course=CourseFactory(owner=creator), status=LessonStatus.PENDING)

    services.lesson_process(lesson_id=lesson.pk)
    again = services.lesson_process(lesson_id=lesson.pk)  # a second delivery changes nothing

    lesson.refresh_from_db()
    assert lesson.status == LessonStatus.FAILED
    assert lesson.failure_reason.startswith("Could not read the media")
    assert again.status == LessonStatus.FAILED
    assert AuditLog.objects.filter(action="lesson.processing_failed").count() == 1


@pytest.mark.django_db
def test_a_file_that_is_not_media_is_refused_and_nothing_is_stored(creator):
    course = CourseFactory(owner=creator)

    response = _upload(bearer_client(creator), course, b"%PDF-1.7 not audio at all" * 10)

    assert response.status_code == 415
    assert response.json()["error"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
    assert Lesson.objects.count() == 0


@pytest.mark.django_db
def test_a_listener_cannot_add_lessons_and_another_creator_is_refused(user_client, creator):
    course = CourseFactory()

    listener = _upload(user_client, course, b"x")
    other_creator = _upload(bearer_client(creator), course, b"x")

    assert listener.status_code == 403
    assert listener.json()["error"]["code"] == "CREATOR_ROLE_REQUIRED"
    assert other_creator.status_code == 403
    assert other_creator.json()["error"]["code"] == "PERMISSION_DENIED"
    assert Lesson.objects.count() == 0


@pytest.mark.django_db
def test_lessons_are_listed_in_order_and_others_see_only_ready_ones(api_client, creator):
    course = CourseFactory(owner=creator)
    first = LessonFactory(course=course, title="One")
    LessonFactory(course=course, title="Broken", status=LessonStatus.FAILED)
    third = LessonFactory(course=course, title="Three")

    public = api_client.get(f"/api/v1/courses/{course.slug}/lessons").json()
    owner = bearer_client(creator).get(f"/api/v1/courses/{course.slug}/lessons").json()

    assert [lesson["id"] for lesson in public] == [str(first.pk), str(third.pk)]
    assert [lesson["position"] for lesson in owner] == [1, 2, 3]
    assert public[0]["stream_url"] == f"/api/v1/lessons/{first.pk}/stream"
    assert public[0]["progress"] is None


@pytest.mark.django_db
def test_reorder_rewrites_every_position_in_one_go(creator):
    course = CourseFactory(owner=creator)
    a, b, c = (LessonFactory(course=course) for _ in range(3))

    response = bearer_client(creator).post(
        f"/api/v1/courses/{course.slug}/lessons/reorder",
        {"lessons": [str(c.pk), str(a.pk), str(b.pk)]},
        format="json",
    )

    assert response.status_code == 200
    assert [(lesson["id"], lesson["position"]) for lesson in response.json()] == [
        (str(c.pk), 1),
        (str(a.pk), 2),
        (str(b.pk), 3),
    ]
    assert AuditLog.objects.filter(action="lesson.reorder").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["missing", "duplicate", "foreign"])
def test_a_reorder_that_does_not_list_every_lesson_once_changes_nothing(creator, kind):
    course = CourseFactory(owner=creator)
    a, b = LessonFactory(course=course), LessonFactory(course=course)
    ids = {
        "missing": [a.pk],
        "duplicate": [a.pk, a.pk],
        "foreign": [a.pk, LessonFactory().pk],
    }[kind]

    response = bearer_client(creator).post(
        f"/api/v1/courses/{course.slug}/lessons/reorder",
        {"lessons": [str(pk) for pk in ids]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert list(course.lessons.order_by("position").values_list("pk", flat=True)) == [a.pk, b.pk]


@pytest.mark.django_db
def test_deleting_a_lesson_closes_the_gap(creator, django_capture_on_commit_callbacks):
    course = CourseFactory(owner=creator)
    a, b, c = (LessonFactory(course=course) for _ in range(3))

    with django_capture_on_commit_callbacks(execute=True):
        response = bearer_client(creator).delete(f"/api/v1/courses/{course.slug}/lessons/{b.pk}")

    assert response.status_code == 204
    assert list(course.lessons.order_by("position").values_list("pk", "position")) == [
        (a.pk, 1),
        (c.pk, 2),
    ]
    assert not default_storage.exists(b.media_file.name)


@pytest.mark.django_db
def test_a_lesson_edit_changes_title_and_preview_flag_only_for_the_owner(creator, user_client):
    course = CourseFactory(owner=creator)
    lesson = LessonFactory(course=course)
    path = f"/api/v1/courses/{course.slug}/lessons/{lesson.pk}"

    denied = user_client.patch(path, {"title": "Hacked"}, format="json")
    edited = bearer_client(creator).patch(
        path, {"title": "Welcome", "is_preview": True}, format="json"
    )

    assert denied.status_code == 403
    assert edited.status_code == 200
    assert edited.json()["title"] == "Welcome"
    assert edited.json()["is_preview"] is True


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 20])
def test_the_lesson_list_query_count_does_not_grow_with_rows(django_assert_num_queries, rows):
    from tests.education.factories import EnrollmentFactory

    enrollment = EnrollmentFactory()
    for _ in range(rows):
        LessonFactory(course=enrollment.course)
    client = bearer_client(enrollment.user)

    # the caller, the course, the enrollment, the lessons, the caller's progress rows
    with django_assert_num_queries(5):
        response = client.get(f"/api/v1/courses/{enrollment.course.slug}/lessons")

    assert len(response.json()) == rows


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the race needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_parallel_uploads_get_distinct_consecutive_positions(live_server, mp3_bytes):
    course = CourseFactory(status=CourseStatus.DRAFT)
    auth = bearer_client(course.owner)._credentials["HTTP_AUTHORIZATION"]
    start = threading.Barrier(8)

    def post(index):
        start.wait()
        return send(
            "POST",
            f"{live_server.url}/api/v1/courses/{course.slug}/lessons",
            data={"title": f"Part {index}"},
            files={"file": ("part.mp3", mp3_bytes, "audio/mpeg")},
            headers={"Authorization": auth},
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(post, range(8)))

    assert [r.status_code for r in responses] == [201] * 8
    assert sorted(course.lessons.values_list("position", flat=True)) == list(range(1, 9))
