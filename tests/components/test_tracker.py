"""Unit tests of the CallTracker: the listing is the truth, callbacks are hints.

The same rules run end to end against the simulator in test_push.py and
test_event.py; here every combination of listing and callback is cheap.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from freezegun.api import FrozenDateTimeFactory
import pytest

from custom_components.voipnow.api import CallEndStatus, SubscriptionEventType
from custom_components.voipnow.call_event import CallEvent
from custom_components.voipnow.calls import (
    ExtensionCall,
    ExtensionCallState,
    PushedCall,
    summarise,
)
from custom_components.voipnow.const import CallDirection, CallOutcome, CallState
from custom_components.voipnow.tracker import MAX_TRACKED_CALLS, CallTracker

OFFICE = "0003*210"
KITCHEN = "0003*211"

RINGING = ExtensionCall(
    phone_call_id="call1",
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
    phone_call_id="call2",
    view_id="00",
    state=CallState.DIALING,
    direction=CallDirection.OUTGOING,
    remote_number="5559876",
    caller_id=None,
    caller_name=None,
    answered=False,
)


def poll(**calls: tuple[ExtensionCall, ...]) -> dict[str, ExtensionCallState]:
    """Build a listing's states: `office=(...)`, `kitchen=(...)`; others idle."""
    numbers = {"office": OFFICE, "kitchen": KITCHEN}
    states = {number: summarise(()) for number in numbers.values()}
    for name, listed in calls.items():
        states[numbers[name]] = summarise(listed)
    return states


def observe(
    tracker: CallTracker,
    listed: dict[str, bool] | None = None,
    **calls: tuple[ExtensionCall, ...],
) -> list[CallEvent]:
    """Feed a listing; `listed` defaults to the calls given, none answered elsewhere."""
    if listed is None:
        listed = {
            call.phone_call_id: call.answered
            for group in calls.values()
            for call in group
        }
    return tracker.observe_poll(poll(**calls), listed)


def types(events: list[CallEvent]) -> list[str]:
    """Return the event types, in order."""
    return [event.type.value for event in events]


def outcomes(events: list[CallEvent]) -> list[str | None]:
    """Return the events' outcomes, in order."""
    return [event.outcome.value if event.outcome else None for event in events]


def pushed(
    kind: SubscriptionEventType,
    call_id: str = "call1",
    *,
    extension: str = OFFICE,
    status: CallEndStatus | None = None,
    direction: CallDirection = CallDirection.INCOMING,
) -> PushedCall:
    """Build a callback of an incoming call from John Doe (or an outgoing one)."""
    call = RINGING if direction is CallDirection.INCOMING else DIALING
    return PushedCall(
        extension=extension,
        event_type=kind,
        call=replace(call, phone_call_id=call_id, view_id=None),
        end_status=status,
    )


DIAL_IN = SubscriptionEventType.DIAL_IN
DIAL_OUT = SubscriptionEventType.DIAL_OUT
ANSWER_IN = SubscriptionEventType.ANSWER_IN
HANGUP = SubscriptionEventType.HANGUP


@pytest.fixture
def tracker() -> CallTracker:
    """Return a tracker that has seen a first, empty listing."""
    tracker = CallTracker()
    assert observe(tracker) == []
    return tracker


def test_first_listing_learns_without_announcing() -> None:
    """Calls already in progress at startup are learned, not announced."""
    tracker = CallTracker()

    assert observe(tracker, office=(ANSWERED,), kitchen=(DIALING,)) == []
    assert observe(tracker, office=(ANSWERED,), kitchen=(DIALING,)) == []
    events = observe(tracker)
    assert types(events) == ["ended", "ended"]
    assert set(outcomes(events)) == {"answered", "unknown"}


