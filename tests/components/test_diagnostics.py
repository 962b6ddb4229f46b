"""Tests for the diagnostics of a VoipNow config entry."""

from __future__ import annotations

import json

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.matchers import path_type

from homeassistant.core import HomeAssistant

from voipnow_simulator import VoipNowSimulator

from ..conftest import CLIENT_ID, CLIENT_SECRET, EXT_KITCHEN, EXT_OFFICE
from .helpers import async_poll

# Call ids are random: the snapshot keeps their type, not their value.
CALL_IDS = path_type(
    {
        r"calls\.\d+\.id": (str,),
        r"states\..+\.phone_call_id": (str,),
    },
    regex=True,
)


@pytest.mark.freeze_time("2025-06-01T12:00:00+00:00")
async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    """Diagnostics show extensions, calls and states, with credentials redacted."""
    call_id = await simulator.outgoing_call(EXT_OFFICE, EXT_KITCHEN)
    await simulator.answer_call(call_id)
    await async_poll(hass, freezer)

    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, init_integration
    )

    assert diagnostics == snapshot(matcher=CALL_IDS)
    text = json.dumps(diagnostics)
    assert CLIENT_SECRET not in text
    assert CLIENT_ID not in text
    assert simulator.host not in text
    assert "voip.example.test" not in text
    assert diagnostics["entry"]["data"]["client_secret"] == "**REDACTED**"
