"""Education factories: courses, lessons whose media really sits in storage, enrollments."""

from __future__ import annotations

import hashlib
import uuid
from decimal import Decimal

import factory
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Max
from django.utils import timezone
from factory.django import DjangoModelFactory

from apps.education.models import (
    Course,
    CourseStatus,
    Enrollment,
    Lesson,
    LessonStatus,
    MediaKind,
    Review,
)
from tests.accounts.factories import UserFactory
from tests.catalog.fixtures import CreatorFactory

LESSON_BYTES = bytes(range(256)) * 4  # 1024 bytes: percentages are easy to read


class LearnerFactory(UserFactory):
    is_verified = True


class CourseFactory(DjangoModelFactory):
    """A published, free course (``status=CourseStatus.DRAFT`` for a draft)."""

    class Meta:
        model = Course

    owner = factory.SubFactory(CreatorFactory)
    title = factory.Sequence(lambda n: f"Course {n}")
    slug = factory.Sequence(lambda n: f"course-{n}")
    description = "Learn things."
    price = Decimal("0.00")
    currency = "USD"
    status = CourseStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


class LessonFactory(DjangoModelFactory):
    """A ready lesson whose stored file holds ``content`` (default: 1024 bytes)."""

    class Meta:
        model = Lesson

    course = factory.SubFactory(CourseFactory)
    title = factory.Sequence(lambda n: f"Lesson {n}")
    status = LessonStatus.READY
    media_kind = MediaKind.AUDIO
    content_type = "audio/mpeg"
    duration = 60.0

    @classmethod
    def _create(cls, model_class, *args, content=None, **kwargs):
        content = LESSON_BYTES if content is None else content
        name = default_storage.save(f"lessons/test/{uuid.uuid4().hex}.mp3", ContentFile(content))
        kwargs.setdefault("media_file", name)
        kwargs.setdefault("size", len(content))
        kwargs.setdefault("sha256", hashlib.sha256(content).hexdigest())
        if "position" not in kwargs:
            last = Lesson.objects.filter(course=kwargs["course"]).aggregate(m=Max("position"))
            kwargs["position"] = (last["m"] or 0) + 1
        return super()._create(model_class, *args, **kwargs)


class EnrollmentFactory(DjangoModelFactory):
    class Meta:
        model = Enrollment

    user = factory.SubFactory(LearnerFactory)
    course = factory.SubFactory(CourseFactory)
    enrolled_at = factory.LazyFunction(timezone.now)


class ReviewFactory(DjangoModelFactory):
    class Meta:
        model = Review

    enrollment = factory.SubFactory(EnrollmentFactory)
    user = factory.SelfAttribute("enrollment.user")
    course = factory.SelfAttribute("enrollment.course")
    rating = 4
    body = "Good."


def tiny_mp4_video(seconds: int = 2, fps: int = 10) -> bytes:
    """A real (black, 32x32) MPEG-4 video in an MP4 container, encoded with PyAV."""
    import io
    from fractions import Fraction

    import av

    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="mp4") as container:
        stream = container.add_stream("mpeg4", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 32, 32, "yuv420p"
        for index in range(seconds * fps):
            frame = av.VideoFrame(32, 32, "yuv420p")
            for plane in frame.planes:
                plane.update(bytes(plane.buffer_size))
            frame.pts, frame.time_base = index, Fraction(1, fps)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return buffer.getvalue()
