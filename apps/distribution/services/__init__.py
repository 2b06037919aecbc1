"""Every write of distribution and royalties. The API, the admin and the tasks call these."""

from apps.distribution.services.providers import (
    backoff,
    distributions_enforce_eligibility,
    release_poll,
    release_submit,
    release_takedown_send,
    releases_process_due,
    submit_idempotency_key,
    takedown_idempotency_key,
)
from apps.distribution.services.royalties import (
    ImportResult,
    platform_code,
    royalty_import,
    royalty_lines_match,
)
from apps.distribution.services.splits import (
    ShareSpec,
    line_payees_assign,
    line_shares_write,
    royalty_split_create,
    split_amount,
    split_minor_units,
)
from apps.distribution.services.statuses import (
    TRANSITIONS,
    release_status_override,
    release_transition,
    transition_allowed,
)
from apps.distribution.services.submissions import (
    DistributionCheck,
    PlatformCheck,
    distribution_check,
    distribution_submit,
    distribution_takedown,
    isrc_generate,
    isrc_is_valid,
    isrc_normalize,
)

__all__ = [
    "TRANSITIONS",
    "DistributionCheck",
    "ImportResult",
    "PlatformCheck",
    "ShareSpec",
    "backoff",
    "distribution_check",
    "distribution_submit",
    "distribution_takedown",
    "distributions_enforce_eligibility",
    "isrc_generate",
    "isrc_is_valid",
    "isrc_normalize",
    "line_payees_assign",
    "line_shares_write",
    "platform_code",
    "release_poll",
    "release_status_override",
    "release_submit",
    "release_takedown_send",
    "release_transition",
    "releases_process_due",
    "royalty_import",
    "royalty_lines_match",
    "royalty_split_create",
    "split_amount",
    "split_minor_units",
    "submit_idempotency_key",
    "takedown_idempotency_key",
    "transition_allowed",
]
