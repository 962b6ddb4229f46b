"""The simulated PBX's bookkeeping: extensions, subscriptions, calls and events."""

from __future__ import annotations

import itertools
import secrets
import string
import time
from typing import Any

from .cdr import CdrRecord, record_of_call
from .model import (
    EVENT_ANSWER_IN,
    EVENT_ANSWER_OUT,
    EVENT_DIAL_IN,
    EVENT_DIAL_OUT,
    EVENT_HANGUP,
    FAILURE_STATUSES,
    HANGUP_ANSWER,
    HANGUP_BUSY,
    HANGUP_CANCEL,
    HANGUP_NOANSWER,
    HANGUP_STATUSES,
    STATUS_RINGING,
    CallEvent,
    Extension,
    Party,
    SimCall,
    Subscription,
    known_number,
    now,
)
from .modes import Modes
from .queues import QueueBook

ALPHANUMERIC = string.ascii_letters + string.digits


class Pbx:
    """The simulated PBX: extensions, calls, voicemails and subscriptions."""

    def __init__(self, org_prefix: str, modes: Modes | None = None) -> None:
        """Create an empty PBX whose extensions use the organization prefix."""
        self.org_prefix = org_prefix
        self.modes = modes or Modes()
        self.extensions: dict[str, Extension] = {}
        self.calls: dict[str, SimCall] = {}
        self.ended_ids: set[str] = set()
        self.voicemails: list[dict[str, Any]] = []
        self.subscriptions: dict[str, Subscription] = {}
        self.events: list[CallEvent] = []
        # Call history: one record per ended call, in the order they ended.
        self.cdr: list[CdrRecord] = []
        self.queue_book = QueueBook(org_prefix, self.extensions, self.modes)
        self._next_sub_id = 1
        # Asterisk-like unique ids ("1717171717.42") for callbacks' CallID.
        self._channel_ids = itertools.count(1)

    # ----------------------------------------------------------- extensions
    def normalize(self, number: str) -> str:
        """Map a short extension number (``210``) to its extended form."""
        number = str(number).strip()
        return known_number(number, self.org_prefix, self.extensions) or number

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
        if number in self.queue_book.queues:
            raise ValueError(f"{number} is a queue")
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

    # -------------------------------------------------------------- ids
    def new_id(self, taken: set[str] | dict[str, Any]) -> str:
        """Return a fresh Object-Id: 20 hex digits, or 200-255 characters."""
        while True:
            if self.modes.long_ids:
                size = 200 + secrets.randbelow(56)
                new = "".join(secrets.choice(ALPHANUMERIC) for _ in range(size))
            else:
                new = secrets.token_hex(10)
            if new not in taken:
                return new

    # ---------------------------------------------------------------- calls
    def calls_of(self, extensions: list[str]) -> list[SimCall]:
        """Return the calls of these extensions: a party or the one charged."""
        wanted = set(extensions)
        return [
            c
            for c in self.calls.values()
            if wanted & {*c.local_extensions, c.extension}
        ]

    def get_call(self, call_id: str) -> SimCall:
        """Return a current call or raise KeyError."""
        return self.calls[call_id]

    def new_call(
        self,
        caller: Party,
        callee: Party,
        did: str = "",
        charged: str = "",
        *,
        caller_first: bool = False,
    ) -> tuple[SimCall, list[CallEvent]]:
        """Create a ringing call; return it with dial-out and dial-in events.

        ``caller_first`` (a MakeCall from a local extension) rings the
        caller's own phone; the callee is dialled when it answers.
        """
        call_id = self.new_id(self.ended_ids | set(self.calls))
        channel = f"{int(time.time())}.{next(self._channel_ids)}"
        call = SimCall(call_id, caller, callee, callback_id=channel, did=did)
        call.charged = charged
        if caller_first and caller.local:
            call.caller_ringing_at = call.published
        self.calls[call_id] = call
        events: list[CallEvent] = []
        if caller.local:
            events.append(self.event(EVENT_DIAL_OUT, caller.number, call, "CALLING"))
        if callee.local and call.caller_ringing_at is None:
            events.append(self.event(EVENT_DIAL_IN, callee.number, call, "CALLING"))
        return call, events

    def answer_caller(self, call: SimCall) -> list[CallEvent]:
        """The caller's phone answers a MakeCall: now the callee is dialled."""
        if call.caller_ringing_at is None:
            raise ValueError(f"call {call.id} does not ring its caller")
        call.caller_answered_at = now()
        call.caller_ringing_at = None
        call.ringing_at = call.caller_answered_at
        call.ringing_since = time.monotonic()
        if not call.callee.local:
            return []
        return [self.event(EVENT_DIAL_IN, call.callee.number, call, "CALLING")]

    def answer(self, call: SimCall) -> list[CallEvent]:
        """Answer a ringing call; return answer events (3 callee, 4 caller)."""
        if call.connected is not None:
            return []
        if call.caller_ringing_at is not None:
            raise ValueError(f"call {call.id}: its caller has not answered yet")
        call.connected = now()
        call.answered = call.answered or call.connected
        events: list[CallEvent] = []
        if call.callee.local:
            events.append(
                self.event(EVENT_ANSWER_IN, call.callee.number, call, "ANSWER")
            )
        if call.caller.local:
            events.append(
                self.event(EVENT_ANSWER_OUT, call.caller.number, call, "ANSWER")
            )
        return events

    def hangup(self, call: SimCall, status: str | None = None) -> list[CallEvent]:
        """End a call; return a hangup event for each local party.

        ``status`` is how the call ended (None: ANSWER if the present callee
        answered, else CANCEL: the caller gave up while it rang).
        """
        if status is not None and status not in HANGUP_STATUSES:
            raise ValueError(f"unknown hangup status {status!r}")
        final = self.end_status(call, status)
        events = [self.hangup_event(call, p, final) for p in call.parties() if p.local]
        self.end(call, status)
        return events

    def reject(self, call: SimCall) -> list[CallEvent]:
        """The callee refuses a ringing call (BUSY)."""
        self._require_ringing(call)
        return self.hangup(call, HANGUP_BUSY)

    def ring_out(self, call: SimCall) -> list[CallEvent]:
        """Nobody answers a ringing call until it gives up (NOANSWER)."""
        self._require_ringing(call)
        return self.hangup(call, HANGUP_NOANSWER)

    def fail(self, call: SimCall, status: str) -> list[CallEvent]:
        """The call fails in the network (CONGESTION or CHANUNAVAIL)."""
        if status not in FAILURE_STATUSES:
            raise ValueError(f"a failure is one of {sorted(FAILURE_STATUSES)}")
        return self.hangup(call, status)

    def end_status(self, call: SimCall, status: str | None) -> str:
        """Return the CallStatus a hangup reports in the present mode."""
        if self.modes.hangup_status == "legacy":
            # Older servers only tell an answered call from anything else.
            return HANGUP_ANSWER if call.was_answered else "UNKNOWN"
        if status is not None:
            return status
        return HANGUP_ANSWER if call.connected is not None else HANGUP_CANCEL

    def set_hold(self, call: SimCall, extension: str | None, on_hold: bool) -> None:
        """Put the call on hold (by ``extension``, if known) or take it off."""
        call.held_at = now() if on_hold else None
        call.held_by = extension if on_hold else None

    def end(self, call: SimCall, status: str | None = None) -> None:
        """Forget a call, remembering its id as ended, and write its CDR record.

        ``status`` is how it really ended (the record ignores the legacy
        callbacks' ANSWER/UNKNOWN); None means ANSWER if answered, else CANCEL.
        """
        if self.calls.pop(call.id, None) is not None:
            self.cdr.append(record_of_call(call, status, now()))
        self.ended_ids.add(call.id)

    def hangup_event(self, call: SimCall, party: Party, status: str) -> CallEvent:
        """Build the hangup event of one local party."""
        return self.event(EVENT_HANGUP, party.number, call, status)

    def event(
        self, event_type: int, extension: str, call: SimCall, status: str
    ) -> CallEvent:
        """Build and log an event with the callback parameters of the call."""
        modes = self.modes
        caller, callee = call.caller, call.callee
        params = {
            "CallID": call.id
            if modes.callback_call_ids == "same"
            else call.callback_id,
            "CallerIDNum": caller.number,
            modes.caller_name_param: caller.name,
            "CalledDID": call.did,
            "CalledExtension": callee.number if callee.local else "",
            "CallerExtension": caller.number if caller.local else "",
            "CalledNumber": callee.number,
            # IN unless the extension is the one that called.
            "CallFlow": "OUT" if extension == caller.number else "IN",
            "CallStatus": status,
        }
        event = CallEvent(event_type, extension, params)
        self.events.append(event)
        return event

    @staticmethod
    def _require_ringing(call: SimCall) -> None:
        """Refuse an operation that only a ringing call allows."""
        if call.connected is not None:
            raise ValueError(f"call {call.id} was answered: it no longer rings")

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
        if self.modes.long_ids:
            sub_id = self.new_id(self.subscriptions)
        else:
            sub_id = str(self._next_sub_id)
            self._next_sub_id += 1
        sub = Subscription(sub_id, extension, event_type, method, url, status, note)
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
