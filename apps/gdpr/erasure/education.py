"""Education: the learner's reviews go and their certificates stop naming them; a teacher's
published courses are archived (no one enrolls with, or pays, a deleted account any more) and
their drafts nobody enrolled in are deleted. Enrolled learners keep the courses they paid for;
enrollments and sales stay, linked to the anonymised account, for the creator's revenue and the
invoices (apps.gdpr.retention)."""

from apps.education import services
from apps.education.models import Course, CourseStatus
from apps.gdpr.erasure.base import ErasureContext, ErasureStep


def education_erase(ctx: ErasureContext) -> dict:
    reviews = services.reviews_erase_for_user(user=ctx.user)
    certificates = services.certificates_anonymise_for_user(user=ctx.user, name=ctx.pseudonym)
    archived = deleted = 0
    for course in Course.objects.filter(owner=ctx.user).order_by("created_at"):
        if course.status == CourseStatus.PUBLISHED:
            services.course_archive(course=course, actor=ctx.actor, meta=ctx.meta, now=ctx.now)
            archived += 1
        elif course.status == CourseStatus.DRAFT and not course.enrollments.exists():
            services.course_delete(course=course, actor=ctx.actor, meta=ctx.meta)
            deleted += 1
    return {
        "course_reviews_deleted": reviews,
        "certificates_anonymised": certificates,
        "courses_archived": archived,
        "draft_courses_deleted": deleted,
    }


STEPS = [
    ErasureStep(
        "education",
        now=education_erase,
        erased_now=(
            "Your course reviews are deleted; your certificates no longer carry your name.",
            "Courses you teach are archived (learners who enrolled keep them); drafts are deleted.",
        ),
    ),
]
