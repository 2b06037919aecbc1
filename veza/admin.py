"""What the admin index leaves out: models no one at Veza uses from the admin.

Staff rights come from ``is_staff``/``is_superuser`` and the account's role, not from Django's
groups; Veza's schedules are intervals and crontabs, never clocked or solar ones. Their tables
stay (the libraries need them); only their pages go. Imported by the admin's autodiscovery
after the libraries' own ``admin`` modules (``veza`` comes after them in ``INSTALLED_APPS``).
"""

from django.contrib import admin
from django.contrib.auth.models import Group
from django_celery_beat.models import ClockedSchedule, SolarSchedule

for model in (Group, ClockedSchedule, SolarSchedule):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
