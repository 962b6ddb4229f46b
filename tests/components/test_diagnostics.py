"""Tests for the diagnostics of a VoipNow config entry."""

from __future__ import annotations

import json

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.matchers import path_type

from tests.conftest import CLIENT_ID, CLIENT_SECRET, EXT_KITCHEN, EXT_OFFICE
from voipnow_simulator import VoipNowSimulator

# Call ids and times change with every run: the snapshot keeps their type.
# (Time is not frozen here: the diagnostics download imports modules that do
# not load under freezegun.)
RANDOM_VALUES = path_type(
    {
        r"calls\.\d+\.id": (str,),
        r"states\..+\.phone_call_id": (str,),
        r".*\.(published|answered|expires)": (str,),
    },
    regex=True,
    strict=False,
)


async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    simulator: VoipNowSimulator,
    mock_config_entry: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    """Diagnostics show extensions, calls and states, with credentials redacted."""
    call_id = await simulator.outgoing_call(EXT_OFFICE, EXT_KITCHEN)
    await simulator.answer_call(call_id)
    await simulator.incoming_call(EXT_KITCHEN, "5559876", caller_name="Jane Roe")
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, mock_config_entry
    )

    assert diagnostics == snapshot(matcher=RANDOM_VALUES)
    text = json.dumps(diagnostics)
    assert CLIENT_SECRET not in text
    assert CLIENT_ID not in text
    assert simulator.host not in text
    assert "voip.example.test" not in text
    assert diagnostics["entry"]["data"]["client_secret"] == "**REDACTED**"
    # Callers are personal data.
    assert "5559876" not in text
    assert "Jane Roe" not in text
