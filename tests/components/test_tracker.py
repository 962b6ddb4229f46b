"""Unit tests of the CallTracker: listings are the truth, callbacks only hints.

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
    CallbackHint,
    ExtensionCall,
    ExtensionCallState,
    summarise,
)
from custom_components.voipnow.const import CallDirection, CallState
from custom_components.voipnow.tracker import (
    MAX_PENDING_HINTS,
    MAX_TRACKED_CALLS,
    CallTracker,
)

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
# An outgoing call: the office dials out, no caller ID of its own shown.
DIALING = replace(
    RINGING,
    phone_call_id="call2",
    view_id="00",
    state=CallState.DIALING,
    direction=CallDirection.OUTGOING,
    remote_number="5559876",
    **dict.fromkeys(("caller_id", "caller_name")),
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
    kind: SubscriptionEventType | None,
    call_id: str | None = "call1",
    *,
    extension: str | None = OFFICE,
    status: CallEndStatus | None = None,
    arrived: datetime = datetime(2026, 11, 30, 11, 59, tzinfo=UTC),
) -> CallbackHint:
    """Build what the webhook keeps of a callback."""
    return CallbackHint(
        extension=extension,
        event_type=kind,
        call_id=call_id,
        arrived=arrived,
        end_status=status,
    )


def hung_up(
    tracker: CallTracker, seen: ExtensionCall, status: CallEndStatus
) -> list[CallEvent]:
    """The office's call listed as `seen`, a hangup with `status`, a listing without it."""
    observe(tracker, office=(seen,))
    tracker.note_callback(pushed(HANGUP, status=status))
    return observe(tracker)


def heralded(events: list[CallEvent]) -> list[bool]:
    """Return which events a callback had announced, in order."""
    return [event.heralded for event in events]


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


def test_a_callback_alone_fires_nothing(
    tracker: CallTracker, freezer: FrozenDateTimeFactory
) -> None:
    """A ring callback is no call: the listing that shows the call fires it."""
    freezer.move_to("2026-11-30 11:59:10+00:00")
    tracker.note_callback(pushed(DIAL_IN))
    tracker.listing_begins()

    events = observe(tracker, office=(RINGING,))

    assert types(events) == ["incoming_call"]
    assert heralded(events) == [True]
    # The listing's caller, and when the callback arrived.
    assert events[0].caller_name == "John Doe"
    assert events[0].first_seen == datetime(2026, 11, 30, 11, 59, tzinfo=UTC)
    assert observe(tracker, office=(RINGING,)) == []


def test_an_old_callback_is_not_the_first_sighting(
    tracker: CallTracker, freezer: FrozenDateTimeFactory
) -> None:
    """A callback kept through an outage confirms, but does not date the call."""
    freezer.move_to("2026-11-30 12:00:00+00:00")
    tracker.note_callback(pushed(DIAL_IN))

    (event,) = observe(tracker, office=(RINGING,))

    assert event.heralded
    assert event.first_seen == datetime(2026, 11, 30, 12, tzinfo=UTC)


def test_a_callback_no_listing_confirms_fires_nothing(tracker: CallTracker) -> None:
    """Forged, or a call too short for any listing: nothing, ever."""
    for kind in (DIAL_IN, ANSWER_IN, HANGUP, None):
        tracker.note_callback(pushed(kind, status=CallEndStatus.CANCEL))
    tracker.listing_begins()

    assert observe(tracker) == []
    assert observe(tracker) == []
    assert tracker.unconfirmed == 4


def test_a_callback_during_a_listing_waits_for_the_next(
    tracker: CallTracker,
) -> None:
    """A listing sent before the callback cannot confirm it; the next one does."""
    tracker.listing_begins()
    tracker.note_callback(pushed(DIAL_IN))

    assert observe(tracker) == []
    tracker.listing_begins()
    assert heralded(observe(tracker, office=(RINGING,))) == [True]
    assert tracker.unconfirmed == 0


def test_a_callback_heralds_only_its_own_kind(tracker: CallTracker) -> None:
    """An answer callback does not herald a ring, nor one of another extension."""
    tracker.note_callback(pushed(ANSWER_IN))
    tracker.note_callback(pushed(DIAL_IN, extension=KITCHEN))
    tracker.listing_begins()

    assert heralded(observe(tracker, office=(RINGING,))) == [False]
    assert tracker.unconfirmed == 2


def test_a_callback_without_markers_heralds_any_event(tracker: CallTracker) -> None:
    """Posted to the bare URL, saying nothing: the next event is its."""
    tracker.note_callback(pushed(None, call_id=None, extension=None))
    tracker.listing_begins()

    assert heralded(observe(tracker, kitchen=(DIALING,))) == [True]


def test_pending_callbacks_are_capped(tracker: CallTracker) -> None:
    """A flood keeps at most the cap waiting; the oldest go first."""
    for number in range(MAX_PENDING_HINTS + 30):
        tracker.note_callback(pushed(DIAL_IN, call_id=f"c{number}"))

    assert tracker.unconfirmed == 30
    tracker.listing_begins()
    assert observe(tracker) == []
    assert tracker.unconfirmed == MAX_PENDING_HINTS + 30


