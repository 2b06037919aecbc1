"""Distributors: the one seam between Veza's distribution rules and a delivery service.

The rules (:mod:`apps.distribution.services`) only call the four methods of
:class:`DistributionProvider`. A real distributor (DistroKid, TuneCore, or a direct DDEX feed)
plugs in by subclassing it and pointing the ``DISTRIBUTION_PROVIDER`` setting at the class. The
default, :class:`SandboxProvider`, walks the platforms' lifecycle with their typical delays on
one machine, with no network.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.utils.module_loading import import_string

from apps.distribution.models import Platform, ReleaseStatus

DEFAULT_PROVIDER = "apps.distribution.providers.SandboxProvider"

#: Sandbox switches, written in a track's title (documented in the README and the admin):
#: the platform rejects the release while processing it, or the provider errors on submit.
SANDBOX_REJECT_MARKER = "[reject]"
SANDBOX_FAIL_MARKER = "[fail]"


@dataclass(frozen=True)
class ReleaseSpec:
    """What a platform receives about a recording (and what the checks look at)."""

    title: str
    artist: str
    isrc: str
    is_explicit: bool | None
    cover_size: tuple[int, int] | None
    duration: float | None
    bitrate: int | None
    codec: str = ""


@dataclass(frozen=True)
class Problem:
    field: str
    code: str
    message: str


@dataclass
class CheckResult:
    blocking: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class PlatformRequirements:
    """A store's published delivery specification, simplified."""

    min_cover_px: int
    recommended_cover_px: int
    min_bitrate_kbps: int
    recommended_bitrate_kbps: int


#: Artwork square, ≥ 3000 px recommended everywhere; Apple Music refuses low-bitrate sources.
PLATFORM_REQUIREMENTS = {
    Platform.SPOTIFY: PlatformRequirements(640, 3000, 128, 320),
    Platform.APPLE_MUSIC: PlatformRequirements(1400, 3000, 256, 320),
    Platform.DEEZER: PlatformRequirements(500, 3000, 128, 320),
}


@dataclass(frozen=True)
class SubmitResult:
    reference: str


@dataclass(frozen=True)
class StatusResult:
    """What the platform says now: one of ``submitted``, ``processing``, ``live``,
    ``rejected``, ``takedown_requested`` or ``taken_down``, with the platform's reason."""

    status: str
    reason: str = ""


class ProviderError(Exception):
    """A transient failure of the provider (network, outage): the call is retried later."""


class DistributionProvider(ABC):
    """Delivers releases. ``submit`` and ``take_down`` must honour ``idempotency_key``: the
    same key sent twice delivers once (the rules derive it from the release), so a worker
    killed after the provider accepted a release and retried never delivers it twice."""

    name: str = ""
    is_sandbox: bool = False

    def validate(self, *, spec: ReleaseSpec, platform: str) -> CheckResult:
        """The platform's checks of a release, blocking problems apart from warnings."""
        return platform_checks(spec=spec, platform=platform)

    @abstractmethod
    def submit(self, *, release, spec: ReleaseSpec, idempotency_key: str) -> SubmitResult:
        raise NotImplementedError

    @abstractmethod
    def fetch_status(self, *, release, now: datetime) -> StatusResult:
        raise NotImplementedError

    @abstractmethod
    def take_down(self, *, release, idempotency_key: str) -> None:
        raise NotImplementedError


