"""Tests for reading what each extension does from calls as real PBXs send them.

The simulator always sends complete views; real VoipNow servers sometimes omit
the status, the parties or the extension, and name extensions by their short
number. These cases are checked on the parsed answers directly.
"""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.voipnow.api import PhoneCall
from custom_components.voipnow.calls import IDLE, call_states, extension_call_state
from custom_components.voipnow.const import CallDirection, CallState

OFFICE = "0003*210"
KITCHEN = "0003*211"


def _call(*views: dict[str, Any], call_id: str = "c1", **fields: Any) -> PhoneCall:
    """Parse a call with the given views, as the client would."""
    return PhoneCall.from_dict(
        {"id": call_id, "extension": OFFICE, "phoneCallView": list(views), **fields}
    )


DATE = "2025-06-01T12:00:00+00:00"


@pytest.mark.parametrize(
    ("flags", "state"),
    [
        ({"onHold": DATE}, CallState.ON_HOLD),
        ({"answered": DATE}, CallState.ON_CALL),
        ({"ringing": DATE, "destination": [OFFICE]}, CallState.RINGING),
        # The extension called: the ringing is the other side's.
        ({"ringing": DATE, "source": [OFFICE]}, CallState.DIALING),
        ({}, CallState.DIALING),
        ({"status": "1"}, CallState.DIALING),
        ({"status": "2"}, CallState.DIALING),
    ],
    ids=[
        "held",
        "answered",
        "ringing",
        "other_side_ringing",
        "nothing",
        "off_hook",
        "trying",
    ],
)
def test_state_without_known_status(flags: dict[str, Any], state: CallState) -> None:
    """A view without a known status is read from its dates."""
    call = _call({"id": "00", "extension": OFFICE, "source": [], **flags})

    assert extension_call_state(OFFICE, [call]).state is state


@pytest.mark.parametrize(
    ("flags", "state"),
    [
        ({"status": "5"}, CallState.ON_CALL),
        ({"status": "5", "onHold": DATE}, CallState.ON_HOLD),
        # Status 0 with the documented `ringing` date: ringing, not dialing.
        ({"status": "0", "ringing": DATE}, CallState.RINGING),
        ({"status": "3"}, CallState.RINGING),
        ({"status": "4"}, CallState.DIALING),
    ],
    ids=["on_call", "on_hold", "status_0_ringing", "ringing", "other_side_ringing"],
)
def test_state_of_an_incoming_call(flags: dict[str, Any], state: CallState) -> None:
    """The documented dates decide where the status does not."""
    call = _call({"id": "01", "extension": OFFICE, "destination": [OFFICE], **flags})

    assert extension_call_state(OFFICE, [call]).state is state


@pytest.mark.parametrize(
    ("holder", "held_by_extension"), [("1", True), (None, False), ("0", False)]
)
def test_who_put_the_call_on_hold(holder: str | None, held_by_extension: bool) -> None:
    """`holder` 1 on the extension's view: it put the call on hold."""
    view = {"id": "00", "extension": OFFICE, "status": "5", "onHold": DATE}
    if holder is not None:
        view["holder"] = holder

    state = extension_call_state(OFFICE, [_call(view)])

    assert state.call is not None
    assert state.call.held_by_extension is held_by_extension


def test_not_on_hold_has_no_holder() -> None:
    """Off hold, who put the call on hold is not a question."""
    call = _call({"id": "00", "extension": OFFICE, "status": "5", "holder": "1"})

    state = extension_call_state(OFFICE, [call])

    assert state.call is not None
    assert state.call.held_by_extension is None


