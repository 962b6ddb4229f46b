"""Unit tests of the CallTracker: call events from push and poll, each once."""

from __future__ import annotations

from dataclasses import replace

import pytest

from custom_components.voipnow.calls import ExtensionCall, ExtensionCallState, summarise
from custom_components.voipnow.const import CallDirection, CallState
from custom_components.voipnow.tracker import CallEvent, CallEventType, CallTracker

OFFICE = "0003*210"
KITCHEN = "0003*211"

RINGING = ExtensionCall(
    phone_call_id="call-1",
    view_id="01",
    state=CallState.RINGING,
    direction=CallDirection.INCOMING,
    remote_number="5551234",
    caller_id="John Doe <5551234>",
    caller_name="John Doe",
    answered=False,
)
ANSWERED = replace(RINGING, state=CallState.ON_CALL, answered=True)
DIALING = ExtensionCall(
    phone_call_id="call-2",
    view_id="00",
    state=CallState.DIALING,
    direction=CallDirection.OUTGOING,
    remote_number="5559876",
    caller_id="<5559876>",
    caller_name=None,
    answered=False,
)


def poll(**calls: tuple[ExtensionCall, ...]) -> dict[str, ExtensionCallState]:
    """Build a poll's states: `office=(...)`, `kitchen=(...)`; others are idle."""
    numbers = {"office": OFFICE, "kitchen": KITCHEN}
    states = {number: summarise(()) for number in numbers.values()}
    for name, listed in calls.items():
        states[numbers[name]] = summarise(listed)
    return states


def types(events: list[CallEvent]) -> list[str]:
    """Return the event types, in order."""
    return [event.type.value for event in events]


def push(
    tracker: CallTracker,
    kind: CallEventType,
    call_id: str | None = "call-1",
    *,
    extension: str = OFFICE,
    direction: CallDirection = CallDirection.INCOMING,
) -> list[CallEvent]:
    """Feed one callback of an incoming call from John Doe."""
    return tracker.observe_push(
        extension,
        kind,
        phone_call_id=call_id,
        direction=direction,
        remote_number="5551234",
        caller_name="John Doe",
        caller_id="John Doe <5551234>",
    )


@pytest.fixture
def tracker() -> CallTracker:
    """Return a tracker that has seen a first, empty poll."""
    tracker = CallTracker()
    assert tracker.observe_poll(poll()) == []
    return tracker


def test_first_poll_learns_without_announcing() -> None:
    """Calls already in progress at startup are learned, not announced."""
    tracker = CallTracker()

    assert tracker.observe_poll(poll(office=(ANSWERED,), kitchen=(DIALING,))) == []
    assert tracker.tracked_calls(OFFICE) == 1

    # Nothing new while they last; their end is announced.
    assert tracker.observe_poll(poll(office=(ANSWERED,), kitchen=(DIALING,))) == []
    assert types(push(tracker, CallEventType.ANSWERED)) == []
    assert types(tracker.observe_poll(poll())) == ["ended", "ended"]


def test_polled_incoming_call_answered_and_ended(tracker: CallTracker) -> None:
    """Polling alone announces ring, answer and end, each once."""
    events = tracker.observe_poll(poll(office=(RINGING,)))
    assert types(events) == ["incoming_call"]
    assert events[0].as_dict() == {
        "phone_call_id": "call-1",
        "direction": "incoming",
        "remote_number": "5551234",
        "caller_id": "John Doe <5551234>",
        "caller_name": "John Doe",
    }
    assert events[0].extension == OFFICE
    assert tracker.observe_poll(poll(office=(RINGING,))) == []

    assert types(tracker.observe_poll(poll(office=(ANSWERED,)))) == ["answered"]
    assert tracker.observe_poll(poll(office=(ANSWERED,))) == []

    assert types(tracker.observe_poll(poll())) == ["ended"]
    assert tracker.tracked_calls(OFFICE) == 0


def test_polled_call_seen_answered_at_once(tracker: CallTracker) -> None:
    """A call first seen already answered announces both its start and answer."""
    assert types(tracker.observe_poll(poll(office=(ANSWERED,)))) == [
        "incoming_call",
        "answered",
    ]


def test_polled_unanswered_call_is_missed(tracker: CallTracker) -> None:
    """An incoming call that vanishes unanswered is missed."""
    tracker.observe_poll(poll(office=(RINGING,)))

    assert types(tracker.observe_poll(poll())) == ["missed"]


def test_polled_outgoing_call(tracker: CallTracker) -> None:
    """An outgoing call starts and ends, never missed."""
    events = tracker.observe_poll(poll(kitchen=(DIALING,)))
    assert types(events) == ["outgoing_call"]
    assert events[0].direction is CallDirection.OUTGOING

    assert types(tracker.observe_poll(poll())) == ["ended"]