def test_polled_incoming_call_answered_and_ended(
    tracker: CallTracker, freezer: FrozenDateTimeFactory
) -> None:
    """Listings alone announce ring, answer and end, each once."""
    freezer.move_to("2026-11-30 12:00:00+00:00")
    events = observe(tracker, office=(RINGING,))
    assert types(events) == ["incoming_call"]
    assert events[0].as_dict() == {
        "phone_call_id": "call1",
        "direction": "incoming",
        "remote_number": "5551234",
        "caller_id": "John Doe <5551234>",
        "caller_name": "John Doe",
        "caller_name_source": None,
        "first_seen": "2026-11-30T12:00:00+00:00",
    }
    assert events[0].extension == OFFICE
    assert observe(tracker, office=(RINGING,)) == []
    freezer.tick(60)
    assert types(observe(tracker, office=(ANSWERED,))) == ["answered"]
    assert observe(tracker, office=(ANSWERED,)) == []

    (ended,) = observe(tracker)
    assert ended.type.value == "ended"
    assert ended.as_dict()["outcome"] == "answered"
    # When Home Assistant first learnt of the call, not when it ended.
    assert ended.first_seen == datetime(2026, 11, 30, 12, tzinfo=UTC)


def test_polled_call_seen_answered_at_once(tracker: CallTracker) -> None:
    """A call first seen already answered announces both its start and answer."""
    assert types(observe(tracker, office=(ANSWERED,))) == ["incoming_call", "answered"]


def test_polled_unanswered_call_is_missed_with_unknown_outcome(
    tracker: CallTracker,
) -> None:
    """Without a callback, how an unanswered call ended is unknown."""
    observe(tracker, office=(RINGING,))

    events = observe(tracker)

    assert types(events) == ["missed"]
    assert outcomes(events) == ["unknown"]


def test_polled_outgoing_call(tracker: CallTracker) -> None:
    """An outgoing call is announced as such and ends, never missed."""
    assert types(observe(tracker, kitchen=(DIALING,))) == ["outgoing_call"]
    assert types(observe(tracker)) == ["ended"]


def test_push_first_then_listing_delivers_once(tracker: CallTracker) -> None:
    """A ring callback fires at once; the listing that confirms it fires nothing."""
    assert types(tracker.observe_push(pushed(DIAL_IN))) == ["incoming_call"]
    assert observe(tracker, office=(RINGING,)) == []
    assert tracker.observe_push(pushed(DIAL_IN)) == []


def test_listing_first_then_push_delivers_once(tracker: CallTracker) -> None:
    """A ring callback for a call already listed fires nothing."""
    assert types(observe(tracker, office=(RINGING,))) == ["incoming_call"]
    assert tracker.observe_push(pushed(DIAL_IN)) == []


def test_answer_and_hangup_callbacks_wait_for_the_listing(
    tracker: CallTracker,
) -> None:
    """An answer or a hangup callback alone fires nothing: the listing decides."""
    observe(tracker, office=(RINGING,))

    assert tracker.observe_push(pushed(ANSWER_IN)) == []
    assert tracker.observe_push(pushed(HANGUP, status=CallEndStatus.ANSWER)) == []

    # The PBX still lists the call ringing: it stays live, nothing fires.
    assert observe(tracker, office=(RINGING,)) == []
    assert types(observe(tracker, office=(ANSWERED,))) == ["answered"]
    events = observe(tracker)
    assert types(events) == ["ended"]
    assert outcomes(events) == ["answered"]


@pytest.mark.parametrize(
    ("status", "event", "outcome"),
    [
        (CallEndStatus.BUSY, "missed", "busy"),
        (CallEndStatus.NOANSWER, "missed", "no_answer"),
        (CallEndStatus.CANCEL, "missed", "cancelled"),
        (CallEndStatus.CONGESTION, "missed", "failed"),
        (CallEndStatus.CHANUNAVAIL, "missed", "failed"),
        (CallEndStatus.UNKNOWN, "missed", "unknown"),
    ],
)
def test_hangup_status_of_an_unanswered_call(
    tracker: CallTracker, status: CallEndStatus, event: str, outcome: str
) -> None:
    """The hangup's CallStatus says how an unanswered incoming call ended."""
    observe(tracker, office=(RINGING,))
    tracker.observe_push(pushed(HANGUP, status=status))

    events = observe(tracker)

    assert types(events) == [event]
    assert outcomes(events) == [outcome]


def test_hangup_with_answer_means_answered(tracker: CallTracker) -> None:
    """Answered and ended between two listings, the answer lost: not missed."""
    observe(tracker, office=(RINGING,))
    tracker.observe_push(pushed(HANGUP, status=CallEndStatus.ANSWER))

    events = observe(tracker)

    assert types(events) == ["answered", "ended"]
    assert outcomes(events) == [None, "answered"]


