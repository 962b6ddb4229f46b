"""Deleting subscriptions works whether the PBX answers the deleted ids or nothing.

"Delete PhoneCallEvents" answers 200 with the ids it deleted and 204 when
there is no id to return; a server may also delete and answer 204. Both
answers must leave the integration doing the same: removal cleans up
without a warning, a stale subscription is replaced, a reload keeps push.
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from yarl import URL

from custom_components.voipnow.subscriptions import async_note
from tests.conftest import EXT_OFFICE
from voipnow_simulator import VoipNowSimulator

from .push_helpers import (
    PUSH_ENTRY_ID,
    async_ours,
    async_serve_internal,
    async_settle,
    base_url,
    bus_types,
    push_entry,
    record_bus_events,
)

EVENTS = "/uapi/extensions/@me/{}/phoneCallEvents/{}/{}"


@pytest.fixture(autouse=True, params=["ids", "204"])
def delete_answer(simulator: VoipNowSimulator, request: pytest.FixtureRequest) -> None:
    """Run each test with both answers of "Delete PhoneCallEvents"."""
    simulator.set_modes(delete_events_answer=request.param)


def _deletes(simulator: VoipNowSimulator) -> list[str]:
    """Return the path of each DELETE of a subscription the PBX received."""
    return [r.path for r in simulator.api_requests("DELETE", "/uapi/extensions/")]


async def test_removal_deletes_each_subscription_once(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    push_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """One DELETE per subscription of ours, by its type and id; none warns."""
    ours = await async_ours(hass, simulator)
    assert len(ours) == 15
    crm = simulator.pbx.add_subscription(
        EXT_OFFICE, 0, 1, "https://crm.example/hook", 1, "crm"
    )
    wanted = sorted(EVENTS.format(s.extension, s.type, s.id) for s in ours)

    await hass.config_entries.async_remove(push_integration.entry_id)
    await hass.async_block_till_done()

    assert sorted(_deletes(simulator)) == wanted
    assert list(simulator.subscriptions) == [crm.id]
    assert "Could not delete" not in caplog.text


async def test_stale_subscription_replaced_then_reload_keeps_push(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    hass_client_no_auth: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A stale subscription is deleted and replaced at setup, whatever the answer."""
    client = await async_serve_internal(hass, hass_client_no_auth)
    note = await async_note(hass, PUSH_ENTRY_ID)
    stale = simulator.pbx.add_subscription(
        EXT_OFFICE, 0, 1, f"{base_url(client)}/api/webhook/old?ha_event=x", 1, note
    )
    entry = push_entry(simulator)
    entry.add_to_hass(hass)

    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert _deletes(simulator) == [EVENTS.format(EXT_OFFICE, 0, stale.id)]
    ours = await async_ours(hass, simulator)
    assert stale.id not in simulator.subscriptions
    assert len(ours) == 15
    dial_in = [s for s in ours if (s.extension, s.type) == (EXT_OFFICE, 0)]
    assert [URL(s.url).path for s in dial_in] == [
        f"/api/webhook/{entry.data['webhook_id']}"
    ]

    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    events = record_bus_events(hass)
    await simulator.incoming_call(EXT_OFFICE)
    await async_settle(hass)

    assert bus_types(events) == ["incoming_call"]
    assert len(_deletes(simulator)) == 1
    assert len(await async_ours(hass, simulator)) == 15
    assert "Could not" not in caplog.text