def test_answer_and_hangup_callbacks_wait_for_the_listing(
    tracker: CallTracker,
) -> None:
    """An answer or a hangup callback alone fires nothing: the listing decides."""
    observe(tracker, office=(RINGING,))

    tracker.note_callback(pushed(ANSWER_IN))
    tracker.note_callback(pushed(HANGUP, status=CallEndStatus.ANSWER))

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
    tracker.note_callback(pushed(HANGUP, status=status))
    tracker.listing_begins()

    events = observe(tracker)

    assert types(events) == [event]
    assert outcomes(events) == [outcome]
    assert heralded(events) == [True]


def test_hangup_with_answer_means_answered(tracker: CallTracker) -> None:
    """Answered and ended between two listings, the answer lost: not missed."""
    events = hung_up(tracker, RINGING, CallEndStatus.ANSWER)

    assert types(events) == ["answered", "ended"]
    assert outcomes(events) == [None, "answered"]


@pytest.mark.parametrize(
    "forged",
    [
        pushed(HANGUP, call_id="guessed", status=CallEndStatus.ANSWER),
        pushed(HANGUP, call_id=None, status=CallEndStatus.ANSWER),
        pushed(None, call_id="guessed", status=CallEndStatus.ANSWER),
        pushed(ANSWER_IN),
    ],
    ids=["other_id", "no_id", "no_marker", "answer_callback"],
)
def test_forged_answer_does_not_save_a_missed_call(
    tracker: CallTracker, forged: CallbackHint
) -> None:
    """Only a hangup naming the listing's own id says how the call ended."""
    observe(tracker, office=(RINGING,))
    tracker.note_callback(forged)

    events = observe(tracker)

    assert types(events) == ["missed"]
    assert outcomes(events) == ["unknown"]


def test_answered_call_ended_with_odd_status_stays_answered(
    tracker: CallTracker,
) -> None:
    """A call this extension answered ended answered, whatever the hangup says."""
    events = hung_up(tracker, ANSWERED, CallEndStatus.BUSY)

    assert outcomes(events) == ["answered"]


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
    tracker.note_callback(pushed(HANGUP, status=CallEndStatus.ANSWER))

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


def test_ring_and_hangup_between_listings_fire_nothing(
    tracker: CallTracker,
) -> None:
    """A call that rang and ended before any listing showed it: no live event."""
    tracker.note_callback(pushed(DIAL_IN))
    tracker.note_callback(pushed(HANGUP, status=CallEndStatus.CANCEL))
    tracker.listing_begins()

    assert observe(tracker) == []


def test_listing_racing_a_hangup_does_not_revive_the_call(
    tracker: CallTracker,
) -> None:
    """Once ended, a late listing or callback of the call fires nothing."""
    assert types(hung_up(tracker, RINGING, CallEndStatus.CANCEL)) == ["missed"]

    tracker.note_callback(pushed(DIAL_IN))
    tracker.note_callback(pushed(HANGUP))
    assert observe(tracker, office=(RINGING,)) == []
    assert observe(tracker) == []


def test_hangup_of_another_extension_changes_nothing(tracker: CallTracker) -> None:
    """The right id under the wrong extension does not tell this call's end."""
    observe(tracker, office=(RINGING,))
    tracker.note_callback(
        pushed(HANGUP, extension=KITCHEN, status=CallEndStatus.ANSWER)
    )

    assert outcomes(observe(tracker)) == ["unknown"]


def test_extensions_are_tracked_apart(tracker: CallTracker) -> None:
    """A call between two extensions is one call per extension."""
    kitchen = replace(DIALING, phone_call_id="call1")

    events = observe(tracker, office=(RINGING,), kitchen=(kitchen,))
    assert sorted(types(events)) == ["incoming_call", "outgoing_call"]

    events = observe(tracker)
    assert sorted(types(events)) == ["ended", "missed"]


def test_too_many_calls_are_capped(tracker: CallTracker) -> None:
    """A listing of more calls than the cap keeps the newest per extension."""
    many = tuple(
        replace(RINGING, phone_call_id=f"c{number}")
        for number in range(MAX_TRACKED_CALLS + 30)
    )
    observe(tracker, office=many)
    assert tracker.take_dropped() == 30
    assert tracker.take_dropped() == 0

    events = observe(tracker)

    assert len(events) == MAX_TRACKED_CALLS
    # The oldest went first.
    assert events[0].phone_call_id == "c30"


def test_calls_alike_are_still_different_calls(tracker: CallTracker) -> None:
    """Two calls from the same caller are two calls."""
    second = replace(RINGING, phone_call_id="call9")

    assert types(observe(tracker, office=(RINGING, second))) == [
        "incoming_call",
        "incoming_call",
    ]
    assert types(observe(tracker, office=(second,))) == ["missed"]
