"""Streaming: playback events stay for play counts and creators' statistics, without the
link to the listener once the hard delete runs."""

from apps.gdpr.erasure.base import ErasureContext, ErasureStep
from apps.streaming.models import PlayEvent


def playback_unlink(ctx: ErasureContext) -> dict:
    unlinked = PlayEvent.objects.filter(listener=ctx.user).update(listener=None, session_id="")
    return {"playback_events_unlinked": unlinked}


STEPS = [
    ErasureStep(
        "streaming",
        final=playback_unlink,
        erased_later=("Your playback history is unlinked from you (plays stay counted).",),
    ),
]
