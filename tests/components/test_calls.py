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


@pytest.mark.parametrize(
    ("flags", "state"),
    [
        ({"onHold": True}, CallState.ON_HOLD),
        ({"answered": "2025-06-01T12:00:00+00:00"}, CallState.ON_CALL),
        ({"ringing": "1"}, CallState.RINGING),
        ({}, CallState.DIALING),
        ({"status": "1"}, CallState.DIALING),
        ({"status": "2"}, CallState.DIALING),
    ],
    ids=["held", "answered", "ringing", "nothing", "off_hook", "trying"],
)
def test_state_without_known_status(flags: dict[str, Any], state: CallState) -> None:
    """A view without a known status is read from its flags."""
    call = _call({"id": "00", "extension": OFFICE, "source": [OFFICE], **flags})

    assert extension_call_state(OFFICE, [call]).state is state


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
