"""What the client sends: checked values in the documented paths and bodies.

Every builder raises `VoipNowInvalidInputError` before anything is sent, and
fills the defaults the pages give (a transfer is made by the extension,
optional fields are omitted rather than sent empty).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, tzinfo
from enum import IntEnum
from functools import lru_cache
import math
import secrets
from typing import Any, Final

from .const import (
    EVENT_TYPE_REFUSED,
    AgentStatus,
    CallbackMethod,
    SubscriptionEventType,
    TransferAction,
)
from .exceptions import (
    VoipNowInvalidInputError,
    VoipNowMalformedResponseError,
    VoipNowResponseError,
)
from .numbers import (
    format_caller_id,
    parse_caller_id,
    validate_extension,
    validate_mailbox,
    validate_number,
    validate_object_id,
    validate_user_id,
)
from .urls import valid_callback_url

MAX_WAIT_FOR_PICKUP = 300
# Dates of the CDR's period: the server's local time, without a zone.
DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"
# How far a call's dates can lie apart (start, answer, end, record).
CALL_SPAN = timedelta(hours=1)
# The CDR's period by the call's dates, and by when its record was saved.
PERIOD_KEYS = ("startDate", "endDate")
SAVE_KEYS = ("saveStartDate", "saveEndDate")
# How a server that wants the event type in the path (the v5 pages) may
# refuse a subscription posted without it: no route (404), a method not
# allowed there (405), not implemented (501). None is documented.
_WANTS_TYPE_IN_PATH = frozenset({404, 405, 501})


# The actions' names, read once (an enum member's value is a property).
_TRANSFER: Final = TransferAction.TRANSFER.value
_TO_VOICEMAIL: Final = TransferAction.TO_VOICEMAIL.value


@lru_cache(maxsize=1024)
def _calls_of(user_id: str, extension: str) -> str:
    """Build `phoneCalls/{user}/{extension}/` from checked segments.

    Cached, as Home Assistant caches its entity id checks: every action on a
    call of an extension checks the same two segments. A wrong one raises,
    and an error is never cached.
    """
    return f"phoneCalls/{validate_user_id(user_id)}/{validate_extension(extension)}/"


def call_path(user_id: str, extension: str, phone_call_id: str) -> str:
    """Build `phoneCalls/{user}/{extension}/{id}` from checked segments."""
    try:
        calls = _calls_of(user_id, extension)
    except TypeError:  # A value that cannot be a key is no segment: refused.
        calls = _calls_of.__wrapped__(user_id, extension)
    return calls + validate_object_id("phone_call_id", phone_call_id)


def events_path(user_id: str, extension: str) -> str:
    """Build the PhoneCallEvents path of one extension (never `@self`)."""
    return (
        f"extensions/{validate_user_id(user_id)}/"
        f"{validate_extension(extension, allow_self=False)}/phoneCallEvents"
    )


def transfer_body(
    *,
    extension: str,
    send_call_to: str,
    transfer_from_number: str | None,
    transfer_number: str | None,
    to_voicemail: bool,
) -> dict[str, str]:
    """Build a Transfer or TransferToVoicemail action.

    A plain transfer is made by the extension unless `transfer_from_number`
    names another party; voicemail needs an extension's mailbox and the
    party to send there (`transfer_number`).
    """
    fields = (extension, send_call_to, transfer_from_number, transfer_number)
    try:
        return dict(_checked_transfer(*fields, to_voicemail))
    except TypeError:  # A value that cannot be a key is no number: refused.
        return dict(_transfer(*fields, to_voicemail))


def _transfer(
    extension: str,
    send_call_to: str,
    transfer_from_number: str | None,
    transfer_number: str | None,
    to_voicemail: bool,
) -> tuple[tuple[str, str], ...]:
    """Check a transfer's fields and return its body's items."""
    body = {
        "action": _TO_VOICEMAIL if to_voicemail else _TRANSFER,
        "sendCallTo": validate_number("send_call_to", send_call_to),
    }
    if to_voicemail:
        validate_mailbox("send_call_to", send_call_to)
        if transfer_number is None:
            raise VoipNowInvalidInputError(
                "transfer_number", transfer_number, "transfer_number_required"
            )
    elif transfer_from_number is None:
        transfer_from_number = extension
    if transfer_from_number is not None:
        body["transferFromNumber"] = validate_number(
            "transfer_from_number", transfer_from_number
        )
    if transfer_number is not None:
        body["transferNumber"] = validate_number("transfer_number", transfer_number)
    return tuple(body.items())


# Transfers repeat between the same numbers: each set of fields is checked
# once (as `_calls_of`; an error raises and is never cached). The items, not
# a dict, are kept: each request gets its own body.
_checked_transfer = lru_cache(maxsize=1024)(_transfer)


def checked_caller_id(caller_id: Any) -> str:
    """Read a caller id to present into one name and one number, rebuilt from them.

    What is sent is never the text as given (`parse_caller_id` refuses a second
    number, text after it, quotes or control characters).
    """
    return format_caller_id(*parse_caller_id(caller_id)) or ""


def checked_wait(wait_for_pickup: Any) -> int:
    """Check `waitForPickup`: whole seconds, 1 to MAX_WAIT_FOR_PICKUP."""
    if (
        isinstance(wait_for_pickup, bool)
        or not isinstance(wait_for_pickup, int)
        or not 0 < wait_for_pickup <= MAX_WAIT_FOR_PICKUP
    ):
        raise VoipNowInvalidInputError("wait_for_pickup", wait_for_pickup)
    return wait_for_pickup


def make_call_request(
    *,
    user_id: str,
    extension: str,
    destination: str,
    caller_id: str | None,
    wait_for_pickup: int | None,
) -> tuple[str, dict[str, str] | None, dict[str, Any]]:
    """Build the path, query and body of a simple call (`POST …/simple`)."""
    validate_user_id(user_id)
    validate_extension(extension, allow_self=False)
    view: dict[str, Any] = {
        "source": [extension],
        "destination": [validate_number("destination", destination)],
    }
    if caller_id is not None:
        view["callerId"] = checked_caller_id(caller_id)
    params = None
    if wait_for_pickup is not None:
        params = {"waitForPickup": str(checked_wait(wait_for_pickup))}
    body = {
        "extension": extension,
        "phoneCallView": [view],
        "nonce": secrets.token_hex(8),
    }
    return f"phoneCalls/{user_id}/simple", params, body


def subscription_body(
    *,
    event_type: SubscriptionEventType,
    url: str,
    note: str | None,
    method: CallbackMethod,
) -> dict[str, str]:
    """Build a PhoneCallEvent (the type is in the body, as the 3.x pages say)."""
    kind = enum_input(SubscriptionEventType, event_type, "event_type")
    how = enum_input(CallbackMethod, method, "method")
    if not valid_callback_url(url):
        # The callback URL is a secret: it is not kept in the error.
        raise VoipNowInvalidInputError("url", "<redacted>")
    if note is not None and not isinstance(note, str):
        raise VoipNowInvalidInputError("note", note)
    body = {
        "type": str(int(kind)),
        "method": str(int(how)),
        "url": url,
        "status": "1",
    }
    if note:
        body["note"] = note
    return body


def enum_input[E: IntEnum](enum: type[E], value: Any, field: str) -> E:
    """Check a caller's enum argument (a member or its number)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise VoipNowInvalidInputError(field, value)
    try:
        return enum(value)
    except ValueError:
        raise VoipNowInvalidInputError(field, value) from None


