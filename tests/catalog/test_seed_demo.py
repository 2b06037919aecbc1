"""`manage.py seed_demo`: the demo logins and a few playable tracks, idempotent, dev only."""

import pytest
from django.core.management import CommandError, call_command

from apps.accounts.models import User
from apps.catalog.models import ProcessingStatus, Track


@pytest.mark.django_db
def test_seed_demo_creates_the_four_logins_and_ready_demo_tracks_once(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    settings.MEDIA_ROOT = str(tmp_path)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115

    users = dict(User.objects.values_list("email", "role"))
    assert users == {
        "admin@veza.local": "admin",
        "listener@veza.local": "user",
        "unverified@veza.local": "user",
        "creator@veza.local": "creator",
    }
    assert User.objects.get(email="admin@veza.local").is_staff
    assert not User.objects.get(email="unverified@veza.local").is_verified
    assert User.objects.get(email="admin@veza.local").check_password("veza-demo-2026")
    tracks = Track.objects.filter(owner__email="creator@veza.local")
    assert tracks.count() == 3
    assert set(tracks.values_list("status", flat=True)) == {ProcessingStatus.READY}
    assert all(19.5 < t.duration < 20.5 for t in tracks)


@pytest.mark.django_db
def test_seed_demo_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError):
        call_command("seed_demo")

    assert User.objects.count() == 0
