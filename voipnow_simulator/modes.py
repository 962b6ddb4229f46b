"""Server variants the simulator can play: documented defaults and known variants."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ALL_EVENT_TYPES = frozenset(range(5))
# What a v5 server might answer to a create without the type in the path.
V5_REFUSAL_STATUSES = (404, 405, 501, 400)
# What a PBX without the CDR service might answer on /uapi/cdr.
CDR_MISSING_STATUSES = (404, 501)


def parse_event_types(value: Any) -> frozenset[int]:
    """Accept ``{0, 1, 2}``, ``["0", "1"]`` or ``"0,1,2"``: a non-empty subset of 0-4."""
    items: Iterable[Any] = value.split(",") if isinstance(value, str) else value
    try:
        types = frozenset(int(str(item).strip()) for item in items)
    except (TypeError, ValueError):
        raise ValueError(f"event_types: not a list of numbers: {value!r}") from None
    if not types or not types <= ALL_EVENT_TYPES:
        raise ValueError(f"event_types must be a non-empty subset of 0-4: {value!r}")
    return types


def _one_of(*allowed: Any) -> Callable[[Any], Any]:
    """Return a check that accepts only these values."""

    def check(value: Any) -> Any:
        """Return the value if allowed, else raise ValueError."""
        if isinstance(value, bool) or value not in allowed:
            raise ValueError(f"{value!r} is not one of {allowed!r}")
        return value

    return check


def _flag(value: Any) -> bool:
    """Accept only a real boolean."""
    if not isinstance(value, bool):
        raise TypeError(f"{value!r} is not a boolean")
    return value


def _zone(value: Any) -> str | None:
    """Accept None (the machine's zone) or an IANA zone name."""
    if value is None:
        return None
    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r}") from None
    return str(value)


_CHECKS: dict[str, Callable[[Any], Any]] = {
    "event_types": parse_event_types,
    "subscription_path": _one_of("body", "path"),
    "v5_refusal_status": _one_of(*V5_REFUSAL_STATUSES),
    "hangup_status": _one_of("documented", "legacy"),
    "naive_dates": _flag,
    "time_zone": _zone,
    "long_ids": _flag,
    "callback_call_ids": _one_of("same", "different"),
    "callback_query": _one_of("kept", "dropped"),
    "caller_name_param": _one_of("CallerIDName", "CallerIDNam"),
    "quirks": _flag,
    "transfer_accepted_202": _flag,
    "empty_listing_204": _flag,
    "presence_names": _flag,
    "loopback_callbacks_only": _flag,
    "sort_order_words": _one_of("any", "short", "long"),
    "cdr_available": _flag,
    "cdr_missing_status": _one_of(*CDR_MISSING_STATUSES),
    "cdr_entry": _one_of("object", "list"),
    "cdr_parties": _one_of("string", "list"),
    "cdr_view_extension": _flag,
    "cdr_me": _flag,
    "remote_agent_ids": _flag,
    "cdr_sort_default": _one_of("desc", "asc"),
    "cdr_date_field": _one_of("published", "answered"),
    "cdr_save_dates": _one_of("filtered", "refused", "ignored"),
    "utc_dates": _flag,
    "queue_list": _one_of("object", "wrapped"),
    "queue_update_answer": _one_of("object", "array", "204"),
    "lists_recording": _flag,
    "delete_events_answer": _one_of("ids", "204"),
}