def test_answer_callback_then_hangup_without_status(tracker: CallTracker) -> None:
    """An answer callback the listing never saw counts once the call is gone."""
    observe(tracker, office=(RINGING,))
    tracker.observe_push(pushed(ANSWER_IN))
    tracker.observe_push(pushed(HANGUP))

    assert types(observe(tracker)) == ["answered", "ended"]


def test_answered_call_ended_with_odd_status_stays_answered(
    tracker: CallTracker,
) -> None:
    """A call this extension answered ended answered, whatever the hangup says."""
    observe(tracker, office=(ANSWERED,))
    tracker.observe_push(pushed(HANGUP, status=CallEndStatus.BUSY))

    assert outcomes(observe(tracker)) == ["answered"]


def test_answered_by_someone_else_is_not_missed(tracker: CallTracker) -> None:
    """A colleague took the call: `ended` with `answered_elsewhere`, no answer."""
    observe(tracker, office=(RINGING,))

    # The call is still listed, answered, but this extension left it.
    events = observe(tracker, listed={"call1": True})

    assert types(events) == ["ended"]
    assert outcomes(events) == ["answered_elsewhere"]


def test_answered_elsewhere_seen_on_the_view(tracker: CallTracker) -> None:
    """The listing showed the call answered while this view was not."""
    observe(tracker, office=(RINGING,))
    observe(tracker, office=(replace(RINGING, answered_elsewhere=True),))
    tracker.observe_push(pushed(HANGUP, status=CallEndStatus.ANSWER))

    events = observe(tracker)

    assert types(events) == ["ended"]
    assert outcomes(events) == ["answered_elsewhere"]


def test_ring_group_moving_on_waits_for_the_answer(tracker: CallTracker) -> None:
    """A call still ringing elsewhere is followed until someone takes it."""
    observe(tracker, office=(RINGING,))

    assert observe(tracker, listed={"call1": False}) == []
    assert observe(tracker, listed={"call1": False}) == []
    events = observe(tracker, listed={"call1": True})

    assert types(events) == ["ended"]
    assert outcomes(events) == ["answered_elsewhere"]


def test_ring_group_nobody_answered_is_missed(tracker: CallTracker) -> None:
    """A call that rang elsewhere and ended unanswered is missed."""
    observe(tracker, office=(RINGING,))
    observe(tracker, listed={"call1": False})

    assert types(observe(tracker)) == ["missed"]


def test_handled_call_is_not_missed(tracker: CallTracker) -> None:
    """A call Home Assistant transferred or hung up ends, it is not missed."""
    observe(tracker, office=(RINGING,))
    tracker.mark_handled(OFFICE, "call1")

    # Even while the transferred call still rings elsewhere.
    assert types(observe(tracker, listed={"call1": False})) == ["ended"]


def test_pushed_ring_then_hangup_is_missed(tracker: CallTracker) -> None:
    """A call that rang and ended between listings: announced, then missed."""
    assert types(tracker.observe_push(pushed(DIAL_IN))) == ["incoming_call"]
    assert tracker.observe_push(pushed(HANGUP, status=CallEndStatus.CANCEL)) == []

    events = observe(tracker)

    assert types(events) == ["missed"]
    assert outcomes(events) == ["cancelled"]


def test_listing_older_than_a_ring_callback_does_not_end_the_call(
    tracker: CallTracker,
) -> None:
    """A call only push announced gets one more listing before it counts as gone."""
    tracker.observe_push(pushed(DIAL_IN))

    assert observe(tracker) == []
    assert observe(tracker, office=(RINGING,)) == []
    assert types(observe(tracker)) == ["missed"]


def test_pushed_call_no_listing_ever_shows_ends_after_two(
    tracker: CallTracker,
) -> None:
    """A ring callback no listing confirms, with its hangup lost, ends after two."""
    tracker.observe_push(pushed(DIAL_IN))

    assert observe(tracker) == []
    assert types(observe(tracker)) == ["missed"]


