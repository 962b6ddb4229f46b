"""Tests for the diagnostics of a VoipNow config entry."""

from __future__ import annotations

import json

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.matchers import path_type

from tests.conftest import CLIENT_ID, CLIENT_SECRET, EXT_KITCHEN, EXT_OFFICE
from voipnow_simulator import VoipNowSimulator

from .push_helpers import async_settle, async_setup_push, push_entry

# Call ids and times change with every run: the snapshot keeps their type.
# (Time is not frozen here: the diagnostics download imports modules that do
# not load under freezegun.)
RANDOM_VALUES = path_type(
    {
        r"calls\.\d+\.id": (str,),
        r"states\..+\.phone_call_id": (str,),
        r".*\.(published|answered|expires|first_seen|synced)": (str,),
    },
    regex=True,
    strict=False,
)


async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    hass_client_no_auth: ClientSessionGenerator,
    simulator: VoipNowSimulator,
    snapshot: SnapshotAssertion,
) -> None:
    """Diagnostics show push, extensions, calls and states, secrets redacted.

    Taken with push on, against a 3.x server that knows event types 0-2 only.
    """
    simulator.set_modes(event_types=[0, 1, 2])
    # Before the HTTP server starts (it takes no new routes after).
    assert await async_setup_component(hass, "diagnostics", {})
    entry = push_entry(simulator)
    await async_setup_push(hass, hass_client_no_auth, entry)
    call_id = await simulator.outgoing_call(EXT_OFFICE, EXT_KITCHEN)
    await simulator.answer_call(call_id)
    await simulator.incoming_call(EXT_KITCHEN, "5559876", caller_name="Jane Roe")
    await async_settle(hass)

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)

    assert diagnostics == snapshot(matcher=RANDOM_VALUES)
    text = json.dumps(diagnostics)
    assert CLIENT_SECRET not in text
    assert CLIENT_ID not in text
    assert simulator.host not in text
    assert "voip.example.test" not in text
    assert diagnostics["entry"]["data"]["client_secret"] == "**REDACTED**"
    assert diagnostics["push"]["event_types"] == [0, 1, 2]
    assert entry.data["webhook_id"] not in text
    # Callers are personal data.
    assert "5559876" not in text
    assert "Jane Roe" not in text
