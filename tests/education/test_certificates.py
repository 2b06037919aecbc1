"""Certificates (shared/API.md, GET /courses/{slug}/certificate and /certificates/{code})."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.utils import timezone

from apps.accounts.models import AuditLog
from apps.education import services
from apps.education.models import Certificate, LessonProgress
from tests.conftest import bearer_client
from tests.education.factories import CourseFactory, EnrollmentFactory, LessonFactory
from tests.education.racing import send


def _completed_enrollment(**course_fields):
    course = CourseFactory(title="Vocal production", **course_fields)
    course.owner.profile.display_name = "Nina Creator"
    course.owner.profile.save()
    lessons = [LessonFactory(course=course, duration=duration) for duration in (60.0, 90.5)]
    enrollment = EnrollmentFactory(course=course)
    enrollment.user.profile.display_name = "Léa Learner"
    enrollment.user.profile.save()
    now = timezone.now()
    for lesson in lessons:
        LessonProgress.objects.create(
            enrollment=enrollment, lesson=lesson, percent=100, completed_at=now
        )
    enrollment.completed_at = now
    enrollment.lessons_at_completion = 2
    enrollment.save()
    return enrollment


def _certificate(client, course):
    return client.get(f"/api/v1/courses/{course.slug}/certificate")


@pytest.mark.django_db
def test_no_certificate_before_the_course_is_completed():
    enrollment = EnrollmentFactory()
    LessonFactory(course=enrollment.course)

    response = _certificate(bearer_client(enrollment.user), enrollment.course)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "COURSE_NOT_COMPLETED"
    assert not Certificate.objects.exists()


@pytest.mark.django_db
def test_a_caller_who_is_not_enrolled_gets_no_certificate(user_client):
    response = _certificate(user_client, CourseFactory())

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "NOT_ENROLLED"


@pytest.mark.django_db
def test_a_completed_learner_gets_one_certificate_that_never_changes():
    enrollment = _completed_enrollment()
    client = bearer_client(enrollment.user)

    first = _certificate(client, enrollment.course)
    enrollment.course.title = "Renamed later"
    enrollment.course.save()
    enrollment.user.profile.display_name = "Someone else"
    enrollment.user.profile.save()
    second = _certificate(client, enrollment.course)

    assert first.status_code == 200
    body = first.json()
    assert body["learner_name"] == "Léa Learner"
    assert body["course_title"] == "Vocal production"
    assert body["creator_name"] == "Nina Creator"
    assert body["lesson_count"] == 2
    assert body["total_duration"] == 150.5
    assert body["status"] == "valid"
    assert body["revoked_at"] is None
    assert body["verification_url"] == f"http://testserver/api/v1/certificates/{body['code']}"
    assert len(body["code"]) >= 22  # at least 128 bits in URL-safe base64
    assert second.json() == body
    assert Certificate.objects.count() == 1
    assert AuditLog.objects.filter(action="certificate.issue").count() == 1


@pytest.mark.django_db
def test_verification_is_public_and_takes_one_query(api_client, django_assert_num_queries):
    enrollment = _completed_enrollment()
    certificate, _ = services.certificate_issue(enrollment=enrollment)

    with django_assert_num_queries(1):
        response = api_client.get(f"/api/v1/certificates/{certificate.code}")

    assert response.status_code == 200
    body = response.json()
    assert body["learner_name"] == "Léa Learner"
    assert body["course_title"] == "Vocal production"
    assert body["course_slug"] == enrollment.course.slug
    assert body["creator_name"] == "Nina Creator"
    assert body["lesson_count"] == 2
    assert body["total_duration"] == 150.5
    assert body["completed_at"] is not None
    assert body["status"] == "valid"


@pytest.mark.django_db
def test_a_browser_gets_a_plain_html_page(api_client):
    certificate, _ = services.certificate_issue(enrollment=_completed_enrollment())

    response = api_client.get(
        f"/api/v1/certificates/{certificate.code}",
        HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8",
    )
    unknown = api_client.get("/api/v1/certificates/nope", HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Léa Learner" in page
    assert "Vocal production" in page
    assert "Valid" in page
    assert unknown.status_code == 404
    assert "Certificate not found" in unknown.content.decode()


@pytest.mark.django_db
def test_an_unknown_code_is_not_found(api_client):
    response = api_client.get("/api/v1/certificates/does-not-exist")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"


@pytest.mark.django_db
def test_a_revoked_certificate_says_so_with_its_date(api_client, staff_user):
    certificate, _ = services.certificate_issue(enrollment=_completed_enrollment())

    services.certificate_revoke(certificate=certificate, actor=staff_user, reason="Plagiarism")
    response = api_client.get(f"/api/v1/certificates/{certificate.code}")
    page = api_client.get(f"/api/v1/certificates/{certificate.code}", HTTP_ACCEPT="text/html")

    assert response.json()["status"] == "revoked"
    assert response.json()["revoked_at"] is not None
    assert "Revoked on" in page.content.decode()
    entry = AuditLog.objects.get(action="certificate.revoke")
    assert entry.actor_id == staff_user.pk
    assert entry.metadata["reason"] == "Plagiarism"


@pytest.mark.django_db
def test_verification_is_rate_limited_per_address(api_client, settings):
    settings.EDUCATION_CERTIFICATE_VERIFY_RATE = (3, 60)

    statuses = [api_client.get("/api/v1/certificates/abc").status_code for _ in range(4)]

    assert statuses == [404, 404, 404, 429]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the race needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_requests_issue_exactly_one_certificate(live_server):
    enrollment = _completed_enrollment()
    auth = bearer_client(enrollment.user)._credentials["HTTP_AUTHORIZATION"]
    start = threading.Barrier(20)

    def get(_):
        start.wait()
        return send(
            "GET",
            f"{live_server.url}/api/v1/courses/{enrollment.course.slug}/certificate",
            headers={"Authorization": auth},
        )

    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(get, range(20)))

    assert [r.status_code for r in responses] == [200] * 20
    assert len({r.json()["code"] for r in responses}) == 1
    assert Certificate.objects.filter(enrollment=enrollment).count() == 1
    assert AuditLog.objects.filter(action="certificate.issue").count() == 1
