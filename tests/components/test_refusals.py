"""A service that refuses the App's good token stops only what needs it.

VoipNow answers `401 access_denied` to a token it has just issued when the
App may not use one service (the call records, a queue of another user).
The calls keep updating, only that feature becomes unavailable, a repair
issue names the service, and it is tried again every 30 minutes.
"""

from __future__ import annotations

from datetime import timedelta
import json

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.voipnow.const import DOMAIN
from custom_components.voipnow.refusals import REFUSED_RETRY
from tests.conftest import EXT_KITCHEN, EXT_OFFICE, async_load
from voipnow_simulator import VoipNowSimulator

from .helpers import OFFICE_CALL_STATE, async_poll, sales_entry

SALES_ONLINE = "sensor.queue_sales_agents_online"
OFFICE_MISSED = "sensor.extension_0003_210_missed_calls"
DENIED = json.dumps({"error": {"code": "access_denied", "message": "Access denied"}})


@pytest.fixture
def mock_config_entry(simulator: VoipNowSimulator) -> MockConfigEntry:
    """The simulator's entry with a call queue named in its options."""
    return sales_entry(simulator, {EXT_OFFICE: 1, EXT_KITCHEN: 0})


def refuse(simulator: VoipNowSimulator, path_prefix: str) -> None:
    """Make the PBX refuse every token on one service."""
    simulator.inject_fault(
        "custom", count=None, path_prefix=path_prefix, status=401, body=DENIED
    )


def reauth_flows(hass: HomeAssistant) -> list[object]:
    """The reauthentication flows in progress."""
    return [
        flow
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        if flow["context"].get("source") == "reauth"
    ]


@pytest.mark.parametrize(
    "case",
    [
        ("/uapi/cdr", "call_records", OFFICE_MISSED, "CDR"),
        ("/uapi/extensions/@me/0003*300/queue", "queues", SALES_ONLINE, "QueueAgents"),
    ],
    ids=["call_records", "queue"],
)
async def test_a_refused_service_stops_only_itself(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    mock_config_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    case: tuple[str, str, str, str],
) -> None:
    """Calls go on; the feature is unavailable, named in a repair, retried in 30 min."""
    path_prefix, service, entity_id, name = case
    await async_load(hass, mock_config_entry)
    assert hass.states.get(entity_id).state != STATE_UNAVAILABLE
    refuse(simulator, path_prefix)
    tokens = len(simulator.token_requests)
    await async_poll(hass, freezer, timedelta(minutes=5, seconds=1))

    # The PBX refused a token it had just issued: a fresh one was tried once.
    assert len(simulator.token_requests) == tokens + 1
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert reauth_flows(hass) == []
    assert hass.states.get(entity_id).state == STATE_UNAVAILABLE
    issue_id = f"service_refused_{service}_{mock_config_entry.entry_id}"
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == "service_refused"
    assert issue.translation_placeholders == {"title": "127.0.0.1", "service": name}

    # The calls keep updating.
    await simulator.incoming_call(EXT_OFFICE)
    await async_poll(hass, freezer)
    assert hass.states.get(OFFICE_CALL_STATE).state == "ringing"
    assert reauth_flows(hass) == []

    # Not asked again before 30 minutes.
    simulator.clear_faults()
    refused_requests = len(simulator.api_requests("GET", path_prefix))
    await async_poll(hass, freezer, timedelta(minutes=10))
    assert len(simulator.api_requests("GET", path_prefix)) == refused_requests
    assert hass.states.get(entity_id).state == STATE_UNAVAILABLE

    # Allowed again: back at the next try, the issue gone.
    await async_poll(hass, freezer, REFUSED_RETRY)
    await hass.async_block_till_done()
    assert hass.states.get(entity_id).state != STATE_UNAVAILABLE
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    assert reauth_flows(hass) == []


async def test_every_service_refusing_a_fresh_token_asks_for_credentials(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    """No service accepts the App's token: that is the App refused, reauthenticate."""
    refuse(simulator, "/uapi/")
    mock_config_entry.add_to_hass(hass)

    assert not await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert mock_config_entry.state is ConfigEntryState.SETUP_ERROR
    assert len(reauth_flows(hass)) == 1
