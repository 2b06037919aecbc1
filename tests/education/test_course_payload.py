"""The course payload is built in one pass (education.serializers.course_item), from a list row
or an instance: it must be exactly what DRF's generic rendering of the declared fields gives."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.test import RequestFactory
from rest_framework import serializers

from apps.education.models import CourseLevel, CourseStatus
from apps.education.selectors import course_public_list_rows, courses_annotated
from apps.education.serializers import CourseDetailOutputSerializer, CourseOutputSerializer
from tests.accounts.factories import UserFactory
from tests.catalog.factories import CreatorFactory
from tests.conftest import bearer_client
from tests.education.factories import CourseFactory, LessonFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/courses"


def _generic(serializer_class, instance, context):
    """DRF's own rendering of the serializer's declared fields."""
    serializer = serializer_class(instance, context=context)
    return serializers.Serializer.to_representation(serializer, instance)


def _courses():
    named = CreatorFactory()
    named.profile.display_name = "Zoë Ünicode"
    named.profile.save()
    plain = UserFactory(profile=None, role="creator")
    free = CourseFactory(owner=named, description="Long\nnotes")
    LessonFactory(course=free, duration=61.5)
    LessonFactory(course=free, duration=30.0)
    paid = CourseFactory(
        owner=plain,
        price=Decimal("19.90"),
        currency="EUR",
        level=CourseLevel.ADVANCED,
        cover_image="courses/covers/2026/01/c.jpg",
        rating_count=3,
        rating_total=14,
        rating_average=Decimal("4.67"),
        published_at=datetime(2026, 3, 29, 1, 30, 0, 123456, tzinfo=UTC),
    )
    archived = CourseFactory(
        owner=named, status=CourseStatus.ARCHIVED, archived_at=datetime(2026, 5, 1, tzinfo=UTC)
    )
    return [free, paid, archived]


@pytest.mark.parametrize("with_request", [False, True])
def test_course_dict_is_drfs_rendering_of_the_declared_fields(with_request):
    courses = _courses()
    context = {"request": RequestFactory().get(URL)} if with_request else {}
    for course in courses_annotated().filter(pk__in=[c.pk for c in courses]):
        generic = _generic(CourseOutputSerializer, course, context)
        assert CourseOutputSerializer(course, context=context).data == generic
        detail = CourseDetailOutputSerializer(course, context=context).data
        assert detail == _generic(CourseDetailOutputSerializer, course, context)
        assert list(detail) == list(CourseDetailOutputSerializer.Meta.fields)


def test_a_list_row_renders_as_its_instance_does():
    courses = _courses()
    context = {"request": RequestFactory().get(URL)}
    instances = {c.pk: c for c in courses_annotated().filter(status=CourseStatus.PUBLISHED)}
    rows = course_public_list_rows()[0:20]
    assert {row.id for row in rows} == {c.pk for c in courses[:2]}
    for row in rows:
        from_row = CourseOutputSerializer(row, context=context).data
        assert from_row == _generic(CourseOutputSerializer, instances[row.id], context)


def test_the_list_shows_writes_made_between_two_calls():
    api_client = bearer_client(UserFactory(verified=True))  # never the anonymous cache
    course = CourseFactory(title="Before")
    assert [c["title"] for c in api_client.get(URL, {"price": "free"}).json()["results"]] == [
        "Before"
    ]
    type(course).objects.filter(pk=course.pk).update(title="After")
    CourseFactory(title="New", price=Decimal("5.00"))

    free = api_client.get(URL, {"price": "free"}).json()
    paid = api_client.get(URL, {"price": "paid"}).json()

    assert [c["title"] for c in free["results"]] == ["After"]
    assert [c["title"] for c in paid["results"]] == ["New"]
    assert (free["count"], paid["count"]) == (1, 1)


def test_each_filter_value_reads_its_own_courses():
    api_client = bearer_client(UserFactory(verified=True))
    CourseFactory(title="Beginner course", level=CourseLevel.BEGINNER)
    CourseFactory(title="Advanced course", level=CourseLevel.ADVANCED)
    mine = CourseFactory(title="Mine", level=CourseLevel.INTERMEDIATE)

    def titles(**params):
        return [c["title"] for c in api_client.get(URL, params).json()["results"]]

    assert titles(level="beginner") == ["Beginner course"]
    assert titles(level="advanced") == ["Advanced course"]
    assert titles(creator=str(mine.owner_id)) == ["Mine"]
    assert titles(search="advanced") == ["Advanced course"]
    assert titles(search="beginner") == ["Beginner course"]
