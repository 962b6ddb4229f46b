"""Fixtures shared by the integration's tests: a real simulator on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.const import (
    CONF_CLIENT_ID,
    CONF_CLIENT_SECRET,
    CONF_URL,
    CONF_VERIFY_SSL,
)
from homeassistant.core import HomeAssistant

from custom_components.voipnow.const import DOMAIN
from voipnow_simulator import VoipNowSimulator

CLIENT_ID = "test-app-id"
CLIENT_SECRET = "test-app-secret"  # noqa: S105 - the simulator's test secret
EXT_OFFICE = "0003*210"
EXT_KITCHEN = "0003*211"
EXT_GARAGE = "0003*212"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    enable_custom_integrations: None,
) -> Generator[None]:
    """Load the integration from custom_components/ in every test."""
    yield


@pytest.fixture
async def simulator(socket_enabled: None) -> AsyncIterator[VoipNowSimulator]:
    """Run a VoipNow simulator with three extensions on a free loopback port.

    Home Assistant's test plugin blocks sockets; real HTTP on loopback is the
    point of these tests, so they are enabled (connections stay on 127.0.0.1).
    """
    sim = VoipNowSimulator(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    sim.add_extension(EXT_OFFICE, name="Office")
    sim.add_extension(EXT_KITCHEN, name="Kitchen")
    sim.add_extension(EXT_GARAGE, name="Garage", registered=False)
    await sim.start(host="127.0.0.1", port=0)
    yield sim
    await sim.stop()


def entry_data(sim: VoipNowSimulator, **overrides: Any) -> dict[str, Any]:
    """Return config entry data pointing at the simulator."""
    return {
        CONF_URL: sim.url,
        CONF_CLIENT_ID: CLIENT_ID,
        CONF_CLIENT_SECRET: CLIENT_SECRET,
        CONF_VERIFY_SSL: True,
        **overrides,
    }


@pytest.fixture
def mock_config_entry(simulator: VoipNowSimulator) -> MockConfigEntry:
    """Return a config entry for the simulator's App."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="127.0.0.1",
        unique_id=f"127.0.0.1:{simulator.port}_{CLIENT_ID}",
        data=entry_data(simulator),
        entry_id="01JVOIPNOWTESTENTRY000000",
    )


@pytest.fixture
async def init_integration(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    mock_config_entry: MockConfigEntry,
) -> MockConfigEntry:
    """Set up the integration against the simulator."""
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    return mock_config_entry
