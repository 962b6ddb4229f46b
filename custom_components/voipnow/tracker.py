"""Call events from the PBX's listings, each delivered once.

The PBX's listing is the only truth: a call, its answer and its end are
events when a listing shows them. Callbacks are hints that anyone with the
webhook URL could forge: they wake a listing (see the coordinator) and may
add two things to a call a listing showed: when it arrived (`first_seen`)
and, for a hangup whose `CallID` is the id the listing gave the call, how
the call ended. A call no listing shows produces nothing at all. The tracker
remembers which events each call of each extension has had, so an event
fires once, and a call that vanished while nobody was looking still ends
(`ended`, or `missed` for an incoming call nobody answered).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Final

from .api import SubscriptionEventType
from .call_event import CallEvent, CallEventType
from .calls import CallbackHint, ExtensionCallState
from .const import CallDirection
from .tracked_call import TrackedCall

# Ended calls remembered (by count): a late listing must not revive one.
_ENDED_MEMORY: Final = 1024
# Calls remembered per extension (the oldest go first).
MAX_TRACKED_CALLS: Final = 50
# Callbacks waiting for a listing to confirm them (a flood drops the oldest).
MAX_PENDING_HINTS: Final = 100
# A callback's arrival is a call's `first_seen` if it came at most this much
# before the listing (not one kept through an outage).
HINT_LEAD: Final = timedelta(seconds=30)

# Which call events each kind of callback announces.
_HERALDS: Final = {
    SubscriptionEventType.DIAL_IN: frozenset({CallEventType.INCOMING_CALL}),
    SubscriptionEventType.DIAL_OUT: frozenset({CallEventType.OUTGOING_CALL}),
    SubscriptionEventType.ANSWER_IN: frozenset({CallEventType.ANSWERED}),
    SubscriptionEventType.ANSWER_OUT: frozenset({CallEventType.ANSWERED}),
    SubscriptionEventType.HANGUP: frozenset(
        {CallEventType.ENDED, CallEventType.MISSED}
    ),
}


@dataclass(slots=True)
class _Pending:
    """A callback waiting for a listing; `due` once a listing began after it."""

    hint: CallbackHint
    due: bool = False

    def heralds(self, extension: str, kind: CallEventType) -> bool:
        """Tell whether this callback may have announced this event."""
        hint = self.hint
        return hint.extension in (None, extension) and (
            hint.event_type is None or kind in _HERALDS[hint.event_type]
        )


@dataclass(slots=True)
class CallTracker:
    """Remember the calls of every extension and turn listings into events."""

    _calls: dict[str, list[TrackedCall]] = field(default_factory=dict)
    _ended: OrderedDict[tuple[str, str], None] = field(default_factory=OrderedDict)
    _pending: list[_Pending] = field(default_factory=list)
    seeded: bool = False
    # Calls forgotten because an extension had too many (see MAX_TRACKED_CALLS).
    dropped: int = 0
    # Callbacks no listing confirmed (forged, doubled, or of calls too short
    # for any listing to show).
    unconfirmed: int = 0

    def _remember_end(self, extension: str, tracked: TrackedCall) -> None:
        """Keep an ended call's id so a late listing does not revive it."""
        if tracked.phone_call_id:
            self._ended[(extension, tracked.phone_call_id)] = None
        while len(self._ended) > _ENDED_MEMORY:
            self._ended.popitem(last=False)

    def _has_ended(self, extension: str, call_id: str | None) -> bool:
        """Tell whether this call of the extension is known to have ended."""
        return bool(call_id) and (extension, call_id or "") in self._ended

    def note_callback(self, hint: CallbackHint) -> None:
        """Keep a callback until a listing confirms it or shows it was nothing.

        A hangup's status is kept on the call whose listed id it names; any
        other id, or none, changes no call.
        """
        if hint.end_status is not None and hint.call_id:
            for extension, tracked in self._calls.items():
                if hint.extension not in (None, extension):
                    continue
                for known in tracked:
                    if known.phone_call_id == hint.call_id:
                        known.end_status = hint.end_status
        self._pending.append(_Pending(hint))
        if len(self._pending) > MAX_PENDING_HINTS:
            del self._pending[0]
            self.unconfirmed += 1

    def listing_begins(self) -> None:
        """Note that a listing is sent: it will show what earlier callbacks said."""
        for pending in self._pending:
            pending.due = True

    def _herald(
        self, extension: str, kind: CallEventType, call_id: str
    ) -> CallbackHint | None:
        """Take the callback that announced this event, if one did.

        One naming the call's listed id first, then any that may have.
        """
        fits = [p for p in self._pending if p.heralds(extension, kind)]
        found = next((p for p in fits if p.hint.call_id == call_id), None)
        if found is None and fits:
            found = fits[0]
        if found is None:
            return None
        self._pending.remove(found)
        return found.hint

    def observe_poll(
        self,
        states: Mapping[str, ExtensionCallState],
        listed: Mapping[str, bool],
    ) -> list[CallEvent]:
        """Compare a fresh listing with what is known; the listing is the truth.

        `listed` maps every listed call id to whether anyone answered it. The
        first listing after setup only learns the calls in progress: a
        restart must not announce them as new. Callbacks the listing
        confirms mark its events `heralded`; those a listing sent after them
        does not confirm are dropped.
        """
        events: list[CallEvent] = []
        announce = self.seeded
        self.seeded = True
        for extension in set(self._calls) | set(states):
            tracked = self._calls.get(extension, [])
            by_id = {known.phone_call_id: known for known in tracked}
            state = states.get(extension)
            still: list[TrackedCall] = []
            for call in state.calls if state else ():
                if self._has_ended(extension, call.phone_call_id):
                    continue
                known = by_id.pop(call.phone_call_id, None)
                if known is None:
                    known = TrackedCall(call=call)
                    if announce:
                        events.append(self._start_event(extension, known))
                was_answered = known.answered
                known.merge(call)
                if call.answered and not was_answered:
                    known.answered = True
                    if announce:
                        kind = CallEventType.ANSWERED
                        hint = self._herald(extension, kind, call.phone_call_id)
                        events.append(
                            known.event(extension, kind, heralded=hint is not None)
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
                    events.extend(self._end_events(extension, gone, listed))
            self._set_calls(extension, still)
        due = [pending for pending in self._pending if pending.due]
        self.unconfirmed += len(due)
        self._pending = [pending for pending in self._pending if not pending.due]
        return events

    def _start_event(self, extension: str, known: TrackedCall) -> CallEvent:
        """Announce a call a listing shows for the first time."""
        kind = _start(known.call.direction)
        hint = self._herald(extension, kind, known.phone_call_id)
        if hint is not None and known.first_seen - hint.arrived <= HINT_LEAD:
            # The callback came first: that is when the call was first seen.
            known.first_seen = min(known.first_seen, hint.arrived)
        return known.event(extension, kind, heralded=hint is not None)

    def _end_events(
        self, extension: str, gone: TrackedCall, listed: Mapping[str, bool]
    ) -> list[CallEvent]:
        """Build the events of a call the extension no longer shows."""
        # A hangup callback heralds `ended` and `missed` alike.
        hint = self._herald(extension, CallEventType.ENDED, gone.phone_call_id)
        return gone.end(
            extension,
            listed.get(gone.phone_call_id, False),
            heralded=hint is not None,
        )

    @staticmethod
    def _keep_waiting(gone: TrackedCall, listed: Mapping[str, bool]) -> bool:
        """Tell whether a call this extension no longer shows may not have ended.

        An incoming call nobody answered that the PBX still lists under other
        parties (a ring group moving on, a transfer) is followed until
        someone answers it or it ends, so that `missed` means nobody took it.
        """
        return (
            gone.call.direction is CallDirection.INCOMING
            and not gone.answered
            and not gone.handled
            and listed.get(gone.phone_call_id) is False
        )

    def _set_calls(self, extension: str, calls: list[TrackedCall]) -> None:
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

    def mark_handled(self, extension: str, call_id: str) -> None:
        """Note that Home Assistant moved a call away or ended it: not missed."""
        for tracked in self._calls.get(extension, ()):
            if tracked.phone_call_id == call_id:
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
