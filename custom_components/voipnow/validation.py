"""The schema library of the running Home Assistant, and the fields actions share.

Home Assistant 2026 validates with probatio, an API-compatible successor of
voluptuous; 2025.x uses voluptuous. Schemas here are written once for both.
"""

from typing import Any

from homeassistant.helpers import config_validation as cv

from .const import (
    ATTR_CONFIG_ENTRY_ID,
    ATTR_EXTENSION,
    ATTR_PHONE_CALL_ID,
    ATTR_USER_ID,
)

try:
    import probatio as vol  # type: ignore[import-not-found, unused-ignore]
except ImportError:  # Home Assistant 2025.x
    import voluptuous as vol  # type: ignore[no-redef, unused-ignore]

__all__ = ["CALL_SCHEMA", "OBJECT_ID", "number", "text", "vol"]

_TEL_SEPARATORS = str.maketrans("", "", "-.() ")

# Each field below takes a plain `str` as it is and leaves anything else
# (numbers, template results) to `cv.string`: every action validates
# several of them, and most are plain strings (the action's figure in
# docs/benchmarks.md counts every call on its way).


def text(value: Any) -> str:
    """Take a text field of 1 to 64 characters."""
    written = value if type(value) is str else cv.string(value)
    if not 0 < len(written) <= 64:
        raise vol.Invalid("expected 1 to 64 characters")
    return written


def number(value: Any) -> str:
    """Take a number, or a `tel:` URI (RFC 3966) as the number it names.

    Templates turn `+15550100` into the integer 15550100, losing the `+`;
    `tel:{{ number }}` (`tel:+1-555-0100`) keeps it.
    """
    written = value if type(value) is str else cv.string(value)
    if written[:4].casefold() == "tel:":
        written = written[4:].translate(_TEL_SEPARATORS)
    if not 0 < len(written) <= 64:
        raise vol.Invalid("expected 1 to 64 characters")
    return written


def object_id(value: Any) -> str:
    """Take an id the PBX hands out: 1 to 255 characters.

    One function rather than `vol.All(cv.string, vol.Length(...))`: every
    action on a call validates it, and the chain costs several calls more.
    """
    written = value if type(value) is str else cv.string(value)
    if not 0 < len(written) <= 255:
        raise vol.Invalid("expected 1 to 255 characters")
    return written


OBJECT_ID = object_id

CALL_SCHEMA = vol.Schema(
    {
        vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Required(ATTR_EXTENSION): text,
        vol.Optional(ATTR_PHONE_CALL_ID): OBJECT_ID,
        vol.Optional(ATTR_USER_ID): text,
    }
)
