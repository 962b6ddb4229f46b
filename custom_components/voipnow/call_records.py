"""Finished calls as each extension saw them, from the CDR or from call events.

Pure functions, no Home Assistant state: the history coordinator, its
entities, the `get_call_history` action and voice all read `HistoryCall`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from homeassistant.util import dt as dt_util

from .api import Disposition, PhoneCall, PhoneCallView, clean_text, short_extension
from .api.numbers import MAX_NAME, MAX_NUMBER
from .calls import extension_call
from .const import (
    ATTR_CALLER_NAME,
    ATTR_DIRECTION,
    ATTR_EXTENSION,
    ATTR_OUTCOME,
    ATTR_REMOTE_NUMBER,
    CallDirection,
    CallOutcome,
)

# "Missed": an incoming call nobody answered (the words of the call events).
MISSED_OUTCOMES: Final = frozenset(
    {
        CallOutcome.NO_ANSWER,
        CallOutcome.BUSY,
        CallOutcome.CANCELLED,
        CallOutcome.FAILED,
    }
)
_OUTCOME_OF_DISPOSITION: Final = {
    Disposition.ANSWERED: CallOutcome.ANSWERED,
    Disposition.BUSY: CallOutcome.BUSY,
    Disposition.FAILED: CallOutcome.FAILED,
    Disposition.NO_ANSWER: CallOutcome.NO_ANSWER,
    Disposition.UNKNOWN: CallOutcome.UNKNOWN,
    Disposition.NOT_ALLOWED: CallOutcome.FAILED,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoryCall:
    """One finished call as one extension saw it."""

    id: str
    extension: str
    started: datetime
    answered: datetime | None
    direction: CallDirection
    remote_number: str | None
    caller_name: str | None
    outcome: CallOutcome
    # Its event said `ended`: taken (here or elsewhere) or sent on by Home
    # Assistant, whatever its outcome; never a missed call.
    handled: bool = False

    @property
    def missed(self) -> bool:
        """Whether this was an incoming call nobody answered (nor sent elsewhere)."""
        return (
            self.direction is CallDirection.INCOMING
            and self.outcome in MISSED_OUTCOMES
            and not self.handled
        )

    def as_dict(self) -> dict[str, Any]:
        """Describe the call as the `get_call_history` action answers it."""
        return {
            "started": self.started.isoformat(),
            "answered": self.answered.isoformat() if self.answered else None,
            ATTR_EXTENSION: self.extension,
            ATTR_DIRECTION: self.direction.value,
            ATTR_REMOTE_NUMBER: self.remote_number,
            ATTR_CALLER_NAME: self.caller_name,
            ATTR_OUTCOME: self.outcome.value,
        }

    def to_store(self) -> dict[str, Any]:
        """Return what is kept across restarts."""
        return {**self.as_dict(), "id": self.id}

    @classmethod
    def from_store(cls, data: Mapping[str, Any]) -> HistoryCall | None:
        """Read a call kept across restarts; None if it cannot be read."""
        try:
            started = dt_util.parse_datetime(data["started"])
            answered = data.get("answered")
            if started is None:
                return None
            return cls(
                id=str(data["id"]),
                extension=str(data[ATTR_EXTENSION]),
                started=started,
                answered=dt_util.parse_datetime(answered) if answered else None,
                direction=CallDirection(data[ATTR_DIRECTION]),
                remote_number=data.get(ATTR_REMOTE_NUMBER),
                caller_name=data.get(ATTR_CALLER_NAME),
                outcome=CallOutcome(data[ATTR_OUTCOME]),
            )
        except (KeyError, TypeError, ValueError):
            return None


def history_calls(
    records: Iterable[PhoneCall],
    extensions: Iterable[str],
    name_of: Callable[[str | None], str | None] = lambda number: None,
) -> list[HistoryCall]:
    """Sort CDR records into the extensions by the parties of their views.

    A view names its party's `extension`; one without (the CDR Resource
    page's example) belongs to each of our extensions among its `source`
    and `destination`. A record without a start time cannot be placed in
    time and is skipped. The phonebook's name (`name_of`) wins over the
    PBX's.
    """
    listed = list(extensions)
    numbers = set(listed)
    by_short = {short_extension(number): number for number in listed}
    found: list[HistoryCall] = []
    for record in records:
        if (started := record.published) is None:
            continue
        seen: set[str] = set()
        for view in record.views:
            for extension in _view_extensions(view, numbers, by_short):
                if extension in seen:
                    continue
                seen.add(extension)
                found.append(_history_call(record, view, extension, started, name_of))
    return found


def _view_extensions(
    view: PhoneCallView, numbers: set[str], by_short: Mapping[str, str]
) -> list[str]:
    """Return our extensions a view belongs to, in the order it names them."""
    parties = [view.extension] if view.extension else [*view.source, *view.destination]
    extensions: list[str] = []
    for party in parties:
        extension = _extension_of(party, numbers, by_short)
        if extension is not None and extension not in extensions:
            extensions.append(extension)
    return extensions


def _history_call(
    record: PhoneCall,
    view: PhoneCallView,
    extension: str,
    started: datetime,
    name_of: Callable[[str | None], str | None],
) -> HistoryCall:
    """Describe one record as one of its parties saw it."""
    call = extension_call(record, view, extension)
    return HistoryCall(
        id=record.id,
        extension=extension,
        started=started,
        answered=view.answered or record.answered,
        direction=call.direction,
        remote_number=call.remote_number,
        caller_name=name_of(call.remote_number) or call.caller_name,
        outcome=_outcome(record, view.disposition, call.direction),
    )


def _extension_of(
    number: str | None, numbers: set[str], by_short: Mapping[str, str]
) -> str | None:
    """Return which of our extensions a view's extension names, if any."""
    if not number:
        return None
    if number in numbers:
        return number
    if "*" in number:
        return None
    return by_short.get(number)


