"""Courses (shared/API.md "Education"): creation, slugs, lifecycle, visibility, the public list."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from apps.accounts.models import AuditLog, Role
from apps.education.models import Course, CourseStatus, LessonStatus
from tests.accounts.factories import UserFactory
from tests.conftest import bearer_client
from tests.education.factories import (
    CourseFactory,
    EnrollmentFactory,
    LearnerFactory,
    LessonFactory,
)
from tests.education.racing import send

URL = "/api/v1/courses"


def _create(client, **data):
    return client.post(URL, {"title": "Mixing 101", **data}, format="json")


@pytest.mark.django_db
def test_creator_creates_a_draft_course_with_a_slug_from_its_title(creator):
    response = _create(
        bearer_client(creator),
        title="Mixing & Mastering 101",
        description="EQ, compression.",
        level="intermediate",
        price="19.90",
        currency="eur",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["slug"] == "mixing-mastering-101"
    assert body["status"] == "draft"
    assert body["price"] == "19.90"
    assert body["currency"] == "EUR"
    assert body["is_free"] is False
    assert body["level"] == "intermediate"
    assert body["creator"]["id"] == str(creator.pk)
    assert body["published_at"] is None
    assert body["lesson_count"] == 0
    assert body["rating_average"] is None
    assert body["rating_count"] == 0
    assert body["enrollment"] is None
    course = Course.objects.get(slug="mixing-mastering-101")
    assert course.owner == creator
    entry = AuditLog.objects.get(action="course.create")
    assert entry.actor_id == creator.pk
    assert entry.target_id == str(course.pk)


@pytest.mark.django_db
def test_a_listener_cannot_create_a_course(user_client):
    response = _create(user_client)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "CREATOR_ROLE_REQUIRED"
    assert Course.objects.count() == 0


@pytest.mark.django_db
def test_an_anonymous_caller_must_sign_in_to_create_a_course(api_client):
    response = _create(api_client)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "AUTHENTICATION_REQUIRED"


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.ARTIST, Role.PRODUCER, Role.LABEL, Role.PREMIUM])
def test_every_content_creator_role_may_create_a_course(role):
    response = _create(bearer_client(UserFactory(role=role, is_verified=True)))

    assert response.status_code == 201


@pytest.mark.django_db
def test_colliding_titles_get_numbered_slugs(creator):
    client = bearer_client(creator)

    slugs = [_create(client, title="Beat Making").json()["slug"] for _ in range(3)]

    assert slugs == ["beat-making", "beat-making-2", "beat-making-3"]


@pytest.mark.django_db
def test_a_title_in_another_script_keeps_a_readable_unicode_slug(creator):
    client = bearer_client(creator)

    first = _create(client, title="Гармония и ритм").json()
    second = _create(client, title="音楽理論").json()
    third = _create(client, title="!!! ???").json()
    again = _create(client, title="Гармония и ритм").json()

    assert first["slug"] == "гармония-и-ритм"
    assert again["slug"] == "гармония-и-ритм-2"
    assert second["slug"] == "音楽理論"
    assert third["slug"] == "course"
    assert client.get(f"{URL}/гармония-и-ритм").json()["title"] == "Гармония и ритм"


@pytest.mark.django_db
def test_renaming_a_draft_follows_the_title_but_a_published_course_keeps_its_url(creator):
    client = bearer_client(creator)
    course = CourseFactory(owner=creator, title="Old", slug="old", status=CourseStatus.DRAFT)
    LessonFactory(course=course)

    renamed = client.patch(f"{URL}/old", {"title": "New name"}, format="json")
    client.post(f"{URL}/new-name/publish")
    published_rename = client.patch(f"{URL}/new-name", {"title": "Newer"}, format="json")

    assert renamed.status_code == 200
    assert renamed.json()["slug"] == "new-name"
    assert published_rename.status_code == 200
    assert published_rename.json()["slug"] == "new-name"
    assert published_rename.json()["title"] == "Newer"
    assert client.get(f"{URL}/new-name").status_code == 200


@pytest.mark.django_db
def test_publishing_needs_a_ready_lesson(creator):
    client = bearer_client(creator)
    course = CourseFactory(owner=creator, status=CourseStatus.DRAFT, published_at=None)
    LessonFactory(course=course, status=LessonStatus.PROCESSING)

    response = client.post(f"{URL}/{course.slug}/publish")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "COURSE_HAS_NO_LESSONS"
    course.refresh_from_db()
    assert course.status == CourseStatus.DRAFT
    assert not AuditLog.objects.filter(action="course.publish").exists()


@pytest.mark.django_db
def test_publish_then_archive_walks_the_lifecycle(creator):
    client = bearer_client(creator)
    course = CourseFactory(owner=creator, status=CourseStatus.DRAFT, published_at=None)
    LessonFactory(course=course)

    published = client.post(f"{URL}/{course.slug}/publish")
    again = client.post(f"{URL}/{course.slug}/publish")
    archived = client.post(f"{URL}/{course.slug}/archive")
    republish = client.post(f"{URL}/{course.slug}/publish")

    assert published.status_code == 200
    assert published.json()["status"] == "published"
    assert published.json()["published_at"] is not None
    assert again.status_code == 200
    assert archived.status_code == 200
    assert archived.json()["status"] == "archived"
    assert archived.json()["archived_at"] is not None
    assert republish.status_code == 409
    assert republish.json()["error"]["code"] == "COURSE_ARCHIVED"
    assert AuditLog.objects.filter(action="course.publish").count() == 1
    assert AuditLog.objects.filter(action="course.archive").count() == 1


@pytest.mark.django_db
def test_a_draft_cannot_be_archived(creator):
    course = CourseFactory(owner=creator, status=CourseStatus.DRAFT, published_at=None)

    response = bearer_client(creator).post(f"{URL}/{course.slug}/archive")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "COURSE_NOT_PUBLISHED"


@pytest.mark.django_db
def test_another_users_draft_is_invisible(api_client, user_client, creator):
    course = CourseFactory(status=CourseStatus.DRAFT, published_at=None)
    LessonFactory(course=course)
    other_creator = bearer_client(creator)

    for client in (api_client, user_client, other_creator):
        for path in ("", "/lessons", "/reviews", "/certificate"):
            response = client.get(f"{URL}/{course.slug}{path}")
            if client is api_client and path == "/certificate":
                assert response.status_code == 401
                continue
            assert response.status_code == 404, (path, response.content)
            assert response.json()["error"]["code"] == "NOT_FOUND"
        assert client.post(f"{URL}/{course.slug}/publish").status_code in (401, 404)
        assert client.post(f"{URL}/{course.slug}/enroll").status_code in (401, 404)


@pytest.mark.django_db
def test_owner_and_staff_see_a_draft(creator, staff_user):
    course = CourseFactory(owner=creator, status=CourseStatus.DRAFT, published_at=None)

    assert bearer_client(creator).get(f"{URL}/{course.slug}").status_code == 200
    assert bearer_client(staff_user).get(f"{URL}/{course.slug}").status_code == 200


@pytest.mark.django_db
def test_only_the_owner_or_staff_edit_a_course(creator, staff_user):
    course = CourseFactory(title="Original")

    denied = bearer_client(creator).patch(f"{URL}/{course.slug}", {"title": "X"}, format="json")
    by_staff = bearer_client(staff_user).patch(
        f"{URL}/{course.slug}", {"title": "Fixed by staff"}, format="json"
    )

    assert denied.status_code == 403
    assert denied.json()["error"]["code"] == "PERMISSION_DENIED"
    assert by_staff.status_code == 200
    course.refresh_from_db()
    assert course.title == "Fixed by staff"
    entry = AuditLog.objects.get(action="course.update")
    assert entry.actor_id == staff_user.pk
    assert entry.metadata["fields"] == ["title"]


@pytest.mark.django_db
def test_a_course_with_learners_cannot_be_deleted_but_an_empty_one_can(creator):
    client = bearer_client(creator)
    busy = CourseFactory(owner=creator)
    EnrollmentFactory(course=busy)
    empty = CourseFactory(owner=creator, status=CourseStatus.DRAFT)
    LessonFactory(course=empty)

    refused = client.delete(f"{URL}/{busy.slug}")
    deleted = client.delete(f"{URL}/{empty.slug}")

    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "COURSE_HAS_ENROLLMENTS"
    assert deleted.status_code == 204
    assert list(Course.objects.values_list("slug", flat=True)) == [busy.slug]
    assert AuditLog.objects.filter(action="course.delete").count() == 1


@pytest.mark.django_db
def test_the_public_list_shows_published_courses_with_filters_and_search(api_client, creator):
    free = CourseFactory(title="Ableton basics", owner=creator, level="beginner")
    paid = CourseFactory(title="Advanced synthesis", price="49.00", level="advanced")
    CourseFactory(title="Hidden draft", status=CourseStatus.DRAFT)
    CourseFactory(title="Old archived", status=CourseStatus.ARCHIVED)
    LessonFactory(course=free, duration=30.5)
    LessonFactory(course=free, duration=10.0)
    LessonFactory(course=free, status=LessonStatus.FAILED)

    everything = api_client.get(URL).json()
    free_only = api_client.get(URL, {"price": "free"}).json()
    paid_only = api_client.get(URL, {"price": "paid"}).json()
    advanced = api_client.get(URL, {"level": "advanced"}).json()
    by_creator = api_client.get(URL, {"creator": str(creator.pk)}).json()
    searched = api_client.get(URL, {"search": "synth"}).json()

    assert [c["slug"] for c in everything["results"]] == [paid.slug, free.slug]
    assert everything["count"] == 2
    assert [c["slug"] for c in free_only["results"]] == [free.slug]
    assert [c["slug"] for c in paid_only["results"]] == [paid.slug]
    assert [c["slug"] for c in advanced["results"]] == [paid.slug]
    assert [c["slug"] for c in by_creator["results"]] == [free.slug]
    assert [c["slug"] for c in searched["results"]] == [paid.slug]
    listed_free = everything["results"][1]
    assert listed_free["lesson_count"] == 2
    assert listed_free["total_duration"] == 40.5


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("title", ["a", "b", "c"]),
        ("-title", ["c", "b", "a"]),
        ("price", ["b", "c", "a"]),
        ("-price", ["a", "c", "b"]),
        ("title;DROP TABLE", ["c", "b", "a"]),  # off the whitelist: -created_at
        ("owner__password", ["c", "b", "a"]),
    ],
)
def test_the_list_orders_only_by_whitelisted_fields(api_client, ordering, expected):
    CourseFactory(title="a", price="30.00")
    CourseFactory(title="b", price="0.00")
    CourseFactory(title="c", price="10.00")

    response = api_client.get(URL, {"ordering": ordering})

    assert response.status_code == 200
    assert [c["title"] for c in response.json()["results"]] == expected


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 20])
def test_the_list_query_count_does_not_grow_with_rows(api_client, django_assert_num_queries, rows):
    for _ in range(rows):
        LessonFactory(course=CourseFactory())

    with django_assert_num_queries(1):  # the page with its total (creator, lesson sums joined)
        response = api_client.get(URL)

    assert len(response.json()["results"]) == rows


@pytest.mark.django_db
def test_the_anonymous_list_is_cached_and_a_write_makes_it_fresh(
    api_client, creator, django_capture_on_commit_callbacks
):
    CourseFactory(title="First")
    first = api_client.get(URL)
    hit = api_client.get(URL)
    course = CourseFactory(owner=creator, status=CourseStatus.DRAFT, published_at=None)
    LessonFactory(course=course)

    with django_capture_on_commit_callbacks(execute=True):
        bearer_client(creator).post(f"{URL}/{course.slug}/publish")
    fresh = api_client.get(URL)

    assert first["X-Cache"] == "MISS"
    assert hit["X-Cache"] == "HIT"
    assert fresh["X-Cache"] == "MISS"
    assert fresh.json()["count"] == 2


@pytest.mark.django_db
def test_a_signed_in_callers_course_detail_is_never_served_from_the_cache(api_client):
    course = CourseFactory()
    enrollment = EnrollmentFactory(course=course)
    api_client.get(f"{URL}/{course.slug}")  # anonymous answer stored

    mine = bearer_client(enrollment.user).get(f"{URL}/{course.slug}")

    assert mine["X-Cache"] == "MISS"
    assert mine.json()["enrollment"]["enrolled_at"] is not None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the race needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_parallel_creations_with_one_title_get_distinct_slugs(live_server):
    creator = LearnerFactory(role=Role.CREATOR)
    auth = bearer_client(creator)._credentials["HTTP_AUTHORIZATION"]
    start = threading.Barrier(10)

    def post(_):
        start.wait()
        return send(
            "POST",
            live_server.url + URL,
            json={"title": "Same Title"},
            headers={"Authorization": auth},
        )

    with ThreadPoolExecutor(max_workers=10) as pool:
        responses = list(pool.map(post, range(10)))

    assert sorted(r.status_code for r in responses) == [201] * 10
    slugs = sorted(Course.objects.values_list("slug", flat=True))
    assert slugs == sorted(["same-title", *[f"same-title-{n}" for n in range(2, 11)]])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/courses/a%00b",
        "/api/v1/courses/a%00b/lessons",
        "/api/v1/courses/a%00b/reviews",
        "/api/v1/certificates/a%00b",
    ],
)
def test_a_slug_or_code_with_a_nul_byte_is_simply_not_found(api_client, path):
    response = api_client.get(path)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"


@pytest.mark.django_db
def test_a_cover_image_is_stored_under_a_generated_name(creator):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    upload = SimpleUploadedFile("../../evil name.png", buffer.getvalue(), "image/png")

    response = bearer_client(creator).post(
        URL, {"title": "With cover", "cover_image": upload}, format="multipart"
    )

    assert response.status_code == 201
    name = Course.objects.get().cover_image.name
    assert name.startswith("courses/covers/")
    assert "evil" not in name
    assert name.endswith(".png")
    assert response.json()["cover_image"].endswith(name)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL's")
@pytest.mark.django_db
def test_course_search_has_trigram_indexes_on_the_searched_expressions():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'education_course'"
            " AND indexname LIKE %s ORDER BY indexname",
            ["%trgm"],
        )
        rows = cursor.fetchall()

    assert [name for name, _ in rows] == [
        "education_course_description_trgm",
        "education_course_title_trgm",
    ]
    assert all("gin_trgm_ops" in definition for _, definition in rows)
