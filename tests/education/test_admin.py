"""The education part of the operations console: every staff write goes through a service."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import AuditLog
from apps.education import services
from apps.education.models import Certificate, Course, CourseStatus, Review
from tests.education.factories import (
    CourseFactory,
    EnrollmentFactory,
    LessonFactory,
    ReviewFactory,
)


@pytest.fixture
def admin_client(client, staff_user):
    client.force_login(staff_user)
    return client


def _act(admin_client, model, action, pks, **extra):
    return admin_client.post(
        reverse(f"admin:education_{model}_changelist"),
        {"action": action, ACTION_CHECKBOX_NAME: [str(pk) for pk in pks], **extra},
    )


def _certificate():
    enrollment = EnrollmentFactory(completed_at=timezone.now(), lessons_at_completion=1)
    return services.certificate_issue(enrollment=enrollment)[0]


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["course", "enrollment", "coursesale", "certificate", "review"])
def test_every_education_list_opens_with_search_and_filters(admin_client, model):
    ReviewFactory()
    _certificate()

    response = admin_client.get(reverse(f"admin:education_{model}_changelist"), {"q": "a"})

    assert response.status_code == 200


@pytest.mark.django_db
def test_staff_publish_and_archive_from_the_admin_with_an_audit_row(admin_client, staff_user):
    course = CourseFactory(status=CourseStatus.DRAFT, published_at=None)
    LessonFactory(course=course)
    empty = CourseFactory(status=CourseStatus.DRAFT, published_at=None)

    _act(admin_client, "course", "publish_courses", [course.pk, empty.pk])
    _act(admin_client, "course", "archive_courses", [course.pk], confirm="yes", reason="Stale")

    course.refresh_from_db()
    empty.refresh_from_db()
    assert course.status == CourseStatus.ARCHIVED
    assert empty.status == CourseStatus.DRAFT  # no ready lesson: refused like the API
    assert AuditLog.objects.get(action="course.publish").actor_id == staff_user.pk
    assert AuditLog.objects.get(action="course.archive").actor_id == staff_user.pk


@pytest.mark.django_db
def test_a_staff_edit_of_a_course_is_audited(admin_client, staff_user):
    course = CourseFactory(title="Typo")
    LessonFactory(course=course)

    response = admin_client.post(
        reverse("admin:education_course_change", args=[course.pk]),
        {
            "title": "Fixed",
            "description": course.description,
            "level": course.level,
            "price": "0.00",
            "currency": "USD",
            "lessons-TOTAL_FORMS": "1",
            "lessons-INITIAL_FORMS": "1",
            "lessons-MIN_NUM_FORMS": "0",
            "lessons-MAX_NUM_FORMS": "1000",
        },
    )

    assert response.status_code == 302
    course = Course.objects.get(pk=course.pk)
    assert course.title == "Fixed"
    entry = AuditLog.objects.get(action="course.update")
    assert entry.actor_id == staff_user.pk
    assert entry.metadata["fields"] == ["title"]


@pytest.mark.django_db
def test_revoking_a_certificate_asks_for_a_reason_then_revokes_with_an_audit_row(
    admin_client, staff_user
):
    certificate = _certificate()

    confirm_page = _act(admin_client, "certificate", "revoke_certificates", [certificate.pk])
    without_reason = _act(
        admin_client, "certificate", "revoke_certificates", [certificate.pk], confirm="yes"
    )
    certificate.refresh_from_db()
    assert certificate.revoked_at is None

    _act(
        admin_client,
        "certificate",
        "revoke_certificates",
        [certificate.pk],
        confirm="yes",
        reason="Identity fraud",
    )

    assert confirm_page.status_code == 200
    assert b"Revoking is permanent" in confirm_page.content
    assert without_reason.status_code == 200
    certificate = Certificate.objects.get(pk=certificate.pk)
    assert certificate.revoked_at is not None
    assert certificate.revoked_reason == "Identity fraud"
    assert certificate.revoked_by == staff_user
    entry = AuditLog.objects.get(action="certificate.revoke")
    assert entry.actor_id == staff_user.pk
    assert entry.metadata["reason"] == "Identity fraud"


@pytest.mark.django_db
def test_staff_hide_and_unhide_reviews_and_the_average_follows(admin_client):
    review = ReviewFactory(rating=1)
    services.review_visibility_set(review=review, actor=None, hidden=False)  # no-op
    course = review.course
    course.rating_count, course.rating_total = 1, 1
    course.save()

    _act(admin_client, "review", "hide_reviews", [review.pk], confirm="yes", reason="Abuse")
    course.refresh_from_db()
    hidden = (Review.objects.get(pk=review.pk).is_hidden, course.rating_count)
    _act(admin_client, "review", "unhide_reviews", [review.pk])
    course.refresh_from_db()

    assert hidden == (True, 0)
    assert (Review.objects.get(pk=review.pk).is_hidden, course.rating_count) == (False, 1)
    assert AuditLog.objects.filter(action__in=["review.hide", "review.unhide"]).count() == 2