def test_push_first_then_poll_delivers_once(tracker: CallTracker) -> None:
    """Events push delivered are not repeated by the polls that follow."""
    assert types(push(tracker, CallEventType.INCOMING_CALL)) == ["incoming_call"]
    assert tracker.observe_poll(poll(office=(RINGING,))) == []

    assert types(push(tracker, CallEventType.ANSWERED)) == ["answered"]
    assert tracker.observe_poll(poll(office=(ANSWERED,))) == []

    assert types(push(tracker, CallEventType.ENDED)) == ["ended"]
    assert tracker.observe_poll(poll()) == []
    assert tracker.tracked_calls(OFFICE) == 0


def test_poll_first_then_push_delivers_once(tracker: CallTracker) -> None:
    """Callbacks arriving after a poll saw the same change fire nothing."""
    assert types(tracker.observe_poll(poll(office=(RINGING,)))) == ["incoming_call"]
    assert push(tracker, CallEventType.INCOMING_CALL) == []

    assert types(tracker.observe_poll(poll(office=(ANSWERED,)))) == ["answered"]
    assert push(tracker, CallEventType.ANSWERED) == []

    assert types(tracker.observe_poll(poll())) == ["ended"]
    assert push(tracker, CallEventType.ENDED) == []
    assert tracker.tracked_calls(OFFICE) == 0


def test_duplicate_callbacks_fire_once(tracker: CallTracker) -> None:
    """A callback delivered twice fires its event once."""
    assert types(push(tracker, CallEventType.INCOMING_CALL)) == ["incoming_call"]
    assert push(tracker, CallEventType.INCOMING_CALL) == []
    assert types(push(tracker, CallEventType.ANSWERED)) == ["answered"]
    assert push(tracker, CallEventType.ANSWERED) == []
    assert types(push(tracker, CallEventType.ENDED)) == ["ended"]
    assert push(tracker, CallEventType.ENDED) == []
    assert push(tracker, CallEventType.INCOMING_CALL) == []
    assert tracker.tracked_calls(OFFICE) == 0


def test_pushed_ring_then_hangup_is_missed(tracker: CallTracker) -> None:
    """An incoming call hung up before anyone answered is missed."""
    push(tracker, CallEventType.INCOMING_CALL)

    events = push(tracker, CallEventType.ENDED)

    assert types(events) == ["missed"]
    assert events[0].caller_name == "John Doe"


def test_poll_racing_a_hangup_does_not_revive_the_call(tracker: CallTracker) -> None:
    """A poll answered just before a hangup callback does not bring the call back."""
    tracker.observe_poll(poll(office=(RINGING,)))
    assert types(push(tracker, CallEventType.ENDED)) == ["missed"]

    assert tracker.observe_poll(poll(office=(RINGING,))) == []
    assert tracker.tracked_calls(OFFICE) == 0
    assert tracker.observe_poll(poll()) == []


def test_poll_older_than_a_ring_callback_does_not_end_the_call(
    tracker: CallTracker,
) -> None:
    """A poll sent before a call began does not end the call push just announced."""
    assert types(push(tracker, CallEventType.INCOMING_CALL)) == ["incoming_call"]

    # The poll was answered before the call existed.
    assert tracker.observe_poll(poll()) == []
    assert tracker.tracked_calls(OFFICE) == 1

    # The call is there after all: nothing new, and push goes on as usual.
    assert tracker.observe_poll(poll(office=(RINGING,))) == []
    assert types(push(tracker, CallEventType.ANSWERED)) == ["answered"]


def test_pushed_call_no_poll_ever_lists_ends_after_two_polls(
    tracker: CallTracker,
) -> None:
    """A pushed call that two polls do not list ended (its hangup was lost)."""
    push(tracker, CallEventType.INCOMING_CALL)

    assert tracker.observe_poll(poll()) == []
    assert types(tracker.observe_poll(poll())) == ["missed"]
    assert push(tracker, CallEventType.ENDED) == []


def test_hangup_of_unknown_call(tracker: CallTracker) -> None:
    """A hangup of a call never seen (say, during a restart) still ends it."""
    assert types(push(tracker, CallEventType.ENDED)) == ["missed"]
    assert types(
        push(
            tracker,
            CallEventType.ENDED,
            "call-9",
            direction=CallDirection.OUTGOING,
        )
    ) == ["ended"]
    assert tracker.tracked_calls(OFFICE) == 0


def test_answer_of_unknown_call(tracker: CallTracker) -> None:
    """An answer of a call never seen is announced, and its hangup is `ended`."""
    assert types(push(tracker, CallEventType.ANSWERED)) == ["answered"]
    assert types(push(tracker, CallEventType.ENDED)) == ["ended"]