def query_date(moment: datetime, zone: tzinfo) -> str:
    """Write one query date: the PBX's local time, without a zone.

    Every date the client sends goes through here (4PSA's own client sends
    local times without a zone; the v5 error answers name that format).
    """
    return moment.astimezone(zone).strftime(DATE_FORMAT)


def period(
    since: datetime,
    until: datetime,
    zone: tzinfo,
    margin: timedelta = timedelta(0),
    keys: tuple[str, str] = PERIOD_KEYS,
) -> dict[str, str]:
    """Build a CDR period (`startDate`/`endDate` or the save dates).

    The period asked is checked, then widened by `margin` on both sides.
    """
    for field, moment in (("since", since), ("until", until)):
        if not isinstance(moment, datetime) or moment.tzinfo is None:
            raise VoipNowInvalidInputError(field, moment)
    if since > until:
        raise VoipNowInvalidInputError("since", since, "since_after_until")
    return {
        keys[0]: query_date(since - margin, zone),
        keys[1]: query_date(until + margin, zone),
    }


def period_after(
    params: Mapping[str, str],
    dates: Sequence[datetime | None],
    zone: tzinfo,
    margin: timedelta = timedelta(0),
) -> dict[str, str]:
    """Narrow a CDR period to the records not read yet, `dates` their `published`.

    A server reaches at most MAX_START_INDEX records of a period by offset.
    It lists them by `published` (newest first by default), but filters the
    period on another date of the call (the pages disagree on which): the
    next request keeps CALL_SPAN of what was read, and the caller drops
    the records it reads twice. The new bound is written in the PBX's zone
    (`zone`, `margin` how far off it may be), whatever clock the records
    were written in.
    """
    dated = [moment for moment in dates if moment is not None]
    if not dated:
        raise VoipNowMalformedResponseError("Call records without dates")
    if dated[0] <= dated[-1]:
        # Oldest first: go on from the last one read.
        key = PERIOD_KEYS[0]
        bound = query_date(max(dated) - CALL_SPAN - margin, zone)
        moved = bound > params[key]
    else:
        key = PERIOD_KEYS[1]
        bound = query_date(min(dated) + CALL_SPAN + margin, zone)
        moved = bound < params[key]
    if not moved:
        raise VoipNowMalformedResponseError("Too many call records in one hour")
    return {**params, key: bound}


def queue_path(user_id: str, queue: str) -> str:
    """Build a queue's agents path (a queue is named by its number, never @self)."""
    return (
        f"extensions/{validate_user_id(user_id)}/"
        f"{validate_extension(queue, allow_self=False)}/queue/agents"
    )


def queue_agent_update(
    user_id: str, queue: str, agent: str, status: AgentStatus
) -> tuple[str, dict[str, str]]:
    """Build the path and body that set one agent's status (sent as a string)."""
    kind = enum_input(AgentStatus, status, "status")
    # An extension or number for local agents, an id for remote ones.
    try:
        agent = validate_number("agent", agent)
    except VoipNowInvalidInputError:
        agent = validate_object_id("agent", agent)
    return f"{queue_path(user_id, queue)}/{agent}", {"status": str(int(kind))}


def wants_type_in_path(err: VoipNowResponseError, kind: SubscriptionEventType) -> bool:
    """Tell whether a refused subscription shows the server wants the v5 form.

    Either no such route or method, or a type every version documents (0-2)
    refused as unknown: the server did not read it from the body.
    """
    if err.status in _WANTS_TYPE_IN_PATH:
        return True
    return (
        err.status == 400
        and err.code in EVENT_TYPE_REFUSED
        and kind <= SubscriptionEventType.HANGUP
    )


def seconds(field: str, value: Any) -> float:
    """Check a positive, finite number of seconds."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise VoipNowInvalidInputError(field, value)
    if not 0 < value < math.inf:
        raise VoipNowInvalidInputError(field, value)
    return float(value)
