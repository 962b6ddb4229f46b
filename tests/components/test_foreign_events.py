"""Only what the integration concluded counts as a call.

Anyone allowed to fire events can fire `voipnow_call_event` (the mobile app's
`fire_event` webhook does it for a read-only user's phone). The missed-call
badge and the device triggers follow the integration's own signal; the bus
event stays for YAML automations.
"""

from __future__ import annotations

from typing import Any

from homeassistant.components import automation
from homeassistant.core import Context, HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockUser,
    async_mock_service,
)

from custom_components.voipnow.const import DOMAIN, EVENT_CALL
from custom_components.voipnow.devices import device_entry
from tests.conftest import EXT_OFFICE
from voipnow_simulator import VoipNowSimulator

OFFICE_MISSED = "sensor.extension_0003_210_missed_calls"


@pytest.fixture
async def runs(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> list[ServiceCall]:
    """A device trigger and a YAML event trigger on the office's missed calls."""
    device = device_entry(init_integration.runtime_data.calls, EXT_OFFICE)
    assert device is not None
    calls = async_mock_service(hass, "test", "automation")
    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: [
                {
                    "alias": "device",
                    "triggers": [
                        {
                            "platform": "device",
                            "domain": DOMAIN,
                            "device_id": device.id,
                            "type": "missed",
                        }
                    ],
                    "actions": [
                        {"action": "test.automation", "data": {"by": "device"}}
                    ],
                },
                {
                    "alias": "yaml",
                    "triggers": [
                        {
                            "trigger": "event",
                            "event_type": EVENT_CALL,
                            "event_data": {"type": "missed"},
                        }
                    ],
                    "actions": [{"action": "test.automation", "data": {"by": "yaml"}}],
                },
            ]
        },
    )
    await hass.async_block_till_done()
    return calls


def forged(entry: MockConfigEntry) -> dict[str, Any]:
    """A missed call of the office, as the integration would write it."""
    device = device_entry(entry.runtime_data.calls, EXT_OFFICE)
    assert device is not None
    return {
        "config_entry_id": entry.entry_id,
        "device_id": device.id,
        "extension": EXT_OFFICE,
        "type": "missed",
        "phone_call_id": "4242",
        "direction": "incoming",
        "remote_number": "+19005550100",
        "caller_id": "Bank <+19005550100>",
        "caller_name": "Bank",
        "first_seen": dt_util.utcnow().isoformat(),
        "outcome": "no_answer",
    }


async def test_foreign_bus_event_counts_nothing(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    runs: list[ServiceCall],
    hass_read_only_user: MockUser,
) -> None:
    """A read-only user's event leaves the badge alone and runs no device trigger."""
    assert hass.states.get(OFFICE_MISSED).state == "0"

    hass.bus.async_fire(
        EVENT_CALL, forged(init_integration), context=Context(hass_read_only_user.id)
    )
    await hass.async_block_till_done()

    assert hass.states.get(OFFICE_MISSED).state == "0"
    # YAML automations on the bus event still see it: that is what they ask.
    assert [run.data["by"] for run in runs] == ["yaml"]


async def test_real_missed_call_counts_and_triggers(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    runs: list[ServiceCall],
) -> None:
    """A call the integration saw missed shows on the badge and runs both."""
    call_id = await simulator.incoming_call(EXT_OFFICE, "5551234", "John Doe")
    await init_integration.runtime_data.calls.async_refresh()
    await simulator.hangup_call(call_id, "CANCEL")
    await init_integration.runtime_data.calls.async_refresh()
    await hass.async_block_till_done()

    assert hass.states.get(OFFICE_MISSED).state == "1"
    assert sorted(run.data["by"] for run in runs) == ["device", "yaml"]
