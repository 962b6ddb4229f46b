"""Turn what the PBX says about calls into what each extension is doing.

Pure functions, no Home Assistant state: the coordinator, the entities, the
actions and the call events all read the same `ExtensionCall`, whether it
comes from a listing (`call_states`); a callback is only a `CallbackHint`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from .api import (
    MAX_NUMBER,
    CallEndStatus,
    CallEventPayload,
    CallFlow,
    CallStatus,
    PhoneCall,
    PhoneCallView,
    SubscriptionEventType,
    clean_text,
    format_caller_id,
    same_extension,
    short_extension,
    split_caller_id,
)
from .const import CallDirection, CallState

# Where a caller's name comes from (the `caller_name_source` attribute).
PHONEBOOK = "phonebook"
PBX = "pbx"

# "The most advanced call wins" when an extension has several calls.
_DIAL_OF_FLOW = {
    "IN": SubscriptionEventType.DIAL_IN,
    "OUT": SubscriptionEventType.DIAL_OUT,
}
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
    # The other party's caller id; never the extension's own.
    caller_id: str | None
    caller_name: str | None
    # This extension answered (its own view did, not merely someone).
    answered: bool
    # Someone else answered this incoming call (a ring group, a pickup).
    answered_elsewhere: bool = False
    # While on hold: whether this extension is the one that put it on hold.
    held_by_extension: bool | None = None
    # Where `caller_name` comes from: `phonebook`, `pbx`, or None (no name).
    caller_name_source: str | None = None
    # The extension's view carries the documented `parked` / `recording` dates.
    parked: bool = False
    recording: bool = False


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


@dataclass(frozen=True, slots=True, kw_only=True)
class CallbackHint:
    """What a callback may tell: never a call, only what to ask a listing about.

    Anyone who has the webhook URL can post one, so it names no caller and
    changes no state: it wakes a listing, its arrival time is the call's
    `first_seen`, and a hangup's status refines the outcome of the call the
    listing gave exactly this id.
    """

    # One of the entry's extensions, when the callback says which.
    extension: str | None
    # None when neither the URL nor the body says which event this is.
    event_type: SubscriptionEventType | None
    call_id: str | None
    arrived: datetime
    # How the call ended, for a hangup.
    end_status: CallEndStatus | None = None


def view_state(view: PhoneCallView, direction: CallDirection) -> CallState:
    """Map one view's status (or, when unknown, its dates) to the sensor's state."""
    if view.status is CallStatus.ON_CALL:
        return CallState.ON_HOLD if view.on_hold else CallState.ON_CALL
    if view.status is CallStatus.RINGING:
        # On the caller's own view of a call it places (a call made through
        # the API rings the caller's phone first), the phone rings to place
        # a call, not to offer one: the extension is dialing.
        if direction is CallDirection.OUTGOING:
            return CallState.DIALING
        return CallState.RINGING
    if view.status in (
        CallStatus.OFF_HOOK,
        CallStatus.TRYING,
        CallStatus.OTHER_SIDE_RINGING,
    ):
        return CallState.DIALING
    # Status unknown: fall back on the dates the view carries.
    if view.on_hold:
        return CallState.ON_HOLD
    if view.is_answered:
        return CallState.ON_CALL
    if view.ringing and direction is CallDirection.INCOMING:
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
            return clean_text(number, MAX_NUMBER) or None
    if direction is CallDirection.INCOMING:
        return view.caller_number
    return None


def extension_call(
    call: PhoneCall, view: PhoneCallView, extension: str
) -> ExtensionCall:
    """Describe one call from one extension's point of view.

    `callerId` is the caller's presented id on every view (the resource
    page's example shows it on both): on an outgoing call it is the
    extension's own, so it describes the other party only when its number is
    the one dialled.
    """
    direction = _direction(view, extension)
    remote = _remote_number(view, extension, direction)
    name, number = split_caller_id(view.caller_id)
    if direction is CallDirection.INCOMING:
        remote = remote or number
        other = True
    else:
        other = number is not None and number == remote
    state = view_state(view, direction)
    return ExtensionCall(
        phone_call_id=call.id,
        view_id=view.id or None,
        state=state,
        direction=direction,
        remote_number=remote,
        caller_id=format_caller_id(name, number) if other else None,
        caller_name=name if other else None,
        answered=view.is_answered,
        answered_elsewhere=direction is CallDirection.INCOMING
        and not view.is_answered
        and call.answered is not None,
        held_by_extension=view.holder if state is CallState.ON_HOLD else None,
        parked=view.parked,
        recording=view.recording,
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


def named_call(
    call: ExtensionCall, name_of: Callable[[str | None], str | None]
) -> ExtensionCall:
    """Give a call the phonebook's name of its other party; the PBX's stays in `caller_id`."""
    if call.caller_name_source is not None:
        return call
    if (name := name_of(call.remote_number)) is not None:
        return replace(call, caller_name=name, caller_name_source=PHONEBOOK)
    return replace(call, caller_name_source=PBX) if call.caller_name else call


def named_states(
    states: Mapping[str, ExtensionCallState],
    name_of: Callable[[str | None], str | None],
) -> dict[str, ExtensionCallState]:
    """Name the other party of every call of every extension."""
    return {
        number: summarise(named_call(call, name_of) for call in state.calls)
        if state.calls
        else state
        for number, state in states.items()
    }


def callback_hint(
    extension: str | None,
    event_type: SubscriptionEventType | None,
    payload: CallEventPayload,
    arrived: datetime,
) -> CallbackHint:
    """Keep of a callback only what a listing can confirm.

    Without the subscription's marker, a `CallStatus` other than CALLING
    says it is a hangup, and CALLING with `CallFlow` a dial in or out.
    """
    if event_type is None:
        if payload.end_status is not None:
            event_type = SubscriptionEventType.HANGUP
        elif payload.calling and payload.flow in _DIAL_OF_FLOW:
            event_type = _DIAL_OF_FLOW[payload.flow]
    return CallbackHint(
        extension=extension,
        event_type=event_type,
        call_id=payload.call_id,
        arrived=arrived,
        end_status=payload.end_status
        if event_type is SubscriptionEventType.HANGUP
        else None,
    )
