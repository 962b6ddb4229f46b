"""Defensive readers for UnifiedAPI JSON: one odd field must not sink an answer.

Real VoipNow servers are inconsistent: numbers arrive as strings or integers,
collections come as a list or as an object keyed by id, null fields are
omitted and dates may lack a zone. Everything here accepts all of these and
raises `VoipNowMalformedResponseError` for anything it cannot use, never
`KeyError` or `TypeError`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, tzinfo
from enum import IntEnum
from typing import Any

from .exceptions import VoipNowMalformedResponseError

# Values that mean "not set" for a field documented as a Date that is
# omitted when not set (some servers send false, 0 or an empty string).
_ABSENT = frozenset({"", "0", "false", "null"})


def malformed(what: str) -> VoipNowMalformedResponseError:
    """Build the error for an answer that does not have the documented shape."""
    return VoipNowMalformedResponseError(f"Malformed answer: {what}")


def mapping(value: Any, what: str) -> Mapping[str, Any]:
    """Return value when it is a JSON object."""
    if not isinstance(value, Mapping):
        raise malformed(f"{what} is not an object")
    return value


def required_str(data: Mapping[str, Any], key: str, what: str) -> str:
    """Read a required, non-empty string (numbers are accepted and converted)."""
    value = optional_str(data, key, what)
    if not value:
        raise malformed(f"{what} has no {key}")
    return value


def optional_str(data: Mapping[str, Any], key: str, what: str) -> str | None:
    """Read an optional string; integers become strings, anything else is an error."""
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool):
        raise malformed(f"{what}.{key} is not a string")
    if isinstance(value, int | str):
        return str(value).strip()
    raise malformed(f"{what}.{key} is not a string")


def loose_int(value: Any) -> int | None:
    """Return a number sent as an integer or a numeric string, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def code[E: IntEnum](data: Mapping[str, Any], key: str, unknown: E) -> E:
    """Read a numeric code (number or string), tolerating values we do not know.

    A state the PBX reports in a way we do not understand is `unknown`: one
    odd field must not make a whole listing unreadable.
    """
    raw = loose_int(data.get(key))
    if raw is None:
        return unknown
    try:
        return type(unknown)(raw)
    except ValueError:
        return unknown


def present(data: Mapping[str, Any], key: str) -> bool:
    """Tell whether a field documented as "a Date, missing when not set" is set.

    `onHold`, `ringing`, `parked` and `recording` are dates, not booleans:
    any value is "yes", whatever its format; absent or empty is "no".
    """
    value = data.get(key)
    if value is None or value is False:
        return False
    if isinstance(value, str):
        return value.strip().lower() not in _ABSENT
    if isinstance(value, int | float):
        return value != 0
    return True


def date(data: Mapping[str, Any], key: str, zone: tzinfo) -> datetime | None:
    """Read an XML Schema dateTime; an unparsable one is treated as absent.

    The zone is optional in that format: a date without one is the server's
    local time, read in `zone` (the caller's best guess of that time zone),
    never dropped. Every date returned is timezone-aware.
    """
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def str_list(data: Mapping[str, Any], key: str, what: str) -> tuple[str, ...]:
    """Read a list of numbers, accepting a single string too."""
    value = data.get(key)
    if value is None:
        return ()
    if isinstance(value, str | int) and not isinstance(value, bool):
        return (str(value),)
    if isinstance(value, list):
        items: list[str] = []
        for item in value:
            if isinstance(item, bool) or not isinstance(item, str | int):
                raise malformed(f"{what}.{key} holds a non-string")
            items.append(str(item))
        return tuple(items)
    raise malformed(f"{what}.{key} is not a list")


def items(value: Any, what: str) -> list[Any]:
    """Return the items of a list, of an object keyed by id, or of a lone object.

    An object whose values are all objects is keyed by id (the CDR examples
    do that); any other object is a single item sent without its list.
    """
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, Mapping):
        values = list(value.values())
        if values and all(isinstance(item, Mapping) for item in values):
            return values
        return [value] if value else []
    raise malformed(f"{what} is neither a list nor an object")


def collection_entries(payload: Any, what: str) -> list[Any]:
    """Return the items of a collection answer (`entry` as a list or keyed object).

    A bare list is accepted too, and so is a list wrapping one collection
    (the v5 QueueAgents example does that); an object without `entry` has no
    items (a collection omits it when empty, an action may answer with the
    resource).
    """
    if isinstance(payload, list):
        if (
            len(payload) == 1
            and isinstance(payload[0], Mapping)
            and "entry" in payload[0]
        ):
            return collection_entries(payload[0], what)
        return payload
    return items(mapping(payload, what).get("entry"), f"{what}.entry")


def first_resource[T](payload: Any, parse: Callable[[Any], T]) -> T | None:
    """Parse the resource a successful write returns, tolerating odd shapes.

    The PBX has already acted when it answers 2xx, so an answer that cannot
    be read must not look like a failure (a caller would retry and act twice).
    `payload` is None for an empty answer; anything not JSON is not a Mapping
    or list and reads as nothing.
    """
    if not isinstance(payload, Mapping | list):
        return None
    try:
        entries = collection_entries(payload, "answer")
        return parse(entries[0] if entries else payload)
    except VoipNowMalformedResponseError:
        return None
