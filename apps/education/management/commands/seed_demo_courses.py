"""A demo course for a local install (``make run``, after ``seed_demo``). Idempotent; refuses
to run with DEBUG off.

The demo creator's free course with two short audio lessons (the first a free preview),
published once its lessons are processed: with eager Celery (``make run``) at once, with a
worker once it has processed them (run the command again to publish).
"""

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.accounts.models import User
from apps.catalog.demo_audio import sine_audio
from apps.education.models import Course, CourseStatus, LessonStatus
from apps.education.services import course_create, course_publish, lesson_create
from veza.normalization import email_normalize

DEMO_COURSE_TITLE = "Sound Design Basics"
DEMO_LESSONS = [
    ("What a sine wave sounds like", 440.0, True),
    ("Octaves: doubling the frequency", 880.0, False),
]


class Command(BaseCommand):
    help = "Create the demo creator's free course (after seed_demo)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even with DEBUG off (never on a real deployment).",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError("Refusing to create demo courses with DEBUG off.")
        creator = User.objects.filter(
            email_normalized=email_normalize("creator@veza.local")
        ).first()
        if creator is None:
            raise CommandError("Run `manage.py seed_demo` first: the demo creator is missing.")
        course = Course.objects.filter(owner=creator, title=DEMO_COURSE_TITLE).first()
        if course is None:
            with transaction.atomic():  # the lessons are processed once this commits
                course = course_create(
                    owner=creator,
                    title=DEMO_COURSE_TITLE,
                    description="Two short lessons about pitch, made of pure tones.",
                )
                for title, frequency, preview in DEMO_LESSONS:
                    audio = sine_audio("mp3", seconds=20.0, frequency=frequency)
                    lesson_create(
                        course=course,
                        actor=creator,
                        title=title,
                        file=ContentFile(audio, name="lesson.mp3"),
                        is_preview=preview,
                        max_bytes=settings.EDUCATION_LESSON_UPLOAD_MAX_BYTES,
                    )
            self.stdout.write(f"  created  course {DEMO_COURSE_TITLE!r}")
        else:
            self.stdout.write("  demo course exists")
        if course.status == CourseStatus.DRAFT:
            if course.lessons.filter(status=LessonStatus.READY).exists():
                course_publish(course=course, actor=creator)
                self.stdout.write(f"  published course {course.slug!r}")
            else:
                self.stdout.write("  lessons still processing: run this again to publish")
