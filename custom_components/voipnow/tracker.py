"""Call events from two sources, each delivered once.

The PBX's listing is the truth; callbacks are hints. A callback may announce
a call at once (the listing then confirms it or not) and may say how a call
ended, but it cannot end, answer or hide a call the PBX still lists: an
answer or hangup is only remembered, and the next listing decides. The
tracker remembers which events each call of each extension has had, so an
event fires once, and a call that vanished while nobody was looking still
ends (`ended`, or `missed` for an incoming call nobody answered) with the
best `outcome` known.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Final

from homeassistant.util import dt as dt_util

from .api import CallEndStatus, SubscriptionEventType
from .call_event import CallEvent, CallEventType
from .calls import ExtensionCall, ExtensionCallState, PushedCall
from .const import CallDirection, CallOutcome

# Ended calls are remembered this long (by count), so that a poll racing a
# hangup callback does not bring the call back to life.
_ENDED_MEMORY: Final = 1024
# Calls remembered per extension: while the PBX cannot be listed, callbacks
# could otherwise announce calls without bound (the oldest go first).
MAX_TRACKED_CALLS: Final = 50

_OUTCOME_OF_STATUS: Final = {
    CallEndStatus.ANSWER: CallOutcome.ANSWERED,
    CallEndStatus.BUSY: CallOutcome.BUSY,
    CallEndStatus.NOANSWER: CallOutcome.NO_ANSWER,
    CallEndStatus.CANCEL: CallOutcome.CANCELLED,
    CallEndStatus.CONGESTION: CallOutcome.FAILED,
    CallEndStatus.CHANUNAVAIL: CallOutcome.FAILED,
    CallEndStatus.UNKNOWN: CallOutcome.UNKNOWN,
}
_TAKEN = frozenset({CallOutcome.ANSWERED, CallOutcome.ANSWERED_ELSEWHERE})


@dataclass(slots=True, kw_only=True, eq=False)
class _Tracked:
    """What the tracker knows of one call of one extension (compared by identity)."""

    call: ExtensionCall
    first_seen: datetime = field(default_factory=dt_util.utcnow)
    # This extension answered (the `answered` event was fired).
    answered: bool = False
    # A listing showed the call answered, but not by this extension.
    elsewhere: bool = False
    # Home Assistant sent this call elsewhere or hung it up: not missed.
    handled: bool = False
    # The CallID callbacks used for this call, once one did.
    push_id: str | None = None
    # A listing showed this call; until then its only id is push's CallID.
    polled: bool = False
    # Listings that did not show a call only push announced.
    misses: int = 0
    # What callbacks said: an answer arrived, how the call ended.
    answer_said: bool = False
    end_status: CallEndStatus | None = None

    @property
    def phone_call_id(self) -> str:
        """The listing's id once known, else the callback's."""
        return self.call.phone_call_id

    def event(
        self,
        extension: str,
        kind: CallEventType,
        outcome: CallOutcome | None = None,
        *,
        heralded: bool = False,
    ) -> CallEvent:
        """Build an event of this call."""
        call = self.call
        return CallEvent(
            extension=extension,
            type=kind,
            phone_call_id=call.phone_call_id or None,
            direction=call.direction,
            remote_number=call.remote_number,
            caller_id=call.caller_id,
            caller_name=call.caller_name,
            caller_name_source=call.caller_name_source,
            first_seen=self.first_seen,
            outcome=outcome,
            heralded=heralded,
        )

    def end(self, extension: str, answered_now: bool) -> list[CallEvent]:
        """Build the last events of this call: maybe `answered`, then the end.

        `answered_now` says the listing shows the call answered by someone
        while this extension no longer takes part.
        """
        outcome = self.outcome(answered_now)
        heralded = self.end_status is not None
        events: list[CallEvent] = []
        if outcome is CallOutcome.ANSWERED and not self.answered:
            # The answer was never listed, but a callback says the call was
            # answered: it was, before it ended.
            events.append(
                self.event(extension, CallEventType.ANSWERED, heralded=heralded)
            )
        missed = (
            self.call.direction is CallDirection.INCOMING
            and outcome not in _TAKEN
            and not self.handled
        )
        kind = CallEventType.MISSED if missed else CallEventType.ENDED
        events.append(self.event(extension, kind, outcome, heralded=heralded))
        return events

    def outcome(self, answered_now: bool) -> CallOutcome:
        """Tell how the call ended for this extension, from all that is known."""
        if self.answered:
            return CallOutcome.ANSWERED
        if self.elsewhere or answered_now:
            return CallOutcome.ANSWERED_ELSEWHERE
        if self.answer_said:
            return CallOutcome.ANSWERED
        if self.end_status is None:
            return CallOutcome.UNKNOWN
        return _OUTCOME_OF_STATUS[self.end_status]

    def merge(self, call: ExtensionCall) -> None:
        """Take what a listing knows better (id, numbers) into the tracked call."""
        old = self.call
        self.call = replace(
            call,
            remote_number=call.remote_number or old.remote_number,
            caller_id=call.caller_id or old.caller_id,
            caller_name=call.caller_name or old.caller_name,
            caller_name_source=call.caller_name_source
            if call.caller_name
            else old.caller_name_source,
        )
        self.polled = True
        self.misses = 0
        self.elsewhere = self.elsewhere or call.answered_elsewhere

    def known_as(self, call_id: str | None) -> bool:
        """Tell whether the PBX or a callback named this call `call_id`."""
        return bool(call_id) and call_id in (self.phone_call_id, self.push_id)


@dataclass(slots=True)
class CallTracker:
    """Remember the calls of every extension and turn changes into events."""

    _calls: dict[str, list[_Tracked]] = field(default_factory=dict)
    _ended: OrderedDict[tuple[str, str], None] = field(default_factory=OrderedDict)
    seeded: bool = False
    # Whether callbacks' CallID turned out to be the PhoneCall id (the API
    # reference leaves it open). Until it is known, a listed call is matched
    # to a call only push announced by its direction.
    ids_match: bool = False
    # Calls forgotten because an extension had too many (see MAX_TRACKED_CALLS).
    dropped: int = 0

    def _remember_end(self, extension: str, tracked: _Tracked) -> None:
        """Keep an ended call's ids so a late poll or callback does not revive it."""
        for call_id in {tracked.phone_call_id, tracked.push_id}:
            if call_id:
                self._ended[(extension, call_id)] = None
        while len(self._ended) > _ENDED_MEMORY:
            self._ended.popitem(last=False)

    def _has_ended(self, extension: str, call_id: str | None) -> bool:
        """Tell whether this call of the extension is known to have ended."""
        return bool(call_id) and (extension, call_id or "") in self._ended

    def observe_poll(
        self,
        states: Mapping[str, ExtensionCallState],
        listed: Mapping[str, bool],
    ) -> list[CallEvent]:
        """Compare a fresh listing with what is known; the listing is the truth.

        `listed` maps every listed call id to whether anyone answered it. The
        first listing after setup only learns the calls in progress: a
        restart must not announce them as new. A call only push announced is
        given one more listing before it counts as gone (a listing sent just
        before the call began can be answered just after its callback),
        unless its hangup was called back.
        """
        events: list[CallEvent] = []
        announce = self.seeded
        self.seeded = True
        for extension in set(self._calls) | set(states):
            tracked = self._calls.get(extension, [])
            state = states.get(extension)
            still: list[_Tracked] = []
            for call in state.calls if state else ():
                known = self._match(extension, tracked, still, call)
                if known is None:
                    continue
                if announce and known not in tracked:
                    events.append(known.event(extension, _start(call.direction)))
                was_answered = known.answered
                known.merge(call)
                if call.answered and not was_answered:
                    known.answered = True
                    if announce:
                        events.append(
                            known.event(
                                extension,
                                CallEventType.ANSWERED,
                                heralded=known.answer_said,
                            )
                        )
                still.append(known)
            for gone in tracked:
                if gone in still:
                    continue
                if self._keep_waiting(gone, listed):
                    still.append(gone)
                    continue
                self._remember_end(extension, gone)
                if announce:
                    events.extend(
                        gone.end(extension, listed.get(gone.phone_call_id, False))
                    )
            self._set_calls(extension, still)
        return events

    def _match(
        self,
        extension: str,
        tracked: list[_Tracked],
        still: list[_Tracked],
        call: ExtensionCall,
    ) -> _Tracked | None:
        """Find (or start) the tracked call a listed call is; None if it ended."""
        if self._has_ended(extension, call.phone_call_id):
            return None
        known = next((t for t in tracked if t.known_as(call.phone_call_id)), None)
        if known is not None and known.push_id == call.phone_call_id:
            self.ids_match = True
        if known is None and not self.ids_match:
            # A call push announced under another id: adopt it.
            known = next(
                (
                    t
                    for t in tracked
                    if not t.polled
                    and t.call.direction is call.direction
                    and t not in still
                ),
                None,
            )
        return known or _Tracked(call=call)

    @staticmethod
    def _keep_waiting(gone: _Tracked, listed: Mapping[str, bool]) -> bool:
        """Tell whether a call this extension no longer shows may not have ended.

        A call only push announced gets one more listing. An incoming call
        nobody answered that the PBX still lists under other parties (a ring
        group moving on, a transfer) is followed until someone answers it or
        it ends, so that `missed` means nobody took it.
        """
        if not gone.polled:
            if gone.end_status is None and not gone.misses:
                gone.misses += 1
                return True
            return False
        return (
            gone.call.direction is CallDirection.INCOMING
            and not gone.answered
            and not gone.handled
            and listed.get(gone.phone_call_id) is False
        )

    def _set_calls(self, extension: str, calls: list[_Tracked]) -> None:
        """Store an extension's calls, keeping at most MAX_TRACKED_CALLS."""
        if len(calls) > MAX_TRACKED_CALLS:
            self.dropped += len(calls) - MAX_TRACKED_CALLS
            for gone in calls[:-MAX_TRACKED_CALLS]:
                self._remember_end(extension, gone)
            calls = calls[-MAX_TRACKED_CALLS:]
        if calls:
            self._calls[extension] = calls
        else:
            self._calls.pop(extension, None)

    def observe_push(self, pushed: PushedCall) -> list[CallEvent]:
        """Record a callback; return the event of a call it announces.

        Only a call's start is an event at once. An answer or a hangup of a
        known call is remembered for the next listing to confirm; one without
        a `CallID`, or whose id names no known call, changes nothing.
        """
        extension = pushed.extension
        call_id = pushed.call.phone_call_id or None
        if call_id is None or self._has_ended(extension, call_id):
            return []
        tracked = self._calls.get(extension, [])
        known = next((t for t in tracked if t.known_as(call_id)), None)
        if known is not None and known.polled and known.push_id is None:
            # A listing showed the call under the id this callback uses.
            self.ids_match = True
        if pushed.starts:
            if known is not None:
                return []
            known = _Tracked(call=pushed.call, push_id=call_id)
            self._set_calls(extension, [*tracked, known])
            return [
                known.event(extension, _start(pushed.call.direction), heralded=True)
            ]
        if known is None:
            return []
        known.push_id = known.push_id or call_id
        if pushed.event_type is SubscriptionEventType.HANGUP:
            known.end_status = pushed.end_status or CallEndStatus.UNKNOWN
        else:
            known.answer_said = True
        return []

    def listing_id(self, extension: str, call_id: str) -> str:
        """Return the PhoneCall id of a call a callback named `call_id`, once known."""
        for tracked in self._calls.get(extension, ()):
            if tracked.known_as(call_id):
                return tracked.phone_call_id
        return call_id

    def mark_handled(self, extension: str, call_id: str) -> None:
        """Note that Home Assistant moved a call away or ended it: not missed."""
        for tracked in self._calls.get(extension, ()):
            if tracked.known_as(call_id):
                tracked.handled = True

    def take_dropped(self) -> int:
        """Return how many calls were forgotten since the last call, and reset."""
        dropped, self.dropped = self.dropped, 0
        return dropped


def _start(direction: CallDirection) -> CallEventType:
    """Return the first event of a call in this direction."""
    if direction is CallDirection.INCOMING:
        return CallEventType.INCOMING_CALL
    return CallEventType.OUTGOING_CALL
