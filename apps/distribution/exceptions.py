"""Error codes of distribution and royalties (shared/API.md, Distribution and royalties)."""

from enum import StrEnum

from veza.api.exceptions import ApplicationError, Conflict, Forbidden


class ErrorCode(StrEnum):
    """Distribution's own error codes; generic ones come from
    :class:`veza.api.exceptions.ErrorCode`."""

    SUBSCRIPTION_REQUIRED = "SUBSCRIPTION_REQUIRED"
    ALREADY_DISTRIBUTED = "ALREADY_DISTRIBUTED"
    NOT_LIVE = "NOT_LIVE"
    INVALID_STATUS_TRANSITION = "INVALID_STATUS_TRANSITION"
    ISRC_TAKEN = "ISRC_TAKEN"
    ISRC_PREFIX_EXHAUSTED = "ISRC_PREFIX_EXHAUSTED"
    STATEMENTS_EXIST = "STATEMENTS_EXIST"
    TRACK_DISTRIBUTED = "TRACK_DISTRIBUTED"


class SubscriptionRequired(Forbidden):
    code = ErrorCode.SUBSCRIPTION_REQUIRED
    message = "Distribution needs an active Creator or Premium subscription."


class AlreadyDistributed(Conflict):
    code = ErrorCode.ALREADY_DISTRIBUTED
    message = "This track is already distributed (or on its way) to a platform you chose."


class NotLive(Conflict):
    code = ErrorCode.NOT_LIVE
    message = "This distribution is live on no platform: there is nothing to take down."


class InvalidStatusTransition(Conflict):
    code = ErrorCode.INVALID_STATUS_TRANSITION
    message = "This status change is not allowed."


class IsrcTaken(Conflict):
    code = ErrorCode.ISRC_TAKEN
    message = "This ISRC already belongs to another recording."


class IsrcPrefixExhausted(ApplicationError):
    status_code = 503
    code = ErrorCode.ISRC_PREFIX_EXHAUSTED
    message = "No ISRC is left under this year's prefix; staff must configure a new one."


class StatementsExist(Conflict):
    code = ErrorCode.STATEMENTS_EXIST
    message = (
        "Royalties from this sale month on are already split under the current version; "
        "a new split starts after the latest reported month."
    )


class TrackDistributed(Conflict):
    code = ErrorCode.TRACK_DISTRIBUTED
    message = (
        "This track is on a streaming platform or on its way there: take its distribution "
        "down first (POST /api/v1/distributions/{id}/takedown), then delete the track once "
        "every platform has taken it down."
    )