def test_callback_ids_other_than_phone_call_ids(tracker: CallTracker) -> None:
    """Push's CallID may differ from the PhoneCall id: calls are still matched."""
    assert types(push(tracker, CallEventType.INCOMING_CALL, "push-1")) == [
        "incoming_call"
    ]
    # The poll lists the call under its own id: adopted, not announced again.
    assert tracker.observe_poll(poll(office=(RINGING,))) == []

    events = push(tracker, CallEventType.ANSWERED, "push-1")
    assert types(events) == ["answered"]
    assert events[0].phone_call_id == "call-1"
    assert tracker.observe_poll(poll(office=(ANSWERED,))) == []

    # The poll sees the end first; the late hangup callback is not repeated.
    assert types(tracker.observe_poll(poll())) == ["ended"]
    assert push(tracker, CallEventType.ENDED, "push-1") == []


def test_callback_under_unknown_id_means_the_only_call(tracker: CallTracker) -> None:
    """Until ids are known to match, an answer names the extension's only call."""
    tracker.observe_poll(poll(office=(RINGING,)))

    events = push(tracker, CallEventType.ANSWERED, "push-1")

    assert types(events) == ["answered"]
    assert events[0].phone_call_id == "call-1"
    assert types(push(tracker, CallEventType.ENDED, "push-1")) == ["ended"]
    assert tracker.tracked_calls(OFFICE) == 0


def test_matching_ids_stop_guessing(tracker: CallTracker) -> None:
    """Once CallID proved to be the PhoneCall id, an unknown id is another call."""
    push(tracker, CallEventType.INCOMING_CALL)
    tracker.observe_poll(poll(office=(RINGING,)))  # same id: ids match
    push(tracker, CallEventType.ENDED)
    tracker.observe_poll(poll())

    # A new call only polling saw; a hangup of yet another call arrives.
    ringing = replace(RINGING, phone_call_id="call-3")
    assert types(tracker.observe_poll(poll(office=(ringing,)))) == ["incoming_call"]
    assert types(push(tracker, CallEventType.ENDED, "call-4")) == ["missed"]

    # call-3 still rings, and is not adopted by a pushed call either.
    assert tracker.tracked_calls(OFFICE) == 1
    assert types(push(tracker, CallEventType.INCOMING_CALL, "call-5")) == [
        "incoming_call"
    ]
    other = replace(RINGING, phone_call_id="call-6")
    assert types(tracker.observe_poll(poll(office=(ringing, other)))) == [
        "incoming_call"
    ]


def test_ids_learned_from_a_callback_after_a_poll(tracker: CallTracker) -> None:
    """A callback naming a polled call by its id proves ids match."""
    tracker.observe_poll(poll(office=(RINGING,)))
    assert push(tracker, CallEventType.INCOMING_CALL) == []

    # Another call's hangup no longer ends this one.
    assert types(push(tracker, CallEventType.ENDED, "call-7")) == ["missed"]
    assert tracker.tracked_calls(OFFICE) == 1


def test_named_call_is_not_guessed_for_another_id(tracker: CallTracker) -> None:
    """A call a callback already named is not taken for a callback of another id."""
    push(tracker, CallEventType.INCOMING_CALL, "push-1")

    assert types(push(tracker, CallEventType.ENDED, "push-2")) == ["missed"]
    assert tracker.tracked_calls(OFFICE) == 1


def test_callbacks_without_call_id(tracker: CallTracker) -> None:
    """Callbacks without a CallID are matched to the extension's only call."""
    assert types(push(tracker, CallEventType.INCOMING_CALL, None)) == ["incoming_call"]
    assert types(push(tracker, CallEventType.ANSWERED, None)) == ["answered"]
    assert types(push(tracker, CallEventType.ENDED, None)) == ["ended"]
    assert tracker.tracked_calls(OFFICE) == 0


def test_extensions_are_tracked_apart(tracker: CallTracker) -> None:
    """The same call seen by two extensions is an event for each."""
    assert types(push(tracker, CallEventType.INCOMING_CALL)) == ["incoming_call"]
    assert types(
        push(
            tracker,
            CallEventType.OUTGOING_CALL,
            extension=KITCHEN,
            direction=CallDirection.OUTGOING,
        )
    ) == ["outgoing_call"]
    assert [event.extension for event in push(tracker, CallEventType.ENDED)] == [OFFICE]
    assert tracker.tracked_calls(KITCHEN) == 1


def test_ended_calls_are_remembered_for_a_while(tracker: CallTracker) -> None:
    """Only the latest 256 ended calls are remembered."""
    for number in range(257):
        push(tracker, CallEventType.ENDED, f"old-{number}")

    assert push(tracker, CallEventType.INCOMING_CALL, "old-256") == []
    assert types(push(tracker, CallEventType.INCOMING_CALL, "old-0")) == [
        "incoming_call"
    ]


def test_calls_alike_are_still_different_calls(tracker: CallTracker) -> None:
    """Two calls without ids and with the same caller are two calls."""
    push(tracker, CallEventType.INCOMING_CALL, None)
    push(tracker, CallEventType.INCOMING_CALL, None)
    assert tracker.tracked_calls(OFFICE) == 2

    # A poll sent before both began; the next one lists neither.
    assert tracker.observe_poll(poll()) == []
    assert types(tracker.observe_poll(poll())) == ["missed", "missed"]