@dataclass
class Modes:
    """How the simulated server behaves where the docs or real servers differ.

    The defaults follow the documentation; each other value is a variant a
    real server is known or suspected to show.
    """

    # Event types a subscription may have: 4PSA's own client uses 3 and 4,
    # the 3.x pages number only 0-2 (``{0, 1, 2}`` plays a 3.x server).
    event_types: frozenset[int] = field(default=ALL_EVENT_TYPES)
    # "body": the 3.x create, type in the body; "path": v5, type in the path.
    subscription_path: str = "body"
    # What "path" mode answers to a create without the type in the path.
    v5_refusal_status: int = 404
    # "documented": hangups say how the call ended; "legacy": ANSWER/UNKNOWN.
    hangup_status: str = "documented"
    # Dates without a zone (server local time), written in ``time_zone``.
    naive_dates: bool = False
    time_zone: str | None = None
    # Call and subscription ids of 200-255 alphanumeric characters.
    long_ids: bool = False
    # "different": callbacks' CallID is not the PhoneCall id (the docs never
    # say it is), but an Asterisk-like unique id.
    callback_call_ids: str = "same"
    # "dropped": callbacks go to the subscribed URL without its query string
    # (nothing in the docs promises the PBX keeps it).
    callback_query: str = "kept"
    # One knowledge-base page spells the caller-name parameter CallerIDNam.
    caller_name_param: str = "CallerIDName"
    # Numbers as numbers, callerID, link, Z dates, entry keyed by id.
    quirks: bool = False
    # Transfers answer the page's short 202 example.
    transfer_accepted_202: bool = False
    # Empty call listings answer 204 instead of an empty collection.
    empty_listing_204: bool = False
    # Presence entries carry the extension's `name` (the pages show none; a
    # server that adds it lets voice use names).
    presence_names: bool = False
    # Never call a callback URL off this machine.
    loopback_callbacks_only: bool = True
    # Words `sortOrder` takes: "any" of both spellings; "short": asc/desc
    # only (the v5 pages); "long": ascending/descending only (OpenSocial,
    # which the 3.x pages build on, and 4PSA's own client).
    sort_order_words: str = "any"
    # False plays a PBX without the CDR service: /uapi/cdr answers 404, or
    # 501 request_not_implemented.
    cdr_available: bool = True
    cdr_missing_status: int = 404
    # CDR `entry`: an "object" keyed by call id (the CDR Resource example) or
    # a "list" as in every other collection.
    cdr_entry: str = "object"
    # A CDR view's `source`/`destination`: plain "string"s (the CDR example)
    # or one-item "list"s as in live PhoneCall views.
    cdr_parties: str = "string"
    # False: CDR views carry `source`/`destination` only, no `extension`
    # (the CDR Resource page's example).
    cdr_view_extension: bool = True
    # False: the CDR refuses `@me` (the v5 page names none) with 400
    # user_invalid; `/uapi/cdr/` and the user's id work.
    cdr_me: bool = True
    # QueueAgents carry `type` and `identifier` (v5), and a remote agent is
    # addressed by its identifier only ("an Id for remote agents").
    remote_agent_ids: bool = False
    # CDR order without `sortOrder` (the pages do not say): newest first.
    cdr_sort_default: str = "desc"
    # The date `startDate`/`endDate` bound: "published" (when the call came
    # in), or "answered", the List CDR page's literal words (calls never
    # answered then match no date range, the default month included).
    cdr_date_field: str = "published"
    # saveStartDate/saveEndDate: "filtered" by when the record was saved
    # (alone they bound the period); "refused" with 400
    # cdr_save_start_date_invalid (as a server that does not know them
    # might); "ignored" (the start dates, or the default month, apply).
    cdr_save_dates: str = "filtered"
    # Dates written in UTC with `Z` whatever ``time_zone`` the server runs
    # in (zone-less query dates are still read in ``time_zone``).
    utc_dates: bool = False
    # QueueAgents listing: the collection "object", or "wrapped" in an array
    # as the v5 example opens (`[ { "entry": [...`).
    queue_list: str = "object"
    # Update QueueAgents answers one QueueAgent "object" (the page's text),
    # an "array" of one (its Return-Object), or "204" with no body.
    queue_update_answer: str = "object"
    # Views carry the `recording` date of a recorded call (the resource lists
    # it; no page promises every server does): False plays one that does not.
    lists_recording: bool = True
    # Delete PhoneCallEvents answers 200 with the "ids" deleted (the page), or
    # "204" with no body even when it deleted some.
    delete_events_answer: str = "ids"

    def set(self, name: str, value: Any) -> None:
        """Validate and set one mode (ValueError if the name or value is bad)."""
        if name not in _CHECKS:
            raise ValueError(f"unknown mode {name!r}")
        setattr(self, name, _CHECKS[name](value))

    def update(self, values: dict[str, Any]) -> None:
        """Set several modes at once: all of them, or none if one is bad."""
        checked = {}
        for name, value in values.items():
            if name not in _CHECKS:
                raise ValueError(f"unknown mode {name!r}")
            checked[name] = _CHECKS[name](value)
        for name, value in checked.items():
            setattr(self, name, value)

    def to_json(self) -> dict[str, Any]:
        """Return every mode as JSON (event types as a sorted list)."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["event_types"] = sorted(self.event_types)
        return data


class ModeAttribute:
    """An attribute of the simulator that lives in its ``modes`` (validated)."""

    def __set_name__(self, owner: type, name: str) -> None:
        """Remember the mode's name."""
        self.name = name

    def __get__(self, obj: Any, objtype: type | None = None) -> Any:
        """Read the mode."""
        return self if obj is None else getattr(obj.modes, self.name)

    def __set__(self, obj: Any, value: Any) -> None:
        """Validate and set the mode."""
        obj.modes.set(self.name, value)


class ModeAttributes:
    """Every mode as an attribute of the simulator, validated on assignment."""

    event_types = ModeAttribute()
    subscription_path = ModeAttribute()
    v5_refusal_status = ModeAttribute()
    hangup_status = ModeAttribute()
    naive_dates = ModeAttribute()
    time_zone = ModeAttribute()
    long_ids = ModeAttribute()
    callback_call_ids = ModeAttribute()
    callback_query = ModeAttribute()
    caller_name_param = ModeAttribute()
    quirks = ModeAttribute()
    transfer_accepted_202 = ModeAttribute()
    empty_listing_204 = ModeAttribute()
    presence_names = ModeAttribute()
    loopback_callbacks_only = ModeAttribute()
    sort_order_words = ModeAttribute()
    cdr_available = ModeAttribute()
    cdr_missing_status = ModeAttribute()
    cdr_entry = ModeAttribute()
    cdr_parties = ModeAttribute()
    cdr_view_extension = ModeAttribute()
    cdr_me = ModeAttribute()
    remote_agent_ids = ModeAttribute()
    cdr_sort_default = ModeAttribute()
    cdr_date_field = ModeAttribute()
    cdr_save_dates = ModeAttribute()
    utc_dates = ModeAttribute()
    queue_list = ModeAttribute()
    queue_update_answer = ModeAttribute()
    lists_recording = ModeAttribute()
    delete_events_answer = ModeAttribute()
