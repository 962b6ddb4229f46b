"""PhoneCallActions beyond transfer and hold: park, unpark, pick up, listen, record.

As the 3.x pages "Park PhoneCalls", "UnPark PhoneCalls", "PickUp Phone Calls",
"StartRecording PhoneCalls", "Whisper PhoneCalls" and 4PSA's own client
(`calls/src/tools/phone-calls-update-*.ts`) describe them. The pages give
the fields, their types and ranges; where they are silent (which error code
a bad `maxInParking` gets, what a second StopRecording does) the choice is
the simulator's and is said so below.
"""

from __future__ import annotations

import time
from typing import Any

from .model import EVENT_DIAL_IN, ApiError, CallEvent, SimCall, SimCallView, now
from .pbx import Pbx
from .transfers import pickup

# "Park PhoneCalls": the call stays parked 10 to 3600 seconds, 180 by default.
MIN_PARKING = 10
MAX_PARKING = 3600
DEFAULT_PARKING = 180
RECORDING_FORMATS = frozenset({"wav", "wav49"})
# Monitor listens, Whisper talks to the extension only, BargeIn joins.
LISTEN_ACTIONS = frozenset({"Monitor", "Whisper", "BargeIn"})
ACTIONS = frozenset(
    {"Park", "UnPark", "PickUp", "StartRecording", "StopRecording"} | LISTEN_ACTIONS
)
# The pages list `phoneCallViewId` as required for these; 4PSA's client
# sends it with every action, so any other is checked when present.
_VIEW_REQUIRED = frozenset({"Park", "StartRecording", "StopRecording"})


def act(pbx: Pbx, call: SimCall, action: str, body: dict[str, Any]) -> list[CallEvent]:
    """Run one of these actions on a call; return the events it caused."""
    view = _view(call, body.get("phoneCallViewId"), action in _VIEW_REQUIRED)
    if action == "Park":
        return _park(pbx, call, view, body)
    if action == "UnPark":
        return _unpark(pbx, call, body)
    if action == "PickUp":
        return _pickup(pbx, call, body)
    if action in LISTEN_ACTIONS:
        return _listen(pbx, call, action, body)
    return _record(call, action == "StartRecording", body)


def _view(call: SimCall, view_id: Any, required: bool) -> SimCallView | None:
    """Return the view the body names, or raise `pc_phonecallviewid_invalid`."""
    if view_id is None and not required:
        return None
    view = next((v for v in call.views() if v.id == str(view_id)), None)
    if view is None:
        raise ApiError(400, "pc_phonecallviewid_invalid", f"No view {view_id!r}")
    return view


def _seconds(value: Any, default: int, low: int, high: int, code: str) -> int:
    """Read a Number field sent as a number or a string (the pages' examples)."""
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ApiError(400, code, f"Not a number: {value!r}")
    text = str(value).strip()
    if not text.isdigit() or not low <= int(text) <= high:
        raise ApiError(400, code, f"Out of range {low}-{high}: {value!r}")
    return int(text)


def _phone_terminal(pbx: Pbx, call: SimCall, value: Any) -> str:
    """Check `sendCallTo`: a phone terminal extension not yet in the call."""
    number = pbx.normalize(value.strip()) if isinstance(value, str) else ""
    if number not in pbx.extensions:
        raise ApiError(400, "pc_sendcallto_invalid", "Not a phone terminal extension")
    if call.party(number) is not None:
        raise ApiError(400, "pc_sendcallto_invalid", "Already in the call")
    return number


def _check_caller_id(value: Any) -> None:
    """Check the optional `callerId` ("John Doe <42420042>" or a number)."""
    if value is None:
        return
    if not isinstance(value, str) or not value.strip() or len(value) > 128:
        # Not documented: the simulator's code for a bad caller id.
        raise ApiError(400, "pc_callerid_invalid", "Invalid caller id")


def _connect_fields(pbx: Pbx, call: SimCall, body: dict[str, Any]) -> str:
    """Check what UnPark, PickUp and the listen actions share; return the target."""
    target = _phone_terminal(pbx, call, body.get("sendCallTo"))
    _check_caller_id(body.get("callerId"))
    # Not documented: the simulator's code for a bad `waitForPickup`.
    _seconds(body.get("waitForPickup"), 25, 1, 300, "pc_waitforpickup_invalid")
    return target