def test_outgoing_call_caller_id_is_never_the_extension() -> None:
    """On an outgoing call `callerId` is the extension's own: not shown."""
    # The resource page's example: both views carry the caller's caller id.
    call = _call(
        {
            "id": "00",
            "extension": OFFICE,
            "source": [OFFICE],
            "destination": ["5559876"],
            "callerId": "John Doe <3332222>",
            "status": "4",
        },
        {
            "id": "01",
            "extension": KITCHEN,
            "source": ["3332222"],
            "destination": [KITCHEN],
            "callerId": "John Doe <3332222>",
            "status": "3",
        },
    )

    states = call_states([OFFICE, KITCHEN], [call])

    office = states[OFFICE].call
    kitchen = states[KITCHEN].call
    assert office is not None and kitchen is not None
    assert office.remote_number == "5559876"
    assert office.caller_id is None
    assert office.caller_name is None
    assert kitchen.caller_id == "John Doe <3332222>"
    assert kitchen.caller_name == "John Doe"


def test_outgoing_caller_id_of_the_other_party_is_kept() -> None:
    """A callerId that is the number dialled describes the other party."""
    call = _call(
        {
            "id": "00",
            "extension": OFFICE,
            "source": [OFFICE],
            "destination": ["5559876"],
            "callerId": "Acme <5559876>",
            "status": "5",
        }
    )

    state = extension_call_state(OFFICE, [call])

    assert state.call is not None
    assert state.call.caller_id == "Acme <5559876>"


@pytest.mark.parametrize(
    ("view", "answered", "elsewhere"),
    [
        ({"status": "5"}, True, False),
        ({"status": "0", "answered": DATE}, True, False),
        # Someone answered the call, not this extension.
        ({"status": "3"}, False, True),
    ],
    ids=["status_5", "answered_date", "colleague"],
)
def test_only_the_view_says_this_extension_answered(
    view: dict[str, Any], answered: bool, elsewhere: bool
) -> None:
    """The call's `answered` says someone did; the view's says this extension did."""
    call = _call(
        {"id": "01", "extension": OFFICE, "destination": [OFFICE], **view},
        answered=DATE,
    )

    state = extension_call_state(OFFICE, [call])

    assert state.call is not None
    assert state.call.answered is answered
    assert state.call.answered_elsewhere is elsewhere


@pytest.mark.parametrize(
    ("view", "direction", "remote"),
    [
        (
            {"flow": "8", "callerId": "Jane <5551234>"},
            CallDirection.INCOMING,
            "5551234",
        ),
        ({"status": "3", "callerId": "<5551234>"}, CallDirection.INCOMING, "5551234"),
        ({"status": "5"}, CallDirection.OUTGOING, None),
        (
            {"source": [OFFICE], "destination": []},
            CallDirection.OUTGOING,
            None,
        ),
        (
            {"source": [], "destination": ["210"], "callerId": "5559999"},
            CallDirection.INCOMING,
            "5559999",
        ),
    ],
    ids=[
        "public_flow",
        "ringing_status",
        "unknown",
        "no_destination",
        "short_number",
    ],
)
def test_direction_and_remote_without_parties(
    view: dict[str, Any], direction: CallDirection, remote: str | None
) -> None:
    """Without the parties listed, direction and remote number come from the rest."""
    call = _call({"id": "00", "extension": OFFICE, **view})

    state = extension_call_state(OFFICE, [call])

    assert state.call is not None
    assert state.call.direction is direction
    assert state.call.remote_number == remote


def test_views_by_short_number_and_strangers() -> None:
    """Views naming an extension by its short number count; others are ignored."""
    call = _call(
        {"id": "00", "extension": "210", "source": ["210"], "status": "5"},
        {"id": "01", "source": ["210"], "status": "3"},
        {"id": "02", "extension": "0009*211", "status": "3"},
    )

    states = call_states([OFFICE, KITCHEN], [call])

    assert states[OFFICE].state is CallState.ON_CALL
    assert states[OFFICE].call_count == 1
    assert states[KITCHEN] is IDLE


def test_call_of_another_extension_is_skipped() -> None:
    """A call none of whose views is the extension's leaves it idle."""
    call = _call({"id": "00", "extension": KITCHEN, "status": "5"})

    assert extension_call_state(OFFICE, [call]) is IDLE
