"""Tests for the options: the menu, polling and push, permissions, a new address.

Transfer targets have their own tests (test_options_targets.py).
"""

from __future__ import annotations

from datetime import timedelta
import json
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_SCAN_INTERVAL, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from yarl import URL

from custom_components.voipnow.const import (
    CONF_ALLOW_ANY_NUMBER,
    CONF_ALLOW_LISTEN_IN,
    CONF_PUSH_TRANSPORT,
)
from tests.conftest import EXT_OFFICE
from voipnow_simulator import VoipNowSimulator

from .helpers import CALLS_PATH, async_open_options, async_poll
from .push_helpers import (
    async_ours,
    async_settle,
    async_setup_push,
    bus_types,
    push_entry,
    record_bus_events,
)

STRINGS = json.loads(
    (
        Path(__file__).parents[2] / "custom_components/voipnow/translations/en.json"
    ).read_text("utf-8")
)["options"]
SETTINGS = {
    CONF_SCAN_INTERVAL: 10,
    CONF_PUSH_TRANSPORT: "polling",
    CONF_ALLOW_ANY_NUMBER: False,
    CONF_ALLOW_LISTEN_IN: False,
    "renew_callback": False,
}


async def async_save_settings(
    hass: HomeAssistant, entry: MockConfigEntry, **changes: Any
) -> None:
    """Open the settings, change some fields and save them."""
    result = await async_open_options(hass, entry.entry_id, "settings")
    defaults = {str(key): key.default() for key in result["data_schema"].schema}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**defaults, **changes}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_menu_and_forms_are_translated(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Every subject of the menu and every field of its form has a text."""
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    assert result["type"] is FlowResultType.MENU
    assert set(result["menu_options"]) == set(STRINGS["step"]["init"]["menu_options"])

    for step in result["menu_options"]:
        form = await async_open_options(hass, init_integration.entry_id, step)
        strings = STRINGS["step"][step]
        for field in form["data_schema"].schema:
            assert str(field) in strings["data"], (step, field)
            assert str(field) in strings["data_description"], (step, field)
        await hass.config_entries.options.async_configure(
            form["flow_id"], {} if step != "settings" else SETTINGS
        )
        await hass.async_block_till_done()


async def test_scan_interval_applies_without_restart(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
) -> None:
    """A new polling interval takes effect as soon as the options are saved."""
    await async_save_settings(hass, init_integration, **{CONF_SCAN_INTERVAL: 30})

    assert init_integration.options[CONF_SCAN_INTERVAL] == 30
    assert init_integration.state is ConfigEntryState.LOADED
    # The PBX sees the calls listed every 30 seconds, not every 10.
    simulator.clear_requests()
    await async_poll(hass, freezer, timedelta(seconds=10))
    await async_poll(hass, freezer, timedelta(seconds=10))
    assert len(simulator.api_requests("GET", CALLS_PATH)) == 0
    await async_poll(hass, freezer, timedelta(seconds=10))
    assert len(simulator.api_requests("GET", CALLS_PATH)) == 1


async def test_settings_keep_what_they_do_not_show(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The form shows the saved values; saving keeps the other options."""
    await async_save_settings(hass, init_integration, **{CONF_ALLOW_ANY_NUMBER: True})

    result = await async_open_options(hass, init_integration.entry_id, "settings")
    defaults = {str(key): key.default() for key in result["data_schema"].schema}
    assert defaults == {**SETTINGS, CONF_ALLOW_ANY_NUMBER: True}
    assert init_integration.options == {
        CONF_PUSH_TRANSPORT: "polling",
        CONF_SCAN_INTERVAL: 10,
        CONF_ALLOW_ANY_NUMBER: True,
        CONF_ALLOW_LISTEN_IN: False,
    }


async def test_renew_the_callback_address(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """A new webhook id: the PBX is moved to it and the old address is dead."""
    entry = push_entry(simulator)
    http = await async_setup_push(hass, hass_client_no_auth, entry)
    old_id = entry.data[CONF_WEBHOOK_ID]
    old_urls = {sub.url for sub in await async_ours(hass, simulator)}
    events = record_bus_events(hass)

    await async_save_settings(
        hass, entry, push_transport="webhook", renew_callback=True
    )

    new_id = entry.data[CONF_WEBHOOK_ID]
    assert new_id != old_id
    assert entry.state is ConfigEntryState.LOADED
    ours = await async_ours(hass, simulator)
    assert len(ours) == 15
    assert all(URL(sub.url).path == f"/api/webhook/{new_id}" for sub in ours)
    assert not old_urls & {sub.url for sub in ours}
    # Nothing was saved as an option.
    assert "renew_callback" not in entry.options
    # The old address answers nothing any more; calls reach the new one.
    old = next(iter(old_urls))
    response = await http.post(
        str(URL(old).relative()), data={"CallID": "forged", "CallerIDNum": "1"}
    )
    assert response.status == 200  # the webhook component's answer to anyone
    assert events == []
    await simulator.incoming_call(EXT_OFFICE)
    await async_settle(hass)
    assert bus_types(events) == ["incoming_call"]
