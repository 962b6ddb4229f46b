"""The PBX's extension listing, checked before it becomes devices, log lines or speech.

A misbehaving PBX could list an extension numbered with a newline and a fake
log line, one of 3,000 digits, or a million of them. Numbers must have the
documented form (digits and `*`, at most 32 characters); names are cleaned as
callback names are; at most `MAX_EXTENSIONS` are kept, the first by number,
with a repair issue naming how many were left out. Home Assistant 2026 adds
at most 10,000 enabled entities per config entry: there, the limit is what
fits, once room is kept for the call queues' entities.
"""

from __future__ import annotations

from collections.abc import Iterable
import dataclasses
from typing import Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_platform

from . import issues
from .api import Extension
from .api.numbers import EXTENSION_RE, MAX_NAME, clean_text
from .const import LOGGER
from .issues import async_set_issue

# Home Assistant's limit of enabled entities per config entry (2026 on).
ENTITY_LIMIT: Final[int | None] = getattr(
    entity_platform, "MAX_ENABLED_ENTITIES_PER_CONFIG_ENTRY", None
)
MAX_EXTENSIONS: Final = 5000
# The entities of one extension, all enabled (`test_entities_per_extension`).
ENTITIES_PER_EXTENSION: Final = 9
# Of Home Assistant's limit of enabled entities per entry, what is kept for
# the call queues' entities.
ROOM_FOR_OTHERS: Final = 0.1
ISSUE_TOO_MANY: Final = "too_many_extensions"
# Refused numbers one warning shows, each cut to this many characters.
_SHOWN: Final = 5
_SHOWN_CHARS: Final = 40


@callback
def async_checked_extensions(
    hass: HomeAssistant, entry: ConfigEntry, listed: Iterable[Extension]
) -> dict[str, Extension]:
    """Return the well-formed extensions of a listing, by number, names cleaned."""
    kept: dict[str, Extension] = {}
    refused: list[object] = []
    for extension in listed:
        number = extension.number
        if not isinstance(number, str) or not EXTENSION_RE.fullmatch(number):
            refused.append(number)
            continue
        name = clean_text(extension.name, MAX_NAME) if extension.name else None
        kept[number] = dataclasses.replace(extension, name=name or None)
    if refused:
        # `repr` shows a newline as `\n`: a number cannot forge a log line.
        LOGGER.warning(
            "The PBX listed %s extension numbers that are not digits and `*` "
            "of at most 32 characters; they are left out: %s",
            len(refused),
            ", ".join(repr(str(value)[:_SHOWN_CHARS]) for value in refused[:_SHOWN]),
        )
    limit = extension_limit(ENTITY_LIMIT)
    left_out = max(0, len(kept) - limit)
    async_set_issue(
        hass,
        entry,
        ISSUE_TOO_MANY,
        bool(left_out),
        limit=str(limit),
        count=str(left_out),
    )
    if left_out:
        kept = {number: kept[number] for number in sorted(kept)[:limit]}
    return kept


def extension_limit(entity_limit: int | None) -> int:
    """Return how many extensions an entry shows under Home Assistant's entity limit.

    Beyond its limit Home Assistant adds no more entities, whichever
    platform comes first: an extension would get its button but not its
    call state.
    """
    if entity_limit is None:
        return MAX_EXTENSIONS
    ours = int(entity_limit * (1 - ROOM_FOR_OTHERS))
    return min(MAX_EXTENSIONS, ours // ENTITIES_PER_EXTENSION)


@callback
def async_delete_issue(hass: HomeAssistant, entry_id: str) -> None:
    """Forget the repair issue of an entry that is removed."""
    issues.async_delete_issue(hass, entry_id, ISSUE_TOO_MANY)
