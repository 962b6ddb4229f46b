"""A call placed with `voipnow.make_call`: the PBX rings the caller's phone first.

The PhoneCall resource's example shows a made call's sources at status 3
with a `ringing` date: the PBX rings them, and dials the destination only
once they answer. On the caller's own view that is a call being placed, not
one being offered: the call-state sensor reads `dialing` (never `ringing`),
then `on_call` once the destination answers; the call is outgoing, fires
`outgoing_call` once and never `incoming_call` or `missed`, and the caller
picking up its phone is not the call being answered.
"""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.components.helpers import (
    CALLS_PATH,
    KITCHEN_CALL_STATE,
    OFFICE_CALL_STATE,
    async_poll,
)
from tests.components.push_helpers import bus_types, record_bus_events
from tests.components.test_services import async_act
from tests.conftest import EXT_KITCHEN, EXT_OFFICE
from voipnow_simulator import VoipNowSimulator

OUTSIDE = "5553333"


async def _office_view(simulator: VoipNowSimulator) -> dict[str, Any]:
    """Return the office's view of its call exactly as the PBX lists it."""
    [call] = simulator.calls.values()
    [view] = [
        v
        for v in simulator.call_json(call)["phoneCallView"]
        if v["extension"] == EXT_OFFICE
    ]
    return dict(view)


async def _async_make_call(hass: HomeAssistant, destination: str = OUTSIDE) -> str:
    """Place a call from the office with `voipnow.make_call`; return its id."""
    response = await async_act(
        hass, "make_call", {"extension": EXT_OFFICE, "destination": destination}
    )
    await hass.async_block_till_done()
    return str(response["phone_call_id"])


def _office(hass: HomeAssistant) -> tuple[str, dict[str, Any]]:
    """Return the office call-state sensor's state and attributes."""
    state = hass.states.get(OFFICE_CALL_STATE)
    assert state is not None
    return state.state, dict(state.attributes)


async def test_placed_call_dials_then_is_on_a_call(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    entry: MockConfigEntry,
) -> None:
    """Caller's phone rings (3), destination rings (4), talking (5): dialing, on_call."""
    events = record_bus_events(hass)
    mark = len(simulator.api_requests())

    call_id = await _async_make_call(hass)

    view = await _office_view(simulator)
    assert (view["status"], "ringing" in view) == ("3", True)
    # What the PBX received: the one POST, then a listing that showed status 3.
    sent = simulator.api_requests()[mark:]
    assert [(r.method, r.path) for r in sent if r.method != "GET"] == [
        ("POST", "/uapi/phoneCalls/@me/simple")
    ]
    assert any(r.path == CALLS_PATH for r in sent)
    state, attributes = _office(hass)
    assert state == "dialing"
    assert attributes["phone_call_id"] == call_id
    assert attributes["direction"] == "outgoing"
    assert attributes["remote_number"] == OUTSIDE

    await simulator.answer_caller(call_id)
    await async_poll(hass, freezer)
    view = await _office_view(simulator)
    assert (view["status"], "answered" in view) == ("4", True)
    assert _office(hass)[0] == "dialing"
    assert bus_types(events) == ["outgoing_call"]

    await simulator.answer_call(call_id)
    await async_poll(hass, freezer)
    assert _office(hass)[0] == "on_call"
    assert bus_types(events) == ["outgoing_call", "answered"]

    await simulator.hangup_call(call_id)
    await async_poll(hass, freezer)
    assert _office(hass)[0] == "idle"
    assert bus_types(events) == ["outgoing_call", "answered", "ended"]
    assert {e["direction"] for e in events} == {"outgoing"}
    assert events[-1]["outcome"] == "answered"


@pytest.mark.parametrize(
    "caller_answers",
    [
        pytest.param(True, id="destination_never_answers"),
        pytest.param(False, id="caller_never_picks_up"),
    ],
)
async def test_unanswered_placed_call_is_not_missed(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    entry: MockConfigEntry,
    caller_answers: bool,
) -> None:
    """The destination never answered, or the caller's phone rang out: ended, never missed."""
    events = record_bus_events(hass)
    call_id = await _async_make_call(hass)
    assert _office(hass)[0] == "dialing"
    if caller_answers:
        await simulator.answer_caller(call_id)
        await async_poll(hass, freezer)
        assert _office(hass)[0] == "dialing"
        await simulator.ring_out(call_id)
    else:
        await simulator.hangup_call(call_id, "NOANSWER")
    await async_poll(hass, freezer)

    assert _office(hass)[0] == "idle"
    assert bus_types(events) == ["outgoing_call", "ended"]
    assert events[-1]["outcome"] != "answered"


async def test_local_destination_rings_once_the_caller_answered(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    entry: MockConfigEntry,
) -> None:
    """An extension called this way rings only after the caller picked up."""
    events = record_bus_events(hass)
    call_id = await _async_make_call(hass, EXT_KITCHEN)
    assert _office(hass)[0] == "dialing"
    assert hass.states.get(KITCHEN_CALL_STATE).state == "idle"

    await simulator.answer_caller(call_id)
    await async_poll(hass, freezer)
    assert _office(hass)[0] == "dialing"
    assert hass.states.get(KITCHEN_CALL_STATE).state == "ringing"

    await simulator.answer_call(call_id)
    await async_poll(hass, freezer)
    assert _office(hass)[0] == "on_call"
    assert hass.states.get(KITCHEN_CALL_STATE).state == "on_call"
    assert bus_types(events, EXT_OFFICE) == ["outgoing_call", "answered"]
    assert bus_types(events, EXT_KITCHEN) == ["incoming_call", "answered"]
