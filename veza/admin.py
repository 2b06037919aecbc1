"""The libraries' pages as Veza wants them: what the admin index leaves out, and the pages
that stay but delete only through the audited path.

Staff rights come from ``is_staff``/``is_superuser`` and the account's role, not from Django's
groups; Veza's schedules are intervals and crontabs, never clocked or solar ones. Their tables
stay (the libraries need them); only their pages go. Imported by the admin's autodiscovery
after the libraries' own ``admin`` modules (``veza`` comes after them in ``INSTALLED_APPS``).
"""

from django.contrib import admin
from django.contrib.auth.models import Group
from django_celery_beat import admin as beat_admin
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)
from rest_framework_simplejwt.token_blacklist import admin as token_blacklist_admin
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken

from veza.admin_tools import AuditedDeleteMixin, ReadOnlyAdminMixin

for model in (Group, ClockedSchedule, SolarSchedule):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


# Scheduled jobs: staff may delete a schedule or a job, audited with a reason (deleting a
# schedule deletes the jobs on it, listed on the confirmation page). A job named in
# CELERY_BEAT_SCHEDULE comes back when beat restarts: disabling it is the lasting way.
class PeriodicTaskAdmin(AuditedDeleteMixin, beat_admin.PeriodicTaskAdmin):
    pass


class CrontabScheduleAdmin(AuditedDeleteMixin, beat_admin.CrontabScheduleAdmin):
    pass


class IntervalScheduleAdmin(AuditedDeleteMixin, beat_admin.IntervalScheduleAdmin):
    pass


class BlacklistedTokenAdmin(ReadOnlyAdminMixin, token_blacklist_admin.BlacklistedTokenAdmin):
    """Ended sessions (blacklisted refresh tokens), read-only: deleting a row would bring its
    refresh token back to life."""


for model, model_admin in (
    (PeriodicTask, PeriodicTaskAdmin),
    (CrontabSchedule, CrontabScheduleAdmin),
    (IntervalSchedule, IntervalScheduleAdmin),
    (BlacklistedToken, BlacklistedTokenAdmin),
):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
