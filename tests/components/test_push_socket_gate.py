"""The notification socket and the listing gate: real changes pass, floods wait.

A message only wakes a listing, through the gate every push goes through (a
burst of 5, then about one a second). A message whose listing found call
changes gives its listing back, as a confirmed callback does: a busy PBX's
rings are never held. Messages that change nothing give nothing back. The
clock is frozen: a request the gate holds is let through only when the test
moves time on.
"""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.voipnow.listing_gate import BURST
from tests.conftest import EXT_KITCHEN, EXT_OFFICE
from voipnow_simulator import VoipNowSimulator

from .helpers import calls_requests
from .push_helpers import bus_types, record_bus_events
from .test_push_socket import (
    async_turns,
    async_until,
    close_sockets,  # noqa: F401 - every socket is closed after the test
    move_time,
    socket_integration,  # noqa: F401 - an entry pushed by the socket
)


async def test_busy_pbx_rings_are_never_held(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    socket_integration: MockConfigEntry,  # noqa: F811
) -> None:
    """Twice the gate's burst of changes in a row: each shows after its own listing."""
    events = record_bus_events(hass)
    before = calls_requests(simulator)
    for turn in range(BURST * 2):
        call_id = await simulator.incoming_call(EXT_OFFICE, f"55500{turn:02d}")
        await async_until(hass, lambda: bus_types(events)[-1:] == ["incoming_call"])
        await simulator.hangup_call(call_id)
        await async_until(hass, lambda: bus_types(events)[-1:] == ["missed"])
    assert bus_types(events) == ["incoming_call", "missed"] * BURST * 2
    assert calls_requests(simulator) - before == BURST * 4


async def test_messages_about_nothing_give_nothing_back(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    socket_integration: MockConfigEntry,  # noqa: F811
) -> None:
    """A flood that changes nothing: the burst, then one listing a second."""
    events = record_bus_events(hass)
    before = calls_requests(simulator)
    hub = simulator.notifications
    for _ in range(BURST * 4):
        hub.changed([EXT_KITCHEN], {"type": "hold"})
        await hub.wait()
        await async_turns(200)
    await hass.async_block_till_done()
    assert calls_requests(simulator) - before == BURST
    # The request held meanwhile is let through a second later, once.
    move_time(hass, freezer, timedelta(seconds=1))
    await async_until(hass, lambda: calls_requests(simulator) - before == BURST + 1)
    move_time(hass, freezer, timedelta(seconds=5))
    await async_turns()
    await hass.async_block_till_done()
    assert calls_requests(simulator) - before == BURST + 1
    assert events == []
