"""Turn the PBX's list of calls into what each extension is doing.

Pure functions, no Home Assistant state: the coordinator, the entities, the
actions and the call events all read the same `ExtensionCallState`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .api import (
    CallFlow,
    CallStatus,
    PhoneCall,
    PhoneCallView,
    same_extension,
    short_extension,
    split_caller_id,
)
from .const import CallDirection, CallState

# "The most advanced call wins" when an extension has several calls.
_RANK = {
    CallState.IDLE: 0,
    CallState.DIALING: 1,
    CallState.RINGING: 2,
    CallState.ON_HOLD: 3,
    CallState.ON_CALL: 4,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class ExtensionCall:
    """One call as one extension sees it."""

    phone_call_id: str
    view_id: str | None
    state: CallState
    direction: CallDirection
    remote_number: str | None
    caller_id: str | None
    caller_name: str | None
    answered: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class ExtensionCallState:
    """What an extension is doing now: its leading call and how many it has."""

    state: CallState = CallState.IDLE
    call: ExtensionCall | None = None
    calls: tuple[ExtensionCall, ...] = ()

    @property
    def call_count(self) -> int:
        """Number of calls the extension takes part in."""
        return len(self.calls)


IDLE = ExtensionCallState()


def view_state(view: PhoneCallView) -> CallState:
    """Map one view's status to the sensor's state."""
    if view.status is CallStatus.ON_CALL:
        return CallState.ON_HOLD if view.on_hold else CallState.ON_CALL
    if view.status is CallStatus.RINGING:
        return CallState.RINGING
    if view.status in (
        CallStatus.OFF_HOOK,
        CallStatus.TRYING,
        CallStatus.OTHER_SIDE_RINGING,
    ):
        return CallState.DIALING
    # Status unknown: fall back on the flags the view carries.
    if view.on_hold:
        return CallState.ON_HOLD
    if view.is_answered:
        return CallState.ON_CALL
    if view.ringing:
        return CallState.RINGING
    return CallState.DIALING


def _direction(view: PhoneCallView, extension: str) -> CallDirection:
    """Tell whether the extension placed the call or is being called."""
    if any(same_extension(number, extension) for number in view.source):
        return CallDirection.OUTGOING
    if any(same_extension(number, extension) for number in view.destination):
        return CallDirection.INCOMING
    if view.flow is CallFlow.INCOMING_PUBLIC or view.status is CallStatus.RINGING:
        return CallDirection.INCOMING
    return CallDirection.OUTGOING


def _remote_number(
    view: PhoneCallView, extension: str, direction: CallDirection
) -> str | None:
    """Return the number of the other party."""
    parties = view.source if direction is CallDirection.INCOMING else view.destination
    for number in parties:
        if not same_extension(number, extension):
            return number
    if direction is CallDirection.INCOMING:
        return view.caller_number
    return None


def format_caller_id(name: str | None, number: str | None) -> str | None:
    """Write a caller id one way whatever the source: `Name <number>` or `number`."""
    if name and number:
        return f"{name} <{number}>"
    return number or name


def extension_call(
    call: PhoneCall, view: PhoneCallView, extension: str
) -> ExtensionCall:
    """Describe one call from one extension's point of view."""
    direction = _direction(view, extension)
    remote = _remote_number(view, extension, direction)
    name, number = split_caller_id(view.caller_id)
    caller_name = name if direction is CallDirection.INCOMING else None
    return ExtensionCall(
        phone_call_id=call.id,
        view_id=view.id or None,
        state=view_state(view),
        direction=direction,
        remote_number=remote
        or (number if direction is CallDirection.INCOMING else None),
        caller_id=format_caller_id(name, number) or view.caller_id,
        caller_name=caller_name,
        answered=view.is_answered or call.answered is not None,
    )


def extension_call_state(
    extension: str, calls: Iterable[PhoneCall]
) -> ExtensionCallState:
    """Summarise every call of one extension; the most advanced one leads."""
    seen: list[ExtensionCall] = []
    for call in calls:
        views = call.views_of(extension)
        if not views:
            continue
        # A call has one view per party; keep the extension's most advanced one.
        best = max(
            (extension_call(call, view, extension) for view in views),
            key=lambda item: _RANK[item.state],
        )
        seen.append(best)
    return summarise(seen)


def summarise(calls: Iterable[ExtensionCall]) -> ExtensionCallState:
    """Build an extension's state from its calls; the most advanced one leads."""
    seen = tuple(calls)
    if not seen:
        return IDLE
    lead = max(seen, key=lambda item: _RANK[item.state])
    return ExtensionCallState(state=lead.state, call=lead, calls=seen)


def call_states(
    extensions: Iterable[str], calls: Iterable[PhoneCall]
) -> dict[str, ExtensionCallState]:
    """Summarise the calls of every extension in one pass over the calls."""
    numbers = list(extensions)
    exact = {number: number for number in numbers}
    # `210` in a view names `0003*210`; a bare known `210` takes `0003*210` too.
    by_short: dict[str, str] = {}
    for number in numbers:
        by_short.setdefault(short_extension(number), number)
    by_extension: dict[str, list[PhoneCall]] = {number: [] for number in numbers}
    for call in calls:
        touched: set[str] = set()
        for view in call.views:
            if not view.extension:
                continue
            match = exact.get(view.extension) or by_short.get(
                short_extension(view.extension)
            )
            if match is not None and same_extension(match, view.extension):
                touched.add(match)
        for number in touched:
            by_extension[number].append(call)
    return {
        number: extension_call_state(number, by_extension[number]) for number in numbers
    }
