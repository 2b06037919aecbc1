"""Enrollment (shared/API.md, POST /courses/{slug}/enroll): free and paid, once per learner."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection

from apps.accounts.models import AuditLog
from apps.billing.models import Invoice, InvoiceReason, InvoiceStatus
from apps.education.models import CourseSale, CourseStatus, Enrollment
from tests.conftest import bearer_client
from tests.education.factories import CourseFactory, EnrollmentFactory, LearnerFactory
from tests.education.racing import send


def _enroll(client, course, **headers):
    return client.post(f"/api/v1/courses/{course.slug}/enroll", **headers)


@pytest.mark.django_db
def test_a_learner_enrolls_in_a_free_course(user, user_client):
    course = CourseFactory()

    response = _enroll(user_client, course)

    assert response.status_code == 201
    body = response.json()
    assert body["course"] == course.slug
    assert body["amount_paid"] == "0.00"
    assert body["invoice_number"] is None
    assert body["completed_at"] is None
    assert Enrollment.objects.filter(user=user, course=course).count() == 1
    assert not Invoice.objects.exists()
    assert AuditLog.objects.filter(action="enrollment.create", actor_id=user.pk).count() == 1


@pytest.mark.django_db
def test_a_second_enrollment_is_a_conflict(user, user_client):
    course = CourseFactory()
    _enroll(user_client, course)

    response = _enroll(user_client, course)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "ALREADY_ENROLLED"
    assert Enrollment.objects.filter(user=user).count() == 1


@pytest.mark.django_db
def test_an_archived_course_takes_no_new_enrollment(user_client):
    course = CourseFactory(status=CourseStatus.ARCHIVED)

    response = _enroll(user_client, course)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "COURSE_ARCHIVED"
    assert not Enrollment.objects.exists()


@pytest.mark.django_db
def test_a_creator_cannot_buy_their_own_course():
    course = CourseFactory(price="10.00")

    response = _enroll(bearer_client(course.owner), course)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "OWN_COURSE"
    assert not Enrollment.objects.exists()
    assert not Invoice.objects.exists()


@pytest.mark.django_db
def test_staff_cannot_enroll_in_a_draft(staff_user):
    course = CourseFactory(status=CourseStatus.DRAFT)

    response = _enroll(bearer_client(staff_user), course)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "COURSE_NOT_PUBLISHED"


@pytest.mark.django_db
def test_anonymous_callers_must_sign_in_to_enroll(api_client):
    response = _enroll(api_client, CourseFactory())

    assert response.status_code == 401


@pytest.mark.django_db
def test_a_paid_enrollment_is_charged_invoiced_and_recorded_as_a_sale(user, user_client):
    course = CourseFactory(price="24.50", currency="EUR", title="Sound design")

    response = _enroll(user_client, course)

    assert response.status_code == 201
    body = response.json()
    assert body["amount_paid"] == "24.50"
    assert body["currency"] == "EUR"
    assert re.fullmatch(r"VZ-\d{4}-\d{6}", body["invoice_number"])
    invoice = Invoice.objects.get()
    assert invoice.number == body["invoice_number"]
    assert invoice.user == user
    assert invoice.subscription is None
    assert invoice.reason == InvoiceReason.PURCHASE
    assert invoice.status == InvoiceStatus.PAID
    assert invoice.total == Decimal("24.50")
    assert invoice.currency == "EUR"
    assert invoice.payment_reference.startswith("sandbox_ch_")
    assert list(invoice.lines.values_list("description", "amount")) == [
        ("Course: Sound design", Decimal("24.50"))
    ]
    sale = CourseSale.objects.get()
    assert (sale.course, sale.buyer, sale.creator, sale.invoice) == (
        course,
        user,
        course.owner,
        invoice,
    )
    assert (sale.amount, sale.currency) == (Decimal("24.50"), "EUR")
    assert sale.enrollment.user == user
    # The purchase shows in the buyer's invoices like any other.
    invoices = user_client.get("/api/v1/billing/invoices").json()
    assert [row["number"] for row in invoices["results"]] == [invoice.number]


@pytest.mark.django_db
def test_invoice_numbers_of_purchases_are_gapless(user_client):
    courses = [CourseFactory(price="5.00") for _ in range(3)]

    numbers = [_enroll(user_client, course).json()["invoice_number"] for course in courses]

    sequence = [int(number.rsplit("-", 1)[1]) for number in numbers]
    assert sequence == list(range(sequence[0], sequence[0] + 3))


@pytest.mark.django_db
def test_a_declined_charge_enrolls_nobody_and_keeps_nothing():
    learner = LearnerFactory(email="broke+decline@example.com")
    course = CourseFactory(price="9.99")

    response = _enroll(bearer_client(learner), course)

    assert response.status_code == 402
    assert response.json()["error"]["code"] == "PAYMENT_FAILED"
    assert "declined" in response.json()["error"]["details"]["reason"].lower()
    assert not Enrollment.objects.exists()
    assert not Invoice.objects.exists()
    assert not CourseSale.objects.exists()
    entry = AuditLog.objects.get(action="enrollment.payment_declined")
    assert entry.actor_id == learner.pk
    assert entry.metadata["amount"] == "9.99"


@pytest.mark.django_db
def test_an_enrollment_is_visible_on_the_course_for_the_learner_only(user_client, api_client):
    course = CourseFactory()
    _enroll(user_client, course)

    mine = user_client.get(f"/api/v1/courses/{course.slug}").json()
    anonymous = api_client.get(f"/api/v1/courses/{course.slug}").json()

    assert mine["enrollment"]["lessons_completed"] == 0
    assert anonymous["enrollment"] is None


def _parallel_enroll(live_server, user, course, count=20):
    auth = bearer_client(user)._credentials["HTTP_AUTHORIZATION"]
    start = threading.Barrier(count)

    def post(_):
        start.wait()
        return send(
            "POST",
            f"{live_server.url}/api/v1/courses/{course.slug}/enroll",
            headers={"Authorization": auth},
        )

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(post, range(count)))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the race needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_enrollments_leave_one_row(live_server):
    user = LearnerFactory()
    course = CourseFactory()

    responses = _parallel_enroll(live_server, user, course)

    assert sorted(r.status_code for r in responses) == [201] + [409] * 19
    assert {r.json()["error"]["code"] for r in responses if r.status_code == 409} == {
        "ALREADY_ENROLLED"
    }
    assert Enrollment.objects.filter(user=user, course=course).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the race needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_double_clicked_purchase_charges_once(live_server):
    user = LearnerFactory()
    course = CourseFactory(price="15.00")

    responses = _parallel_enroll(live_server, user, course, count=8)

    assert sorted(r.status_code for r in responses) == [201] + [409] * 7
    assert Enrollment.objects.filter(user=user).count() == 1
    assert Invoice.objects.filter(user=user).count() == 1
    assert CourseSale.objects.filter(buyer=user).count() == 1
    assert AuditLog.objects.filter(action="enrollment.create").count() == 1


@pytest.mark.django_db
def test_an_enrolled_learner_of_a_course_archived_later_still_sees_it(user_client):
    course = CourseFactory()
    EnrollmentFactory(course=course)
    _enroll(user_client, course)
    course.status = CourseStatus.ARCHIVED
    course.save()

    response = user_client.get(f"/api/v1/courses/{course.slug}")

    assert response.status_code == 200
    assert response.json()["status"] == "archived"
    assert response.json()["enrollment"] is not None


@pytest.mark.django_db
def test_my_courses_show_progress_and_lessons_added_since_completion():
    from django.utils import timezone

    from apps.education.models import LessonProgress
    from tests.education.factories import LessonFactory

    learner = LearnerFactory()
    done = EnrollmentFactory(user=learner, completed_at=timezone.now())
    first = LessonFactory(course=done.course)
    LessonProgress.objects.create(
        enrollment=done, lesson=first, percent=100, completed_at=timezone.now()
    )
    LessonFactory(course=done.course)  # added after completion
    started = EnrollmentFactory(user=learner)
    LessonFactory(course=started.course)
    EnrollmentFactory()  # someone else's

    response = bearer_client(learner).get("/api/v1/enrollments")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["course"]["slug"] for row in rows] == [started.course.slug, done.course.slug]
    assert rows[1]["lessons_total"] == 2
    assert rows[1]["lessons_completed"] == 1
    assert rows[1]["percent"] == 50
    assert rows[1]["new_lessons_since_completion"] == 1
    assert rows[0]["new_lessons_since_completion"] == 0
    assert rows[0]["completed_at"] is None


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 20])
def test_my_courses_query_count_does_not_grow_with_rows(django_assert_num_queries, rows):
    learner = LearnerFactory()
    for _ in range(rows):
        EnrollmentFactory(user=learner)
    client = bearer_client(learner)

    with django_assert_num_queries(3):  # the caller + count + page (course, creator, counts)
        response = client.get("/api/v1/enrollments")

    assert len(response.json()["results"]) == rows


@pytest.mark.django_db
def test_my_courses_need_a_login(api_client):
    assert api_client.get("/api/v1/enrollments").status_code == 401


@pytest.mark.django_db
def test_a_course_archived_while_the_request_ran_enrolls_and_charges_nobody():
    from apps.education import services
    from apps.education.exceptions import EducationError
    from apps.education.models import Course

    learner = LearnerFactory()
    course = CourseFactory(price="12.00")
    seen_by_the_request = Course.objects.get(pk=course.pk)
    Course.objects.filter(pk=course.pk).update(status=CourseStatus.ARCHIVED)

    with pytest.raises(EducationError) as raised:
        services.enrollment_create(user=learner, course=seen_by_the_request)

    assert raised.value.code == "COURSE_ARCHIVED"
    assert not Enrollment.objects.exists()
    assert not Invoice.objects.exists()
