"""CDR records whose views carry no `extension` (the CDR Resource page's example).

Such a view is placed by its `source` and `destination`: it belongs to each
of the entry's extensions it names.
"""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.voipnow.const import DOMAIN
from tests.conftest import EXT_KITCHEN, EXT_OFFICE, async_load
from voipnow_simulator import VoipNowSimulator

from .test_history import (
    KITCHEN_MISSED,
    OFFICE_LAST_CALL,
    OFFICE_MISSED,
    async_history_refresh,
    async_missed_call,
    missed,
)


@pytest.mark.parametrize("with_extension", [True, False], ids=["extension", "parties"])
async def test_views_without_extension_are_placed_by_their_parties(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    with_extension: bool,
) -> None:
    """Missed, answered and internal calls land on the right extensions."""
    simulator.cdr_view_extension = with_extension
    await async_missed_call(simulator, EXT_OFFICE, "5551234", "John Doe")
    freezer.tick(60)
    internal = await simulator.outgoing_call(EXT_KITCHEN, EXT_OFFICE)
    await simulator.answer_call(internal)
    await simulator.hangup_call(internal)

    await async_history_refresh(hass, freezer)

    assert missed(hass, OFFICE_MISSED) == "1"
    assert missed(hass, KITCHEN_MISSED) == "0"
    last = hass.states.get(OFFICE_LAST_CALL)
    assert last.attributes["outcome"] == "answered"
    assert last.attributes["direction"] == "incoming"
    assert last.attributes["remote_number"] == EXT_KITCHEN
    response: Any = await hass.services.async_call(
        DOMAIN,
        "get_call_history",
        {"extension": EXT_KITCHEN},
        blocking=True,
        return_response=True,
    )
    assert [
        (call["direction"], call["remote_number"], call["outcome"])
        for call in response["calls"]
    ] == [("outgoing", EXT_OFFICE, "answered")]


async def test_a_cdr_refusing_me_still_shows_missed_calls(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    """`@me` refused (`user_invalid`): `/uapi/cdr/` is asked, and kept."""
    simulator.cdr_me = False
    await async_load(hass, mock_config_entry)
    await async_missed_call(simulator, EXT_OFFICE, "5551234", "John Doe")

    await async_history_refresh(hass, freezer)
    await async_history_refresh(hass, freezer)

    assert missed(hass, OFFICE_MISSED) == "1"
    paths = [request.path for request in simulator.api_requests("GET", "/uapi/cdr")]
    assert paths == ["/uapi/cdr/@me", "/uapi/cdr/", "/uapi/cdr/", "/uapi/cdr/"]