def test_listing_racing_a_hangup_does_not_revive_the_call(
    tracker: CallTracker,
) -> None:
    """Once ended, a late listing or callback of the call fires nothing."""
    observe(tracker, office=(RINGING,))
    tracker.observe_push(pushed(HANGUP, status=CallEndStatus.CANCEL))
    assert types(observe(tracker)) == ["missed"]

    assert observe(tracker, office=(RINGING,)) == []
    assert tracker.observe_push(pushed(DIAL_IN)) == []
    assert tracker.observe_push(pushed(HANGUP)) == []


def test_callback_without_call_id_changes_nothing(tracker: CallTracker) -> None:
    """A callback without CallID is not a call: no event, nothing ended."""
    observe(tracker, office=(RINGING,))

    for kind in (DIAL_IN, ANSWER_IN, HANGUP):
        assert tracker.observe_push(pushed(kind, call_id="")) == []

    # The real call's events still fire.
    assert types(observe(tracker, office=(ANSWERED,))) == ["answered"]
    assert outcomes(observe(tracker)) == ["answered"]


def test_callback_for_an_unknown_call_changes_nothing(tracker: CallTracker) -> None:
    """An answer or hangup naming no known call does not touch the real one."""
    observe(tracker, office=(RINGING,))

    assert tracker.observe_push(pushed(ANSWER_IN, call_id="forged")) == []
    assert tracker.observe_push(pushed(HANGUP, call_id="forged")) == []

    assert observe(tracker, office=(RINGING,)) == []
    assert types(observe(tracker, office=(ANSWERED,))) == ["answered"]


def test_callback_ids_other_than_phone_call_ids(tracker: CallTracker) -> None:
    """Callbacks under their own CallID: the listing adopts the pushed call."""
    assert types(tracker.observe_push(pushed(DIAL_IN, call_id="1717.42"))) == [
        "incoming_call"
    ]
    # The listing names the call by its PhoneCall id: the same call.
    assert observe(tracker, office=(RINGING,)) == []
    # Later callbacks still use their CallID, and still find the call.
    tracker.observe_push(pushed(HANGUP, call_id="1717.42", status=CallEndStatus.BUSY))

    (event,) = observe(tracker)
    assert event.type.value == "missed"
    assert event.outcome is CallOutcome.BUSY
    # Events carry the listing's id once known.
    assert event.phone_call_id == "call1"


def test_matching_ids_stop_adopting(tracker: CallTracker) -> None:
    """Once callback ids are known to be the PhoneCall ids, nothing is adopted."""
    tracker.observe_push(pushed(DIAL_IN, call_id="call1"))
    observe(tracker, office=(RINGING,))

    tracker.observe_push(pushed(DIAL_IN, call_id="call7"))
    other = replace(RINGING, phone_call_id="call8")

    # call8 is a call of its own, not the pushed call7.
    assert types(observe(tracker, office=(RINGING, other))) == ["incoming_call"]


def test_extensions_are_tracked_apart(tracker: CallTracker) -> None:
    """A call between two extensions is one call per extension."""
    kitchen = replace(DIALING, phone_call_id="call1")

    events = observe(tracker, office=(RINGING,), kitchen=(kitchen,))
    assert sorted(types(events)) == ["incoming_call", "outgoing_call"]

    events = observe(tracker)
    assert sorted(types(events)) == ["ended", "missed"]


def test_too_many_calls_are_capped(tracker: CallTracker) -> None:
    """While nothing can be listed, callbacks keep at most the cap per extension."""
    for number in range(MAX_TRACKED_CALLS + 30):
        tracker.observe_push(pushed(DIAL_IN, call_id=f"c{number}"))
        tracker.observe_push(pushed(HANGUP, call_id=f"c{number}"))

    events = observe(tracker)

    assert len(events) == MAX_TRACKED_CALLS
    # The oldest went first.
    assert events[0].phone_call_id == "c30"
    assert tracker.take_dropped() == 30
    assert tracker.take_dropped() == 0


def test_calls_alike_are_still_different_calls(tracker: CallTracker) -> None:
    """Two calls from the same caller are two calls."""
    second = replace(RINGING, phone_call_id="call9")

    assert types(observe(tracker, office=(RINGING, second))) == [
        "incoming_call",
        "incoming_call",
    ]
    assert types(observe(tracker, office=(second,))) == ["missed"]
