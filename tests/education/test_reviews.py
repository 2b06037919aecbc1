"""Course reviews (shared/API.md, GET/POST /courses/{slug}/reviews) and their aggregate."""

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from apps.accounts.models import AuditLog
from apps.education import services
from apps.education.models import Course, Review
from tests.conftest import bearer_client
from tests.education.factories import CourseFactory, EnrollmentFactory, ReviewFactory
from tests.education.racing import send


def _review(client, course, rating=5, body="Great"):
    return client.post(
        f"/api/v1/courses/{course.slug}/reviews", {"rating": rating, "body": body}, format="json"
    )


@pytest.mark.django_db
def test_an_enrolled_learner_reviews_once_and_the_course_shows_the_aggregate(api_client):
    course = CourseFactory()
    first, second = EnrollmentFactory(course=course), EnrollmentFactory(course=course)

    created = _review(bearer_client(first.user), course, 5)
    _review(bearer_client(second.user), course, 2)
    again = _review(bearer_client(first.user), course, 1)
    detail = api_client.get(f"/api/v1/courses/{course.slug}").json()

    assert created.status_code == 201
    assert created.json()["rating"] == 5
    assert created.json()["author"]["id"] == str(first.user.pk)
    assert created.json()["learner_completed"] is False
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "ALREADY_REVIEWED"
    assert (detail["rating_count"], detail["rating_average"]) == (2, "3.50")
    assert AuditLog.objects.filter(action="review.create").count() == 2


@pytest.mark.django_db
def test_only_enrolled_learners_review_and_never_the_creator(user_client):
    course = CourseFactory()

    stranger = _review(user_client, course)
    owner = _review(bearer_client(course.owner), course)

    assert stranger.status_code == 403
    assert stranger.json()["error"]["code"] == "NOT_ENROLLED"
    assert owner.status_code == 403
    assert owner.json()["error"]["code"] == "OWN_COURSE"
    assert not Review.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("rating", [0, 6, "five", None])
def test_a_rating_outside_one_to_five_is_refused(rating):
    enrollment = EnrollmentFactory()

    response = _review(bearer_client(enrollment.user), enrollment.course, rating)

    assert response.status_code == 400
    assert "rating" in response.json()["error"]["details"]


@pytest.mark.django_db
def test_editing_a_review_moves_the_average(api_client):
    enrollment = EnrollmentFactory()
    client = bearer_client(enrollment.user)
    review_id = _review(client, enrollment.course, 5).json()["id"]

    edited = client.patch(
        f"/api/v1/courses/{enrollment.course.slug}/reviews/{review_id}",
        {"rating": 3, "body": "Changed my mind"},
        format="json",
    )

    assert edited.status_code == 200
    assert edited.json()["body"] == "Changed my mind"
    course = Course.objects.get(pk=enrollment.course.pk)
    assert (course.rating_count, course.rating_total, course.rating_average) == (
        1,
        3,
        Decimal("3.00"),
    )


@pytest.mark.django_db
def test_only_the_author_edits_a_review(user_client):
    review = ReviewFactory()

    response = user_client.patch(
        f"/api/v1/courses/{review.course.slug}/reviews/{review.pk}", {"rating": 1}, format="json"
    )

    assert response.status_code == 403


@pytest.mark.django_db
def test_a_review_by_a_learner_who_completed_the_course_is_marked(api_client):
    course = CourseFactory()
    done = EnrollmentFactory(course=course, completed_at=timezone.now())
    services.review_create(course=course, user=done.user, rating=4)

    reviews = api_client.get(f"/api/v1/courses/{course.slug}/reviews").json()

    assert [r["learner_completed"] for r in reviews["results"]] == [True]


@pytest.mark.django_db
def test_a_hidden_review_leaves_the_list_and_the_average(api_client, staff_user):
    course = CourseFactory()
    kept = services.review_create(
        course=course, user=EnrollmentFactory(course=course).user, rating=5
    )
    abusive = services.review_create(
        course=course, user=EnrollmentFactory(course=course).user, rating=1
    )

    services.review_visibility_set(review=abusive, actor=staff_user, hidden=True)
    reviews = api_client.get(f"/api/v1/courses/{course.slug}/reviews").json()
    course.refresh_from_db()

    assert [r["id"] for r in reviews["results"]] == [str(kept.pk)]
    assert (course.rating_count, course.rating_average) == (1, Decimal("5.00"))
    assert AuditLog.objects.get(action="review.hide").actor_id == staff_user.pk


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 20])
def test_the_review_list_query_count_does_not_grow_with_rows(
    api_client, django_assert_num_queries, rows
):
    course = CourseFactory()
    for _ in range(rows):
        ReviewFactory(enrollment=EnrollmentFactory(course=course))

    with django_assert_num_queries(3):  # course + count + page (author, profile, enrollment)
        response = api_client.get(f"/api/v1/courses/{course.slug}/reviews")

    assert len(response.json()["results"]) == rows


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the race needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_the_aggregate_is_exact_after_fifty_concurrent_reviews(live_server):
    course = CourseFactory()
    enrollments = [EnrollmentFactory(course=course) for _ in range(50)]
    auths = [bearer_client(e.user)._credentials["HTTP_AUTHORIZATION"] for e in enrollments]
    ratings = [index % 5 + 1 for index in range(50)]
    start = threading.Barrier(10)

    def post(index):
        if index < 10:
            start.wait()
        return send(
            "POST",
            f"{live_server.url}/api/v1/courses/{course.slug}/reviews",
            json={"rating": ratings[index], "body": "concurrent"},
            headers={"Authorization": auths[index]},
        )

    # Ten at a time (the test server's listen backlog is small); 50 reviews race for the row.
    with ThreadPoolExecutor(max_workers=10) as pool:
        responses = list(pool.map(post, range(50)))

    assert [r.status_code for r in responses] == [201] * 50
    course.refresh_from_db()
    assert course.rating_count == 50
    assert course.rating_total == sum(ratings)
    assert course.rating_average == Decimal("3.00")
    assert Review.objects.filter(course=course).count() == 50


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the race needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_reviews_by_one_learner_leave_one_review(live_server):
    enrollment = EnrollmentFactory()
    auth = bearer_client(enrollment.user)._credentials["HTTP_AUTHORIZATION"]
    start = threading.Barrier(20)

    def post(_):
        start.wait()
        return send(
            "POST",
            f"{live_server.url}/api/v1/courses/{enrollment.course.slug}/reviews",
            json={"rating": 4},
            headers={"Authorization": auth},
        )

    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(post, range(20)))

    assert sorted(r.status_code for r in responses) == [201] + [409] * 19
    course = Course.objects.get(pk=enrollment.course.pk)
    assert (course.rating_count, course.rating_total) == (1, 4)


@pytest.mark.parametrize(
    ("count", "total", "expected"),
    [(0, 0, None), (2, 7, Decimal("3.50")), (40, 107, Decimal("2.68")), (3, 10, Decimal("3.33"))],
)
def test_the_average_is_an_exact_decimal_rounded_half_up(count, total, expected):
    from apps.education.services.reviews import rating_average_of

    assert rating_average_of(count=count, total=total) == expected
