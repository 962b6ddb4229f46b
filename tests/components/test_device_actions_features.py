"""Device actions park, pick up on another extension, start and stop recording."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.voipnow.const import DOMAIN
from custom_components.voipnow.device_action import async_get_action_capabilities
from tests.components.helpers import async_ring
from tests.components.test_device_automation import (
    async_office_action,
    changes_of,
    device_id,
    entry,  # noqa: F401 - the entry the device automation tests use
    push_config_entry,  # noqa: F401 - with the device automation tests' targets
)
from tests.components.test_services import settle
from tests.conftest import EXT_GARAGE, EXT_KITCHEN, EXT_OFFICE
from voipnow_simulator import VoipNowSimulator


@pytest.mark.parametrize(
    ("action", "answer", "body"),
    [
        ({"type": "park_call"}, True, {"action": "Park", "maxInParking": 180}),
        (
            {"type": "pickup_call", "pickup_on": EXT_KITCHEN},
            False,
            {"action": "PickUp", "sendCallTo": EXT_KITCHEN},
        ),
        (
            {"type": "start_recording"},
            True,
            {"action": "StartRecording", "format": "wav"},
        ),
        ({"type": "stop_recording"}, True, {"action": "StopRecording"}),
    ],
)
async def test_device_actions(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    entry: MockConfigEntry,  # noqa: F811
    action: dict[str, Any],
    answer: bool,
    body: dict[str, Any],
) -> None:
    """Each device action sends the PUT of the action it stands for, once."""
    call_id = await async_ring(hass, simulator, entry, answer=answer)

    requests = await async_office_action(hass, simulator, action)

    [request] = changes_of(requests, call_id)

    assert (request.method, request.json) == (
        "PUT",
        {"phoneCallViewId": "01", **body},
    )


async def test_pickup_offers_the_other_extensions(
    hass: HomeAssistant,
    entry: MockConfigEntry,  # noqa: F811
) -> None:
    """Pick up asks for the extension, among the others of the PBX."""
    await settle(hass)
    office = device_id(hass, entry, EXT_OFFICE)

    capabilities = await async_get_action_capabilities(
        hass, {"device_id": office, "domain": DOMAIN, "type": "pickup_call"}
    )

    [field] = capabilities["extra_fields"].schema
    options = capabilities["extra_fields"].schema[field].config["options"]
    assert str(field) == "pickup_on"
    assert [option["value"] for option in options] == [EXT_KITCHEN, EXT_GARAGE]
    assert (
        await async_get_action_capabilities(
            hass, {"device_id": office, "domain": DOMAIN, "type": "park_call"}
        )
        == {}
    )
