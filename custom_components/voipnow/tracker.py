"""Call events from two sources, each delivered once.

Push callbacks say at once that a call rings, is answered or ends; polling
sees the same calls a little later, and is the only source when callbacks are
lost. The tracker remembers which events each call of each extension has had,
so an event is fired by whichever source sees it first and never twice, and a
call that vanished while nobody was looking still ends (`ended`, or `missed`
for an incoming call nobody answered).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .calls import ExtensionCall, ExtensionCallState
from .const import (
    ATTR_CALLER_ID,
    ATTR_CALLER_NAME,
    ATTR_DIRECTION,
    ATTR_PHONE_CALL_ID,
    ATTR_REMOTE_NUMBER,
    CallDirection,
)

# Ended calls are remembered this long (by count), so that a poll racing a
# hangup callback does not bring the call back to life.
_ENDED_MEMORY = 256


class CallEventType(StrEnum):
    """The call events automations see."""

    INCOMING_CALL = "incoming_call"
    OUTGOING_CALL = "outgoing_call"
    ANSWERED = "answered"
    MISSED = "missed"
    ENDED = "ended"


@dataclass(frozen=True, slots=True, kw_only=True)
class CallEvent:
    """One event of one call of one extension."""

    extension: str
    type: CallEventType
    phone_call_id: str | None
    direction: CallDirection
    remote_number: str | None
    caller_id: str | None
    caller_name: str | None

    def as_dict(self) -> dict[str, Any]:
        """Return the event data automations get."""
        return {
            ATTR_PHONE_CALL_ID: self.phone_call_id,
            ATTR_DIRECTION: self.direction.value,
            ATTR_REMOTE_NUMBER: self.remote_number,
            ATTR_CALLER_ID: self.caller_id,
            ATTR_CALLER_NAME: self.caller_name,
        }


@dataclass(slots=True, kw_only=True, eq=False)
class _Tracked:
    """What the tracker knows of one call of one extension (compared by identity)."""

    phone_call_id: str | None
    direction: CallDirection
    remote_number: str | None = None
    caller_id: str | None = None
    caller_name: str | None = None
    answered: bool = False
    # Home Assistant sent this call elsewhere (a transfer): not missed.
    handled: bool = False
    # The CallID callbacks used for this call, once one did.
    push_id: str | None = None
    # A poll listed this call; until then its only id is push's CallID.
    polled: bool = False
    # Polls that did not list this call although push announced it.
    misses: int = 0

    def event(self, extension: str, kind: CallEventType) -> CallEvent:
        """Build an event of this call."""
        return CallEvent(
            extension=extension,
            type=kind,
            phone_call_id=self.phone_call_id,
            direction=self.direction,
            remote_number=self.remote_number,
            caller_id=self.caller_id,
            caller_name=self.caller_name,
        )

    def end(self, extension: str) -> CallEvent:
        """Build the last event of this call: missed or ended."""
        missed = (
            self.direction is CallDirection.INCOMING
            and not self.answered
            and not self.handled
        )
        return self.event(
            extension, CallEventType.MISSED if missed else CallEventType.ENDED
        )

    def merge(self, call: ExtensionCall) -> None:
        """Take what a poll knows better (id, numbers) into the tracked call."""
        self.phone_call_id = call.phone_call_id
        self.polled = True
        self.misses = 0
        self.remote_number = call.remote_number or self.remote_number
        self.caller_id = call.caller_id or self.caller_id
        self.caller_name = call.caller_name or self.caller_name

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
    # reference leaves it open). Until it is known, a call is matched by
    # direction or by being the extension's only call.
    ids_match: bool = False

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

    def observe_poll(self, states: Mapping[str, ExtensionCallState]) -> list[CallEvent]:
        """Compare a fresh poll with what is known; the poll is the truth.

        The first poll after setup only learns the calls in progress: a
        restart must not announce them as new. A call only push announced is
        given one more poll before it counts as gone, because a poll sent
        just before the call began can be answered just after its callback.
        """
        events: list[CallEvent] = []
        announce = self.seeded
        self.seeded = True
        for extension in set(self._calls) | set(states):
            tracked = self._calls.setdefault(extension, [])
            state = states.get(extension)
            current = list(state.calls) if state else []
            still: list[_Tracked] = []
            for call in current:
                if self._has_ended(extension, call.phone_call_id):
                    continue
                known = next(
                    (t for t in tracked if t.known_as(call.phone_call_id)), None
                )
                if known is not None and known.push_id == call.phone_call_id:
                    self.ids_match = True
                if known is None and not self.ids_match:
                    # A call push announced under another id: adopt it.
                    known = next(
                        (
                            t
                            for t in tracked
                            if not t.polled
                            and t.direction is call.direction
                            and t not in still
                        ),
                        None,
                    )
                if known is None:
                    known = _Tracked(
                        phone_call_id=call.phone_call_id, direction=call.direction
                    )
                    known.merge(call)
                    if announce:
                        events.append(known.event(extension, _start(call.direction)))
                else:
                    known.merge(call)
                if call.answered and not known.answered:
                    known.answered = True
                    if announce:
                        events.append(known.event(extension, CallEventType.ANSWERED))
                still.append(known)
            for gone in tracked:
                if gone in still:
                    continue
                if not gone.polled and not gone.misses:
                    gone.misses += 1
                    still.append(gone)
                    continue
                self._remember_end(extension, gone)
                if announce:
                    events.append(gone.end(extension))
            if still:
                self._calls[extension] = still
            else:
                self._calls.pop(extension, None)
        return events

    def observe_push(
        self,
        extension: str,
        kind: CallEventType,
        *,
        phone_call_id: str | None,
        direction: CallDirection,
        remote_number: str | None,
        caller_name: str | None,
        caller_id: str | None,
    ) -> list[CallEvent]:
        """Record a callback; return the event unless it was already seen.

        A hangup is passed as `ENDED`; it becomes `MISSED` for an incoming call
        that was never answered.
        """
        tracked = self._calls.setdefault(extension, [])
        known = next((t for t in tracked if t.known_as(phone_call_id)), None)
        if known is not None and known.polled and known.push_id is None:
            # A poll listed the call under the id this callback uses.
            self.ids_match = True
        starts = kind in (CallEventType.INCOMING_CALL, CallEventType.OUTGOING_CALL)
        if known is None and not starts:
            known = self._only_call(tracked, phone_call_id)
        if known is not None and known.push_id is None:
            known.push_id = phone_call_id
        if starts:
            if known is not None or self._has_ended(extension, phone_call_id):
                self._drop_if_empty(extension)
                return []
            known = self._new_pushed(
                phone_call_id, direction, remote_number, caller_name, caller_id
            )
            tracked.append(known)
            return [known.event(extension, kind)]
        if known is None:
            if self._has_ended(extension, phone_call_id):
                self._drop_if_empty(extension)
                return []
            # A call we never saw start (for example during a restart).
            known = self._new_pushed(
                phone_call_id, direction, remote_number, caller_name, caller_id
            )
            tracked.append(known)
        if kind is CallEventType.ANSWERED:
            if known.answered:
                return []
            known.answered = True
            return [known.event(extension, kind)]
        # Hangup: missed or ended, decided by what the tracker knows.
        tracked.remove(known)
        self._drop_if_empty(extension)
        self._remember_end(extension, known)
        return [known.end(extension)]

    def _only_call(
        self, tracked: list[_Tracked], phone_call_id: str | None
    ) -> _Tracked | None:
        """Return the call an answer or hangup under an unknown id must mean.

        Only while callbacks' ids are not known to be the PhoneCall ids, and
        only when the extension has a single call no callback named yet.
        """
        if self.ids_match and phone_call_id:
            return None
        unnamed = [t for t in tracked if t.push_id is None or not phone_call_id]
        return unnamed[0] if len(tracked) == 1 and unnamed else None

    @staticmethod
    def _new_pushed(
        phone_call_id: str | None,
        direction: CallDirection,
        remote_number: str | None,
        caller_name: str | None,
        caller_id: str | None,
    ) -> _Tracked:
        """Start tracking a call a callback announced."""
        return _Tracked(
            phone_call_id=phone_call_id,
            push_id=phone_call_id,
            direction=direction,
            remote_number=remote_number,
            caller_name=caller_name,
            caller_id=caller_id,
        )

    def _drop_if_empty(self, extension: str) -> None:
        """Forget an extension that has no call left."""
        if not self._calls.get(extension):
            self._calls.pop(extension, None)

    def mark_handled(self, extension: str, call_id: str) -> None:
        """Note that a call was transferred on purpose: it ends, it is not missed."""
        for tracked in self._calls.get(extension, ()):
            if tracked.known_as(call_id):
                tracked.handled = True

    def tracked_calls(self, extension: str) -> int:
        """Return how many calls of the extension are being tracked."""
        return len(self._calls.get(extension, ()))


def _start(direction: CallDirection) -> CallEventType:
    """Return the first event of a call in this direction."""
    if direction is CallDirection.INCOMING:
        return CallEventType.INCOMING_CALL
    return CallEventType.OUTGOING_CALL
