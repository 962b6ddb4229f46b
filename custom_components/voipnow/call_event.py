"""A call event: what automations, the event entities and the logbook receive."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from .const import (
    ATTR_CALLER_ID,
    ATTR_CALLER_NAME,
    ATTR_CALLER_NAME_SOURCE,
    ATTR_DIRECTION,
    ATTR_FIRST_SEEN,
    ATTR_NUMBER_KIND,
    ATTR_OUTCOME,
    ATTR_PHONE_CALL_ID,
    ATTR_REMOTE_NUMBER,
    DOMAIN,
    CallDirection,
    CallOutcome,
)


def signal_entry_call_event(entry_id: str) -> str:
    """The dispatcher signal of every call event of an entry (the call history).

    The integration's own signals carry what it concluded; the bus event
    `voipnow_call_event` can also be fired by anyone allowed to fire events
    (the mobile app's `fire_event` webhook), so nothing counts it.
    """
    return f"{DOMAIN}_{entry_id}_call_events"


def signal_device_call_event(device_id: str) -> str:
    """The dispatcher signal of the call events of one extension's device (triggers)."""
    return f"{DOMAIN}_device_{device_id}_call_events"


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
    first_seen: datetime
    # Where `caller_name` comes from: `phonebook` or `pbx`.
    caller_name_source: str | None = None
    # How the call ended (`ended` and `missed` only).
    outcome: CallOutcome | None = None
    # A callback announced this (internal: tells whether push works).
    heralded: bool = False
    # What kind of number the other party's is (set as the event is delivered).
    number_kind: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the event data automations get."""
        data = {
            ATTR_PHONE_CALL_ID: self.phone_call_id,
            ATTR_DIRECTION: self.direction.value,
            ATTR_REMOTE_NUMBER: self.remote_number,
            ATTR_CALLER_ID: self.caller_id,
            ATTR_CALLER_NAME: self.caller_name,
            ATTR_CALLER_NAME_SOURCE: self.caller_name_source,
            ATTR_FIRST_SEEN: self.first_seen.isoformat(),
        }
        if self.outcome is not None:
            data[ATTR_OUTCOME] = self.outcome.value
        if self.number_kind is not None:
            data[ATTR_NUMBER_KIND] = self.number_kind
        return data