def _outcome(
    record: PhoneCall, disposition: Disposition | None, direction: CallDirection
) -> CallOutcome:
    """Tell how a call ended for one party: its view's disposition first."""
    if disposition is None:
        return CallOutcome.ANSWERED if record.answered else CallOutcome.UNKNOWN
    outcome = _OUTCOME_OF_DISPOSITION[disposition]
    if (
        direction is CallDirection.INCOMING
        and record.answered is not None
        and outcome in (CallOutcome.NO_ANSWER, CallOutcome.UNKNOWN)
    ):
        # The call was answered, not by this party: a colleague took it.
        return CallOutcome.ANSWERED_ELSEWHERE
    return outcome


def event_call(data: Mapping[str, Any]) -> HistoryCall | None:
    """Read a finished call from a `voipnow_call_event` (`ended` or `missed`)."""
    try:
        started = dt_util.parse_datetime(data["first_seen"])
        outcome = CallOutcome(data.get(ATTR_OUTCOME) or CallOutcome.UNKNOWN)
        direction = CallDirection(data[ATTR_DIRECTION])
    except (KeyError, TypeError, ValueError):
        return None
    if started is None or not data.get("phone_call_id"):
        return None
    if data.get("type") == "missed" and outcome not in MISSED_OUTCOMES:
        # Home Assistant saw nobody answer; the PBX did not say how it ended.
        outcome = CallOutcome.NO_ANSWER
    return HistoryCall(
        id=str(data["phone_call_id"]),
        extension=str(data[ATTR_EXTENSION]),
        started=started,
        answered=None,
        direction=direction,
        remote_number=_clean(data.get(ATTR_REMOTE_NUMBER), MAX_NUMBER),
        caller_name=_clean(data.get(ATTR_CALLER_NAME), MAX_NAME),
        outcome=outcome,
        # Of an incoming call, only `missed` says nobody took it: an `ended`
        # one with such an outcome was sent on by Home Assistant.
        handled=data.get("type") == "ended",
    )


def _clean(value: Any, limit: int) -> str | None:
    """Clean a caller-chosen text once more before it is kept."""
    return clean_text(value, limit) or None if isinstance(value, str) else None


def same_call(live: HistoryCall, record: HistoryCall) -> bool:
    """Tell whether a call learnt from events is this CDR record.

    By id, or (callbacks may name a call by another id) by the other party
    and a start within two minutes.
    """
    if live.id == record.id:
        return True
    return (
        live.extension == record.extension
        and live.direction is record.direction
        and live.remote_number == record.remote_number
        and abs((live.started - record.started).total_seconds()) <= 120
    )
