"""Operations that move a call's parties: transfer, voicemail and pickup."""

from __future__ import annotations

import time
from typing import Any

from .model import (
    EVENT_DIAL_IN,
    HANGUP_ANSWER,
    HANGUP_NOANSWER,
    ApiError,
    CallEvent,
    Party,
    SimCall,
    is_valid_number,
    now,
)
from .pbx import Pbx


def transfer(
    pbx: Pbx,
    call: SimCall,
    send_call_to: Any,
    from_number: Any,
    transfer_number: Any,
) -> list[CallEvent]:
    """Blind-transfer the other party to ``send_call_to``; return events."""
    target = _check_number(pbx, send_call_to, "pc_sendcallto_invalid")
    if "*" in target and target not in pbx.extensions:
        raise ApiError(400, "pc_sendcallto_invalid", "Unknown extension")
    leaving = _party_of(pbx, call, from_number, "pc_transfer_from_number_invalid")
    staying = _other_party(pbx, call, leaving, transfer_number)
    if target in (staying.number, leaving.number):
        raise ApiError(400, "pc_sendcallto_invalid", "Already in the call")
    events: list[CallEvent] = []
    if leaving.local:
        status = pbx.end_status(call, None)
        events.append(pbx.hangup_event(call, leaving, status))
    new_callee = pbx.party(target)
    call.close_leg()
    call.caller, call.callee = staying, new_callee
    call.held_at = call.held_by = None
    call.did = ""
    if new_callee.local:
        # The new callee rings; the call itself stays answered if it was.
        call.connected = None
        call.ringing_at = now()
        call.ringing_since = time.monotonic()
        events.append(pbx.event(EVENT_DIAL_IN, target, call, "CALLING"))
    elif staying.local:
        call.connected = call.connected or now()
        call.answered = call.answered or call.connected
    else:
        pbx.end(call)
    return events


def transfer_to_voicemail(
    pbx: Pbx,
    call: SimCall,
    send_call_to: Any,
    from_number: Any,
    transfer_number: Any,
) -> list[CallEvent]:
    """Send a party of the call to an extension's voicemail; return events."""
    target = pbx.normalize(str(send_call_to or ""))
    if target not in pbx.extensions:
        raise ApiError(400, "pc_sendcallto_invalid", "Not a phone terminal")
    if not transfer_number:
        raise ApiError(400, "pc_transfer_number_invalid", "Missing")
    staying = _party_of(pbx, call, transfer_number, "pc_transfer_number_invalid")
    if from_number:
        _party_of(pbx, call, from_number, "pc_transfer_from_number_invalid")
    pbx.voicemails.append(
        {
            "call_id": call.id,
            "extension": target,
            "caller_number": staying.number,
            "caller_name": staying.name,
            "time": now().isoformat(),
        }
    )
    # The docs do not say how such a call ends. A ringing call that lands in
    # voicemail is what a ring-out does, so it ends as NOANSWER.
    return pbx.hangup(call, None if call.connected else HANGUP_NOANSWER)


def pickup(pbx: Pbx, call: SimCall, extension: str) -> list[CallEvent]:
    """Another local extension takes a ringing call; return the events.

    The picker becomes the callee and answers; the call keeps its id. The
    extension that rang gets a hangup with ANSWER: the call was answered,
    just not by it.
    """
    if call.connected is not None:
        raise ValueError(f"call {call.id} was answered: it can no longer be picked up")
    if not isinstance(extension, str) or not extension:
        raise ValueError("pickup needs the extension that takes the call")
    number = pbx.normalize(extension)
    if number not in pbx.extensions:
        raise KeyError(f"unknown extension {extension!r}")
    if call.party(number) is not None:
        raise ValueError(f"{number} already takes part in call {call.id}")
    events: list[CallEvent] = []
    if call.callee.local:
        events.append(pbx.hangup_event(call, call.callee, HANGUP_ANSWER))
    call.close_leg()
    call.callee = pbx.party(number)
    return events + pbx.answer(call)


def _check_number(pbx: Pbx, value: Any, code: str) -> str:
    """Validate a phone number parameter and return it normalized."""
    if not isinstance(value, str) or not is_valid_number(value.strip()):
        raise ApiError(400, code, "Missing or invalid phone number")
    return pbx.normalize(value)


def _party_of(pbx: Pbx, call: SimCall, number: Any, code: str) -> Party:
    """Return the party of the call with this number or raise ``code``."""
    party = call.party(_check_number(pbx, number, code))
    if party is None:
        raise ApiError(400, code, "Not a party of the call")
    return party


def _other_party(
    pbx: Pbx, call: SimCall, leaving: Party, transfer_number: Any
) -> Party:
    """Return the party being transferred (given or the other one)."""
    code = "pc_transfer_number_invalid"
    if transfer_number is None or transfer_number == "":
        return call.callee if leaving is call.caller else call.caller
    staying = _party_of(pbx, call, transfer_number, code)
    if staying is leaving:
        raise ApiError(400, code, "The transferred party cannot transfer")
    return staying
