"""What each platform setting means, in the words the operations console shows.

Rows are created by migrations and the code reads known keys only, so every key is defined here
with a human label and a help text; a key without a definition (a row added by hand) still
shows, under its key, with its stored description.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SettingDefinition:
    label: str
    help_text: str


DEFINITIONS: dict[str, SettingDefinition] = {
    "maintenance_mode": SettingDefinition(
        "Maintenance mode",
        "When on, every request except /api/v1/health, the admin and /api/v1/admin/ is answered "
        "503 MAINTENANCE within about a second, on every server. Turn it on or off with the "
        "switch at the top of this list (it asks for confirmation).",
    ),
    "maintenance_message": SettingDefinition(
        "Maintenance message",
        "The message clients receive in the 503 answer while maintenance is on.",
    ),
    "maintenance_retry_after": SettingDefinition(
        "Retry after (seconds)",
        "How long clients are told to wait (the Retry-After header) during maintenance.",
    ),
    "hls_streaming": SettingDefinition(
        "HLS streaming",
        "Serve adaptive HLS renditions to players. A public flag: clients read it from "
        "GET /api/v1/features. When off, players use the ranged /stream of each track.",
    ),
}


def setting_definition(*, key: str, description: str = "") -> SettingDefinition:
    """The definition of ``key``, or one made of the key and its stored description."""
    known = DEFINITIONS.get(key)
    if known is not None:
        return known
    return SettingDefinition(key.replace("_", " ").capitalize(), description)
