"""Distribution test helpers: tracks ready to distribute, paying creators, reports."""

import functools
import io
from datetime import date
from decimal import Decimal

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from apps.billing import services as billing
from apps.distribution import services
from apps.distribution.models import TrackIsrc
from tests.catalog.factories import CreatorFactory, TrackFactory


@functools.cache
def png_bytes(width: int, height: int) -> bytes:
    """A plain PNG of that size; encoded once per size (3000 px takes a while)."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 60, 90)).save(buffer, format="PNG")
    return buffer.getvalue()


class DistributableTrackFactory(TrackFactory):
    """A ready track every platform accepts: square 3000 px cover, 320 kbit/s, 3 minutes."""

    class Meta:
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Song {n}")
    bitrate = 320_000
    duration = 180.0
    codec = "mp3"

    @factory.post_generation
    def cover(self, create, extracted, **kwargs):
        size = (3000, 3000) if extracted is None else extracted
        if size is False:
            return
        self.cover_image.save("cover.png", ContentFile(png_bytes(*size)), save=create)


def paid_creator(plan: str = "creator", **kwargs):
    """A creator with an active paid subscription (created through billing's service)."""
    user = CreatorFactory(**kwargs)
    billing.subscription_create(
        user=user, plan_code=plan, billing_cycle="monthly", now=timezone.now()
    )
    return user


def submit(user, track, platforms=("spotify",), **kwargs):
    return services.distribution_submit(
        user=user, track_id=track.pk, platforms=list(platforms), is_explicit=False, **kwargs
    )


def with_isrc(track, isrc: str):
    TrackIsrc.objects.create(track=track, isrc=isrc)
    return track


HEADER = (
    "Reporting Date\tSale Month\tStore\tCountry\tArtist\tTitle\tISRC\tUPC\tQuantity\t"
    "Earnings\tCurrency\n"
)


def report_line(
    isrc: str,
    earnings: str = "1.00",
    store: str = "Spotify",
    sale_month: str = "2026-01",
    country: str = "FR",
    quantity: int = 100,
    currency: str = "USD",
    reporting_date: str = "2026-03-15",
) -> str:
    return (
        f"{reporting_date}\t{sale_month}\t{store}\t{country}\tSome Artist\tSome Song\t{isrc}\t"
        f"0123456789012\t{quantity}\t{earnings}\t{currency}\n"
    )


def report(*lines: str) -> bytes:
    return (HEADER + "".join(lines)).encode()


def import_report(content: bytes, name: str = "report.tsv", actor=None):
    return services.royalty_import(file=io.BytesIO(content), file_name=name, actor=actor)


D = Decimal
MONTH = date(2026, 1, 1)


def release_in(status: str, *, user=None, platform: str = "spotify", **fields):
    """A release of a fresh distribution, put straight into ``status`` (test setup only)."""
    from apps.distribution.models import PlatformRelease

    user = user or paid_creator()
    track = DistributableTrackFactory(owner=user)
    distribution = submit(user, track, [platform])
    release = distribution.releases.get()
    PlatformRelease.objects.filter(pk=release.pk).update(status=status, **fields)
    release.refresh_from_db()
    return release


def earned(user) -> Decimal:
    """Everything ``user`` is paid: lines of their unsplit tracks whole, plus their shares."""
    from apps.distribution.models import RoyaltyLine, RoyaltyShare

    whole = RoyaltyLine.objects.filter(payee=user, is_split=False).values_list(
        "earnings", flat=True
    )
    shares = RoyaltyShare.objects.filter(user=user).values_list("amount", flat=True)
    return sum(whole, Decimal(0)) + sum(shares, Decimal(0))
