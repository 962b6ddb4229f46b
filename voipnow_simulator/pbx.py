"""The simulated PBX's bookkeeping: extensions, calls, subscriptions and events."""

from __future__ import annotations

import secrets
import time
from typing import Any

from .model import (
    EVENT_ANSWER_IN,
    EVENT_ANSWER_OUT,
    EVENT_DIAL_IN,
    EVENT_DIAL_OUT,
    EVENT_HANGUP,
    STATUS_RINGING,
    ApiError,
    CallEvent,
    Extension,
    Party,
    SimCall,
    Subscription,
    is_valid_number,
    now,
)


class Pbx:
    """The simulated PBX: extensions, calls, voicemails and subscriptions."""

    def __init__(self, org_prefix: str) -> None:
        """Create an empty PBX whose extensions use the organization prefix."""
        self.org_prefix = org_prefix
        self.extensions: dict[str, Extension] = {}
        self.calls: dict[str, SimCall] = {}
        self.ended_ids: set[str] = set()
        self.voicemails: list[dict[str, Any]] = []
        self.subscriptions: dict[str, Subscription] = {}
        self.events: list[CallEvent] = []
        self._next_sub_id = 1

    # ----------------------------------------------------------- extensions
    def normalize(self, number: str) -> str:
        """Map a short extension number (``210``) to its extended form."""
        number = str(number).strip()
        if number in self.extensions:
            return number
        extended = f"{self.org_prefix}*{number}"
        if "*" not in number and extended in self.extensions:
            return extended
        return number

    def is_local(self, number: str) -> bool:
        """Tell whether a number is (an alias of) one of the extensions."""
        return self.normalize(number) in self.extensions

    def party(self, number: str, name: str = "") -> Party:
        """Build a party; local extensions get their configured name."""
        number = self.normalize(number)
        ext = self.extensions.get(number)
        if ext is not None:
            return Party(number, name or ext.name, local=True)
        return Party(number, name, local=False)

    def add_extension(self, number: str, name: str, registered: bool) -> Extension:
        """Add (or replace) an extension."""
        ext = Extension(number=number, name=name, registered=registered)
        self.extensions[number] = ext
        return ext

    def remove_extension(self, number: str) -> None:
        """Remove an extension and drop its subscriptions."""
        number = self.normalize(number)
        self.extensions.pop(number, None)
        for sub_id in [s.id for s in self.subscriptions.values()]:
            if self.subscriptions[sub_id].extension == number:
                del self.subscriptions[sub_id]

    def presence_status(self, number: str) -> int:
        """Return 0 unknown/offline, 1 online, 2 ringing, 3 busy."""
        ext = self.extensions[number]
        status = 1 if ext.registered else 0
        for call in self.calls.values():
            view = call.view_of(number)
            if view is None:
                continue
            status = max(status, 2) if view.status == STATUS_RINGING else 3
        return status

    # ---------------------------------------------------------------- calls
    def calls_of(self, extensions: list[str]) -> list[SimCall]:
        """Return the calls with a view of any of these extensions."""
        wanted = set(extensions)
        return [c for c in self.calls.values() if wanted & set(c.local_extensions)]

    def get_call(self, call_id: str) -> SimCall:
        """Return a current call or raise KeyError."""
        return self.calls[call_id]

    def new_call(
        self, caller: Party, callee: Party, did: str = ""
    ) -> tuple[SimCall, list[CallEvent]]:
        """Create a ringing call; return it with dial-out and dial-in events."""
        call_id = secrets.token_hex(10)
        while call_id in self.calls or call_id in self.ended_ids:
            call_id = secrets.token_hex(10)
        call = SimCall(id=call_id, caller=caller, callee=callee, did=did)
        self.calls[call_id] = call
        events: list[CallEvent] = []
        if caller.local:
            events.append(self._event(EVENT_DIAL_OUT, caller.number, call, "CALLING"))
        if callee.local:
            events.append(self._event(EVENT_DIAL_IN, callee.number, call, "CALLING"))
        return call, events

    def answer(self, call: SimCall) -> list[CallEvent]:
        """Answer a ringing call; return answer events (3 callee, 4 caller)."""
        if call.answered is not None:
            return []
        call.answered = now()
        call.was_answered = True
        events: list[CallEvent] = []
        if call.callee.local:
            events.append(
                self._event(EVENT_ANSWER_IN, call.callee.number, call, "ANSWER")
            )
        if call.caller.local:
            events.append(
                self._event(EVENT_ANSWER_OUT, call.caller.number, call, "ANSWER")
            )
        return events

    def hangup(self, call: SimCall) -> list[CallEvent]:
        """Remove a call; return a hangup event for each local party."""
        events = [self._hangup_event(call, p) for p in call.parties() if p.local]
        self._end(call)
        return events

    def set_hold(self, call: SimCall, extension: str | None, on_hold: bool) -> None:
        """Put the view of one extension (or all local views) on or off hold."""
        targets = [extension] if extension else call.local_extensions
        for number in targets:
            if on_hold:
                call.on_hold.add(number)
            else:
                call.on_hold.discard(number)

    def transfer(
        self,
        call: SimCall,
        send_call_to: str,
        from_number: str,
        transfer_number: str | None,
    ) -> list[CallEvent]:
        """Blind-transfer the other party to ``send_call_to``; return events."""
        target = self._check_number(send_call_to, "pc_sendcallto_invalid")
        if "*" in target and target not in self.extensions:
            raise ApiError(400, "pc_sendcallto_invalid", "Unknown extension")
        leaving = self._party_of(call, from_number, "pc_transfer_from_number_invalid")
        staying = self._other_party(call, leaving, transfer_number)
        if target in (staying.number, leaving.number):
            raise ApiError(400, "pc_sendcallto_invalid", "Already in the call")
        events: list[CallEvent] = []
        if leaving.local:
            events.append(self._hangup_event(call, leaving))
        new_callee = self.party(target)
        call.caller, call.callee = staying, new_callee
        call.on_hold.clear()
        call.did = ""
        if new_callee.local:
            call.answered = None
            call.ringing_since = time.monotonic()
            events.append(self._event(EVENT_DIAL_IN, target, call, "CALLING"))
        elif staying.local:
            call.answered = call.answered or now()
        else:
            self._end(call)
        return events

    def transfer_to_voicemail(
        self,
        call: SimCall,
        send_call_to: str,
        from_number: str | None,
        transfer_number: str | None,
    ) -> list[CallEvent]:
        """Send a party of the call to an extension's voicemail; return events."""
        target = self.normalize(str(send_call_to or ""))
        if target not in self.extensions:
            raise ApiError(400, "pc_sendcallto_invalid", "Not a phone terminal")
        if not transfer_number:
            raise ApiError(400, "pc_transfer_number_invalid", "Missing")
        staying = self._party_of(call, transfer_number, "pc_transfer_number_invalid")
        if from_number:
            self._party_of(call, from_number, "pc_transfer_from_number_invalid")
        self.voicemails.append(
            {
                "call_id": call.id,
                "extension": target,
                "caller_number": staying.number,
                "caller_name": staying.name,
                "time": now().isoformat(),
            }
        )
        return self.hangup(call)

    def _check_number(self, value: Any, code: str) -> str:
        """Validate a phone number parameter and return it normalized."""
        if not isinstance(value, str) or not is_valid_number(value.strip()):
            raise ApiError(400, code, "Missing or invalid phone number")
        return self.normalize(value)

    def _party_of(self, call: SimCall, number: Any, code: str) -> Party:
        """Return the party of the call with this number or raise ``code``."""
        normalized = self._check_number(number, code)
        party = call.party(normalized)
        if party is None:
            raise ApiError(400, code, "Not a party of the call")
        return party

    def _other_party(
        self, call: SimCall, leaving: Party, transfer_number: str | None
    ) -> Party:
        """Return the party being transferred (given or the other one)."""
        code = "pc_transfer_number_invalid"
        if transfer_number is None or transfer_number == "":
            return call.callee if leaving is call.caller else call.caller
        staying = self._party_of(call, transfer_number, code)
        if staying is leaving:
            raise ApiError(400, code, "The transferred party cannot transfer")
        return staying

    def _end(self, call: SimCall) -> None:
        """Forget a call, remembering its id as ended."""
        self.calls.pop(call.id, None)
        self.ended_ids.add(call.id)

    def _hangup_event(self, call: SimCall, party: Party) -> CallEvent:
        """Build the hangup event of one local party."""
        status = "ANSWER" if call.was_answered else "UNKNOWN"
        return self._event(EVENT_HANGUP, party.number, call, status)

    def _event(
        self, event_type: int, extension: str, call: SimCall, status: str
    ) -> CallEvent:
        """Build and log an event; the flow is IN unless the extension called."""
        flow_in = extension != call.caller.number
        event = CallEvent(event_type, extension, call.event_params(flow_in, status))
        self.events.append(event)
        return event

    # -------------------------------------------------------- subscriptions
    def add_subscription(
        self,
        extension: str,
        event_type: int,
        method: int,
        url: str,
        status: int,
        note: str | None,
    ) -> Subscription:
        """Create a subscription with a new unique id."""
        sub = Subscription(
            str(self._next_sub_id), extension, event_type, method, url, status, note
        )
        self._next_sub_id += 1
        self.subscriptions[sub.id] = sub
        return sub

    def subscriptions_for(
        self, extensions: list[str], event_type: int | None = None
    ) -> list[Subscription]:
        """Return subscriptions of these extensions, optionally of one type."""
        return [
            s
            for s in self.subscriptions.values()
            if s.extension in extensions and event_type in (None, s.type)
        ]