def platform_checks(*, spec: ReleaseSpec, platform: str) -> CheckResult:
    """The checks every store makes: metadata present, square artwork of the store's minimum
    size, audio of the store's minimum quality, the explicit flag set."""
    requirements = PLATFORM_REQUIREMENTS[Platform(platform)]
    result = CheckResult()
    block, warn = result.blocking.append, result.warnings.append
    if not spec.title.strip():
        block(Problem("title", "TITLE_MISSING", "The track has no title."))
    if not spec.artist.strip():
        block(Problem("artist", "ARTIST_MISSING", "The track has no artist name."))
    if spec.cover_size is None:
        block(Problem("cover_image", "COVER_MISSING", "The track has no cover art."))
    else:
        width, height = spec.cover_size
        if width != height:
            block(
                Problem(
                    "cover_image",
                    "COVER_NOT_SQUARE",
                    f"The cover art must be square; it is {width}x{height} px.",
                )
            )
        if min(width, height) < requirements.min_cover_px:
            block(
                Problem(
                    "cover_image",
                    "COVER_TOO_SMALL",
                    f"The cover art must be at least {requirements.min_cover_px} px wide "
                    f"here; it is {width}x{height} px.",
                )
            )
        elif min(width, height) < requirements.recommended_cover_px:
            warn(
                Problem(
                    "cover_image",
                    "COVER_BELOW_RECOMMENDED",
                    f"{requirements.recommended_cover_px}x{requirements.recommended_cover_px} "
                    "px artwork is recommended.",
                )
            )
    if not spec.duration:
        block(Problem("audio", "DURATION_UNKNOWN", "The audio's duration is unknown."))
    elif spec.duration < 30:
        warn(
            Problem(
                "audio",
                "TRACK_SHORT",
                "Tracks under 30 seconds earn nothing per stream on most platforms.",
            )
        )
    kbps = (spec.bitrate or 0) // 1000
    if kbps < requirements.min_bitrate_kbps:
        block(
            Problem(
                "audio",
                "AUDIO_QUALITY_TOO_LOW",
                f"The audio must be at least {requirements.min_bitrate_kbps} kbit/s here"
                + (f"; it is {kbps} kbit/s." if kbps else "; its bitrate is unknown."),
            )
        )
    elif kbps < requirements.recommended_bitrate_kbps:
        warn(
            Problem(
                "audio",
                "AUDIO_QUALITY_LOW",
                f"{requirements.recommended_bitrate_kbps} kbit/s or lossless audio is recommended.",
            )
        )
    if spec.is_explicit is None:
        warn(
            Problem(
                "is_explicit",
                "EXPLICIT_UNSET",
                "Say whether the lyrics are explicit; platforms may reject unflagged tracks.",
            )
        )
    return result


@dataclass(frozen=True)
class SandboxTimeline:
    """Real-world delays of a platform (hours), before the sandbox time scale applies."""

    processing_after: float
    live_after: float
    takedown_after: float


#: iTunes/Apple 24-72 h, other stores up to 5 days; a Spotify takedown takes ~2 business days.
SANDBOX_TIMELINES = {
    Platform.SPOTIFY: SandboxTimeline(processing_after=2, live_after=48, takedown_after=48),
    Platform.APPLE_MUSIC: SandboxTimeline(processing_after=6, live_after=72, takedown_after=24),
    Platform.DEEZER: SandboxTimeline(processing_after=12, live_after=120, takedown_after=72),
}


class SandboxProvider(DistributionProvider):
    """Deterministic and stateless: a release's status follows from the time since it was
    submitted (or its takedown requested), compressed by ``DISTRIBUTION_SANDBOX_TIME_SCALE``.

    Switches, in the track's title: ``[reject]`` makes the platform reject the release when
    processing ends (an artwork/metadata mismatch, the most common real rejection);
    ``[fail]`` makes every submit fail like a provider outage (retried, then ``failed``).
    """

    name = "sandbox"
    is_sandbox = True

    @staticmethod
    def _after(hours: float) -> timedelta:
        scale = max(float(settings.DISTRIBUTION_SANDBOX_TIME_SCALE), 1e-9)
        return timedelta(hours=hours) / scale

    def submit(self, *, release, spec, idempotency_key) -> SubmitResult:
        if SANDBOX_FAIL_MARKER in spec.title.lower():
            raise ProviderError("Sandbox: the provider is unavailable (the title has [fail]).")
        digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:20]
        return SubmitResult(reference=f"sbx_{release.platform}_{digest}")

    def fetch_status(self, *, release, now) -> StatusResult:
        timeline = SANDBOX_TIMELINES[Platform(release.platform)]
        if release.status in (ReleaseStatus.TAKEDOWN_REQUESTED, ReleaseStatus.TAKEN_DOWN):
            since = release.takedown_requested_at or now
            if now - since >= self._after(timeline.takedown_after):
                return StatusResult(ReleaseStatus.TAKEN_DOWN)
            return StatusResult(ReleaseStatus.TAKEDOWN_REQUESTED)
        since = release.submitted_at or now
        elapsed = now - since
        if elapsed >= self._after(timeline.live_after):
            if SANDBOX_REJECT_MARKER in release.track.title.lower():
                return StatusResult(
                    ReleaseStatus.REJECTED,
                    "The artwork does not match the metadata (sandbox: the title has [reject]).",
                )
            return StatusResult(ReleaseStatus.LIVE)
        if elapsed >= self._after(timeline.processing_after):
            return StatusResult(ReleaseStatus.PROCESSING)
        return StatusResult(ReleaseStatus.SUBMITTED)

    def take_down(self, *, release, idempotency_key) -> None:
        return None


def get_provider() -> DistributionProvider:
    """The configured provider (``settings.DISTRIBUTION_PROVIDER``, a dotted class path)."""
    return import_string(getattr(settings, "DISTRIBUTION_PROVIDER", DEFAULT_PROVIDER))()
