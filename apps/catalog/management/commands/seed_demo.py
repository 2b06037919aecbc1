"""Demo accounts and tracks for a local install (``make run``). Idempotent; refuses to run with
DEBUG off.

It lives in the catalog because it uploads tracks: the catalog may use accounts, accounts never
use the catalog.
"""

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.accounts.models import Profile, Role, User
from apps.catalog.demo_audio import sine_audio
from apps.catalog.models import Track
from apps.catalog.services import track_upload
from veza.normalization import email_normalize

DEMO_PASSWORD = "veza-demo-2026"

DEMO_ACCOUNTS = [
    {
        "email": "admin@veza.local",
        "username": "admin",
        "role": Role.ADMIN,
        "is_verified": True,
        "is_staff": True,
        "is_superuser": True,
        "display_name": "Veza Staff",
    },
    {
        "email": "listener@veza.local",
        "username": "listener",
        "role": Role.USER,
        "is_verified": True,
        "display_name": "Verified Listener",
    },
    {
        "email": "unverified@veza.local",
        "username": "unverified",
        "role": Role.USER,
        "is_verified": False,
        "display_name": "Unverified Listener",
    },
    {
        "email": "creator@veza.local",
        "username": "creator",
        "role": Role.CREATOR,
        "is_verified": True,
        "display_name": "Demo Creator",
    },
]


DEMO_TRACKS = [
    ("A440 Sunrise", "ambient", 440.0),
    ("Low Hum Nocturne", "ambient", 220.0),
    ("High Noon Whistle", "electronic", 880.0),
]


class Command(BaseCommand):
    help = f"Create the demo accounts (password: {DEMO_PASSWORD})."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even with DEBUG off (never on a real deployment: the password is public).",
        )

    @transaction.atomic
    def handle(self, *args, **options):
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError("Refusing to create demo accounts with DEBUG off.")
        for spec in DEMO_ACCOUNTS:
            spec = dict(spec)
            display_name = spec.pop("display_name")
            email = spec.pop("email")
            user = User.objects.filter(email_normalized=email_normalize(email)).first()
            if user is None:
                user = User(email=email, **spec)
                user.set_password(DEMO_PASSWORD)
                user.save()
                created = "created"
            else:
                created = "exists"
            Profile.objects.update_or_create(user=user, defaults={"display_name": display_name})
            self.stdout.write(f"  {created:8} {email:28} role={user.role}")
        self.stdout.write(self.style.SUCCESS(f"Demo accounts ready (password: {DEMO_PASSWORD})."))
        self._seed_tracks()

    def _seed_tracks(self):
        """A few short public tracks by the demo creator, so a fresh install has music to play."""
        creator = User.objects.get(email_normalized=email_normalize("creator@veza.local"))
        if Track.objects.filter(owner=creator).exists():
            self.stdout.write("  demo tracks exist")
            return
        for title, genre, frequency in DEMO_TRACKS:
            audio = ContentFile(
                sine_audio("mp3", seconds=20.0, frequency=frequency), name="demo.mp3"
            )
            track_upload(
                owner=creator,
                file=audio,
                title=title,
                artist_name="Demo Creator",
                genre=genre,
                tags=["demo"],
                max_bytes=settings.TRACK_UPLOAD_MAX_BYTES,
            )
            self.stdout.write(f"  created  track {title!r}")
