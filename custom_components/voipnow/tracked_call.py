"""One call of one extension as the tracker knows it, and its events.

See `tracker`: the listing is the truth, a callback may only add when the
call arrived and how it ended.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Final

from homeassistant.util import dt as dt_util

from .api import CallEndStatus
from .call_event import CallEvent, CallEventType
from .calls import ExtensionCall
from .const import CallDirection, CallOutcome

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
class TrackedCall:
    """What the tracker knows of one call of one extension (compared by identity)."""

    call: ExtensionCall
    first_seen: datetime = field(default_factory=dt_util.utcnow)
    # This extension answered (the `answered` event was fired).
    answered: bool = False
    # A listing showed the call answered, but not by this extension.
    elsewhere: bool = False
    # Home Assistant sent this call elsewhere or hung it up: not missed.
    handled: bool = False
    # How the call ended, from a hangup callback naming the listing's id.
    end_status: CallEndStatus | None = None

    @property
    def phone_call_id(self) -> str:
        """The id the listing gave the call."""
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

    def end(
        self, extension: str, answered_now: bool, *, heralded: bool
    ) -> list[CallEvent]:
        """Build the last events of this call: maybe `answered`, then the end.

        `answered_now` says the listing shows the call answered by someone
        while this extension no longer takes part.
        """
        outcome = self.outcome(answered_now)
        events: list[CallEvent] = []
        if outcome is CallOutcome.ANSWERED and not self.answered:
            # The answer was never listed, but the hangup that named the
            # listing's id says the call was answered before it ended.
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
        if self.end_status is None:
            return CallOutcome.UNKNOWN
        return _OUTCOME_OF_STATUS[self.end_status]

    def merge(self, call: ExtensionCall) -> None:
        """Take the latest listing of the call (numbers a later one omits stay)."""
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
        self.elsewhere = self.elsewhere or call.answered_elsewhere
