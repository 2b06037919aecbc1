"""`manage.py seed_demo_courses`: the demo creator's published course, idempotent, dev only."""

import pytest
from django.core.management import CommandError, call_command

from apps.education.models import Course, CourseStatus, LessonStatus


def _quiet():
    return open("/dev/null", "w")


@pytest.mark.django_db
def test_seed_demo_courses_publishes_one_course_with_ready_lessons_once(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    settings.MEDIA_ROOT = str(tmp_path)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=_quiet())

    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("seed_demo_courses", stdout=_quiet())

    course = Course.objects.get()
    assert course.owner.email == "creator@veza.local"
    assert course.status == CourseStatus.PUBLISHED
    lessons = list(course.lessons.order_by("position"))
    assert [lesson.status for lesson in lessons] == [LessonStatus.READY, LessonStatus.READY]
    assert [lesson.is_preview for lesson in lessons] == [True, False]
    assert all(19.5 < lesson.duration < 20.5 for lesson in lessons)


@pytest.mark.django_db
def test_seed_demo_courses_needs_the_demo_creator_and_debug(settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("seed_demo_courses")
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo_courses")
    assert not Course.objects.exists()