def _park(
    pbx: Pbx, call: SimCall, view: SimCallView | None, body: dict[str, Any]
) -> list[CallEvent]:
    """Park the call's other party; the extension of the view parked it.

    Not documented: which slot (the simulator takes the lowest free one)
    and whether the parker keeps a view (here it does, carrying `parked`).
    """
    # Not documented: the simulator's code for a `maxInParking` out of range.
    seconds = _seconds(
        body.get("maxInParking"),
        DEFAULT_PARKING,
        MIN_PARKING,
        MAX_PARKING,
        "pc_maxinparking_invalid",
    )
    if call.connected is None or call.parked_at is not None:
        raise ApiError(400, "pc_phonecall_invalid", "Only a call in progress parks")
    taken = {c.parked_pos for c in pbx.calls.values() if c.parked_at is not None}
    call.parked_pos = next(pos for pos in range(1, len(taken) + 2) if pos not in taken)
    call.parked_at = now()
    call.parked_by = view.extension if view else call.extension
    call.park_until = time.monotonic() + seconds
    call.held_at = call.held_by = None
    return []


def _clear_park(call: SimCall) -> None:
    """Take the call out of the parking lot."""
    call.parked_at = call.parked_by = call.parked_pos = call.park_until = None


def _ring(pbx: Pbx, call: SimCall, number: str) -> list[CallEvent]:
    """Make `number` the callee of a parked call, ringing; return its dial-in."""
    parked = call.callee if call.caller.number == call.parked_by else call.caller
    call.close_leg()
    call.caller, call.callee = parked, pbx.party(number)
    call.connected = None
    call.ringing_at = now()
    call.ringing_since = time.monotonic()
    call.recording_at = call.recording_format = None
    return [pbx.event(EVENT_DIAL_IN, number, call, "CALLING")]


def _unpark(pbx: Pbx, call: SimCall, body: dict[str, Any]) -> list[CallEvent]:
    """Ring `sendCallTo` with the parked party."""
    if call.parked_at is None:
        raise ApiError(400, "pc_phonecall_invalid", "The call is not parked")
    parker = call.parked_by
    target = body.get("sendCallTo")
    if not (isinstance(target, str) and pbx.normalize(target.strip()) == parker):
        target = _connect_fields(pbx, call, body)
    else:
        # Retrieving a call on the phone that parked it.
        _check_caller_id(body.get("callerId"))
        _seconds(body.get("waitForPickup"), 25, 1, 300, "pc_waitforpickup_invalid")
        target = parker
    _clear_park(call)
    return _ring(pbx, call, target)


def park_timeout(pbx: Pbx, call: SimCall) -> list[CallEvent]:
    """The parking time ran out: the call rings the extension that parked it."""
    if call.parked_at is None or call.parked_by is None:
        raise ValueError(f"call {call.id} is not parked")
    parker = call.parked_by
    _clear_park(call)
    return _ring(pbx, call, parker)


def expire_parking(pbx: Pbx) -> list[CallEvent]:
    """Ring the parkers of every call whose parking time ran out."""
    events: list[CallEvent] = []
    for call in list(pbx.calls.values()):
        if call.park_until is not None and call.park_until <= time.monotonic():
            events += park_timeout(pbx, call)
    return events


def _pickup(pbx: Pbx, call: SimCall, body: dict[str, Any]) -> list[CallEvent]:
    """Answer the ringing call on `sendCallTo`."""
    target = _connect_fields(pbx, call, body)
    if call.connected is not None:
        raise ApiError(400, "pc_phonecall_invalid", "The call no longer rings")
    return pickup(pbx, call, target)


def _listen(
    pbx: Pbx, call: SimCall, action: str, body: dict[str, Any]
) -> list[CallEvent]:
    """A supervisor monitors, whispers or barges in on a call in progress."""
    target = _connect_fields(pbx, call, body)
    # The page writes `private`; 4PSA's client sends it as "0" or "1".
    private = body.get("private", "0")
    if private not in ("0", "1", 0, 1, True, False):
        raise ApiError(400, "pc_private_invalid", "private is 0 or 1")
    if call.connected is None:
        raise ApiError(400, "pc_phonecall_invalid", "Only a call in progress")
    call.listeners.append((action, target, str(int(private)) == "1"))
    return []


def _record(call: SimCall, start: bool, body: dict[str, Any]) -> list[CallEvent]:
    """Start or stop recording the call (StopRecording of none does nothing)."""
    if not start:
        call.recording_at = call.recording_format = None
        return []
    fmt = body.get("format", "wav")
    if fmt not in RECORDING_FORMATS:
        # Not documented: the simulator's code for an unknown format.
        raise ApiError(400, "pc_format_invalid", "format is wav or wav49")
    if call.connected is None:
        raise ApiError(400, "pc_phonecall_invalid", "Only a call in progress")
    call.recording_at = call.recording_at or now()
    call.recording_format = fmt
    return []
