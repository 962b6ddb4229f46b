"""The bodies of the actions on one view of a call: hold, park, pick up, record.

One table says which fields each action takes (the 3.x pages "Park
PhoneCalls", "UnPark PhoneCalls", "PickUp Phone Calls", "Whisper
PhoneCalls", "StartRecording PhoneCalls" and 4PSA's own client); one
builder checks them all before anything is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .const import (
    DEFAULT_PARKING,
    MAX_PARKING,
    MIN_PARKING,
    CallAction,
    RecordingFormat,
)
from .exceptions import VoipNowInvalidInputError
from .numbers import validate_extension, validate_object_id
from .requests import checked_caller_id, checked_wait

# UnPark, PickUp and the listening actions ring an extension of the PBX.
_CONNECT = frozenset({"send_call_to", "caller_id", "wait_for_pickup"})
ACTION_FIELDS: dict[CallAction, frozenset[str]] = {
    CallAction.ON_HOLD: frozenset(),
    CallAction.OFF_HOLD: frozenset(),
    CallAction.PARK: frozenset({"max_in_parking"}),
    CallAction.UNPARK: _CONNECT,
    CallAction.PICKUP: _CONNECT,
    CallAction.MONITOR: _CONNECT,
    CallAction.WHISPER: _CONNECT | {"private"},
    CallAction.BARGE_IN: _CONNECT,
    CallAction.START_RECORDING: frozenset({"recording_format"}),
    CallAction.STOP_RECORDING: frozenset(),
}
# What the pages fill in when a field is left out; sent as they say.
_DEFAULTS: dict[CallAction, dict[str, Any]] = {
    CallAction.PARK: {"maxInParking": DEFAULT_PARKING},
    CallAction.START_RECORDING: {"format": RecordingFormat.WAV.value},
}


def _parking(value: Any) -> tuple[str, int]:
    """`maxInParking`: whole seconds, 10 to 3600 (a number, as 4PSA's client)."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not MIN_PARKING <= value <= MAX_PARKING
    ):
        raise VoipNowInvalidInputError("max_in_parking", value)
    return "maxInParking", value


def _target(value: Any) -> tuple[str, str]:
    """`sendCallTo`: a phone terminal extension of the PBX."""
    try:
        return "sendCallTo", validate_extension(value, allow_self=False)
    except VoipNowInvalidInputError:
        raise VoipNowInvalidInputError("send_call_to", value) from None


def _wait(value: Any) -> tuple[str, str]:
    """`waitForPickup`, written as the pages' examples and 4PSA's client do."""
    return "waitForPickup", str(checked_wait(value))


def _private(value: Any) -> tuple[str, str]:
    """`private`: "1" when the whisperer does not hear the call."""
    if not isinstance(value, bool):
        raise VoipNowInvalidInputError("private", value)
    return "private", "1" if value else "0"


def _format(value: Any) -> tuple[str, str]:
    """`format`: wav or wav49."""
    try:
        return "format", RecordingFormat(value).value
    except ValueError:
        raise VoipNowInvalidInputError("recording_format", value) from None


_WRITERS: dict[str, Callable[[Any], tuple[str, Any]]] = {
    "max_in_parking": _parking,
    "send_call_to": _target,
    "caller_id": lambda value: ("callerId", checked_caller_id(value)),
    "wait_for_pickup": _wait,
    "private": _private,
    "recording_format": _format,
}


def action_body(
    action: CallAction, phone_call_view_id: str, **fields: Any
) -> dict[str, Any]:
    """Build one action on one view of a call; None leaves a field out.

    A field the action does not take is refused, not dropped: a caller who
    passes one meant something the PBX would not do.
    """
    try:
        kind = CallAction(action)
    except ValueError:
        raise VoipNowInvalidInputError("action", action) from None
    body: dict[str, Any] = {
        "action": kind.value,
        "phoneCallViewId": validate_object_id("phone_call_view_id", phone_call_view_id),
    }
    for name, value in fields.items():
        if name not in ACTION_FIELDS[kind]:
            raise VoipNowInvalidInputError(name, value)
        if value is not None:
            key, written = _WRITERS[name](value)
            body[key] = written
    if "send_call_to" in ACTION_FIELDS[kind] and "sendCallTo" not in body:
        raise VoipNowInvalidInputError("send_call_to", None)
    return {**_DEFAULTS.get(kind, {}), **body}
