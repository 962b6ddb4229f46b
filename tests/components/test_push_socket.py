"""Push over VoipNow's API Notifications socket, against the simulator's real socket.

The socket is kept by a background task that lives as long as the entry:
these tests wait with `async_block_till_done()` and `async_until`, never for
every background task.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
import logging
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_SCAN_INTERVAL
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.network import NoURLAvailableError
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.voipnow.const import CONF_PUSH, CONF_PUSH_TRANSPORT, DOMAIN
from custom_components.voipnow.diagnostics import async_get_config_entry_diagnostics
from custom_components.voipnow.push_transport import SOCKET_RETRY
from tests.conftest import EXT_KITCHEN, EXT_OFFICE, UNIQUE_ID, async_load, entry_data
from voipnow_simulator import VoipNowSimulator

from .helpers import CALLS_PATH, OFFICE_CALL_STATE, calls_requests
from .push_helpers import (
    EVENTS_PATH,
    async_serve_internal,
    bus_types,
    leaks,
    record_bus_events,
)

SOCKET_ENTRY_ID = "01JVOIPNOWSOCKETENTRY00000"


def socket_entry(simulator: VoipNowSimulator, transport: str | None) -> MockConfigEntry:
    """Return an entry of this version with the given transport (None: default)."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="127.0.0.1",
        unique_id=UNIQUE_ID,
        data=entry_data(simulator),
        options={} if transport is None else {CONF_PUSH_TRANSPORT: transport},
        minor_version=2,
        entry_id=SOCKET_ENTRY_ID,
    )


async def async_until(
    hass: HomeAssistant, condition: Callable[[], bool], rounds: int = 100_000
) -> None:
    """Let the loop run until the condition holds (real I/O is involved).

    Turns of the loop, not seconds: the frozen clock stops the loop's timers.
    """
    for _ in range(rounds):
        if condition():
            break
        await asyncio.sleep(0)
    else:
        raise AssertionError("condition never held")
    await hass.async_block_till_done()


async def async_turns(turns: int = 1000) -> None:
    """Let the loop turn a while (a closing socket, a timer being set)."""
    for _ in range(turns):
        await asyncio.sleep(0)


async def async_setup(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Add and set up an entry."""
    await async_load(hass, entry)


async def async_setup_refused(
    hass: HomeAssistant, simulator: VoipNowSimulator, transport: str
) -> MockConfigEntry:
    """Set up an entry of an organization-level App: the socket is refused (401)."""
    simulator.notifications.configure(user_level=False)
    entry = socket_entry(simulator, transport)
    await async_setup(hass, entry)
    return entry


def transport_of(entry: MockConfigEntry) -> dict[str, Any]:
    """The transport part of the entry's push diagnostics."""
    diagnostics: dict[str, Any] = entry.runtime_data.calls.push.as_diagnostics()
    return diagnostics["transport"]


def subscription_writes(simulator: VoipNowSimulator) -> list[str]:
    """Requests that created or deleted a PhoneCallEvents subscription."""
    return [
        f"{r.method} {r.path}"
        for r in simulator.requests
        if "phoneCallEvents" in r.path and r.method in ("POST", "DELETE")
    ]


def move_time(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, delta: timedelta
) -> None:
    """Move the clock on and fire what was due by then."""
    freezer.tick(delta)
    async_fire_time_changed(hass)


async def async_drop(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    entry: MockConfigEntry,
) -> None:
    """Drop the socket; once push stops working, let a second pass (a reconnect)."""
    simulator.notifications.drop()
    await async_until(hass, lambda: not entry.runtime_data.calls.push.working)
    await async_turns()
    move_time(hass, freezer, timedelta(seconds=1))


@pytest.fixture(autouse=True)
async def close_sockets(
    hass: HomeAssistant, simulator: VoipNowSimulator
) -> AsyncIterator[None]:
    """Unload every entry after the test, so that no socket (nor its ping) lingers."""
    yield
    for entry in hass.config_entries.async_entries(DOMAIN):
        if entry.state is ConfigEntryState.LOADED:
            await hass.config_entries.async_unload(entry.entry_id)
    await async_until(hass, lambda: not simulator.notifications.open)
    await async_turns()


@pytest.fixture
async def socket_integration(
    hass: HomeAssistant, simulator: VoipNowSimulator
) -> MockConfigEntry:
    """An entry as a new user gets it (automatic), for a user-level App, no URL."""
    entry = socket_entry(simulator, None)
    await async_setup(hass, entry)
    await async_until(hass, lambda: len(simulator.notifications.open) == 1)
    return entry


@pytest.fixture
async def webhook_fallback(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> MockConfigEntry:
    """An automatic entry of an organization-level App, Home Assistant reachable.

    The socket is refused (401): the PBX calls the webhook.
    """
    await async_serve_internal(hass, hass_client_no_auth)
    entry = await async_setup_refused(hass, simulator, "automatic")
    await hass.async_block_till_done(wait_background_tasks=True)
    return entry


async def test_user_level_app_rings_within_one_listing(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    socket_integration: MockConfigEntry,
) -> None:
    """Nothing exposed, nothing subscribed: a ring shows after one listing."""
    assert hass.config.internal_url is None
    assert hass.config.external_url is None
    assert transport_of(socket_integration) == {
        "chosen": "automatic",
        "in_use": "socket",
        "reason": "socket_open",
    }
    before = calls_requests(simulator)
    events = record_bus_events(hass)

    await simulator.incoming_call(EXT_OFFICE, caller_name="John Doe")
    await async_until(hass, lambda: bus_types(events) == ["incoming_call"])

    assert calls_requests(simulator) == before + 1
    assert hass.states.get(OFFICE_CALL_STATE).state == "ringing"
    assert subscription_writes(simulator) == []
    assert not any(r.method == "POST" for r in simulator.api_requests())
    connection = simulator.notifications.accepted[0]
    assert connection.instance_id
    # Push works: polling slows down.
    assert socket_integration.runtime_data.calls.update_interval == timedelta(
        seconds=60
    )


async def test_leftover_subscriptions_are_removed(
    hass: HomeAssistant, simulator: VoipNowSimulator, webhook_fallback: MockConfigEntry
) -> None:
    """Subscriptions of ours from the webhook go once the socket is used."""
    entry = webhook_fallback
    assert len(simulator.subscriptions) == 15
    await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    simulator.notifications.configure(user_level=True)

    assert await hass.config_entries.async_setup(entry.entry_id)
    await async_until(hass, lambda: not simulator.subscriptions)

    assert transport_of(entry)["in_use"] == "socket"


async def test_organization_level_app_uses_the_webhook_then_the_socket(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    webhook_fallback: MockConfigEntry,
) -> None:
    """401: the webhook as before; 30 minutes later the socket is tried again."""
    entry = webhook_fallback

    assert simulator.notifications.refused == [401]
    assert transport_of(entry) == {
        "chosen": "automatic",
        "in_use": "webhook",
        "reason": "socket_refused",
    }
    assert len(simulator.subscriptions) == 15
    events = record_bus_events(hass)
    await simulator.incoming_call(EXT_OFFICE)
    await hass.async_block_till_done()
    assert bus_types(events) == ["incoming_call"]
    tokens = len(simulator.token_requests)

    # Still refused after 30 minutes: tried once more with the same token.
    move_time(hass, freezer, SOCKET_RETRY)
    await async_until(hass, lambda: len(simulator.notifications.refused) == 2)
    assert len(simulator.token_requests) == tokens
    assert transport_of(entry)["in_use"] == "webhook"

    simulator.notifications.configure(user_level=True)
    move_time(hass, freezer, SOCKET_RETRY)
    await async_until(hass, lambda: len(simulator.notifications.open) == 1)
    await async_until(hass, lambda: not simulator.subscriptions)
    assert transport_of(entry)["in_use"] == "socket"
    # The current token (the listings renewed it meanwhile): a live deviceId.
    assert simulator.notifications.open[0].device_id in (
        simulator.notifications.device_ids()
    )


async def test_organization_level_app_without_url_polls(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Refused and no URL of Home Assistant: polling, and the no-URL issue."""
    with patch(
        "custom_components.voipnow.push_url.get_url", side_effect=NoURLAvailableError
    ):
        entry = await async_setup_refused(hass, simulator, "automatic")

    assert transport_of(entry)["in_use"] == "polling"
    assert transport_of(entry)["reason"] == "socket_refused"
    assert issue_registry.async_get_issue(DOMAIN, f"no_reachable_url_{entry.entry_id}")
    assert subscription_writes(simulator) == []
    # Unloading cancels the retry: none happens later.
    assert await hass.config_entries.async_unload(entry.entry_id)
    move_time(hass, freezer, SOCKET_RETRY)
    await async_turns()
    assert simulator.notifications.refused == [401]


async def test_socket_only_refused_polls_with_an_issue(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    issue_registry: ir.IssueRegistry,
) -> None:
    """The socket alone, refused: polling, a repair issue, and a retry."""
    entry = await async_setup_refused(hass, simulator, "socket")
    issue_id = f"socket_refused_{entry.entry_id}"

    assert transport_of(entry) == {
        "chosen": "socket",
        "in_use": "polling",
        "reason": "socket_refused",
    }
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders == {"title": "127.0.0.1"}
    assert subscription_writes(simulator) == []

    simulator.notifications.configure(user_level=True)
    move_time(hass, freezer, SOCKET_RETRY)
    await async_until(hass, lambda: len(simulator.notifications.open) == 1)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    assert transport_of(entry)["in_use"] == "socket"


async def test_dropped_socket_reconnects_with_backoff(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    socket_integration: MockConfigEntry,
) -> None:
    """A drop: polling at the normal pace, then 1 s, then 2 s before reconnecting."""
    coordinator = socket_integration.runtime_data.calls
    simulator.notifications.drop()
    await async_until(hass, lambda: not coordinator.push.working)
    await async_until(
        hass, lambda: coordinator.update_interval == timedelta(seconds=10)
    )

    move_time(hass, freezer, timedelta(seconds=1))
    await async_until(hass, lambda: len(simulator.notifications.open) == 1)
    assert len(simulator.notifications.accepted) == 2

    # Dropped again at once: the next attempt waits 2 s.
    await async_drop(hass, freezer, simulator, socket_integration)
    await async_turns()
    assert not simulator.notifications.open
    move_time(hass, freezer, timedelta(seconds=1))
    await async_until(hass, lambda: len(simulator.notifications.open) == 1)

    events = record_bus_events(hass)
    await simulator.incoming_call(EXT_KITCHEN)
    await async_until(hass, lambda: bus_types(events) == ["incoming_call"])
    diagnostics = coordinator.push.as_diagnostics()["socket"]
    assert diagnostics["reconnects"] == 2
    assert diagnostics["connected"] is True


async def test_offline_pbx_backs_off_up_to_five_minutes(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    socket_integration: MockConfigEntry,
) -> None:
    """While the PBX is away, attempts space out (1, 2, 4 … s); back, it reconnects."""
    await simulator.go_offline()
    push = socket_integration.runtime_data.calls.push
    await async_until(hass, lambda: not push.working)
    for _ in range(10):
        move_time(hass, freezer, timedelta(seconds=301))
        await async_until(hass, lambda: True)
    await simulator.go_online()
    move_time(hass, freezer, timedelta(seconds=301))
    await async_until(hass, lambda: len(simulator.notifications.open) == 1)
    assert push.as_diagnostics()["socket"]["last_error"] == "VoipNowConnectionError"


async def test_renewed_token_reconnects_with_a_new_device_id(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    socket_integration: MockConfigEntry,
) -> None:
    """Before the token ends, a new one is asked for and the socket reopened."""
    assert len(simulator.token_requests) == 1
    move_time(hass, freezer, timedelta(hours=1))
    await async_until(hass, lambda: len(simulator.notifications.accepted) == 2)
    await async_until(hass, lambda: len(simulator.notifications.open) == 1)

    first, second = simulator.notifications.accepted
    assert first.device_id != second.device_id
    assert first.instance_id != second.instance_id
    assert len(simulator.token_requests) == 2
    push = socket_integration.runtime_data.calls.push
    assert push.as_diagnostics()["socket"]["token_renewals"] == 1
    events = record_bus_events(hass)
    await simulator.incoming_call(EXT_OFFICE)
    await async_until(hass, lambda: bus_types(events) == ["incoming_call"])


async def test_flood_of_odd_messages_fires_nothing_and_costs_few_listings(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    socket_integration: MockConfigEntry,
) -> None:
    """1,000 messages of every shape: no event, a bounded number of listings."""
    events = record_bus_events(hass)
    push = socket_integration.runtime_data.calls.push
    before = calls_requests(simulator)
    hub = simulator.notifications
    hub.configure(mode="odd")
    for index in range(1000):
        if index % 10 == 0:
            hub.send_raw("not JSON {")
        else:
            hub.changed([EXT_OFFICE], {})
    await hub.wait()

    def received() -> int:
        socket = push.as_diagnostics()["socket"]
        return socket["messages"] + socket["ignored_not_json"]

    await async_until(hass, lambda: received() == 1000, rounds=1_000_000)
    await hass.async_block_till_done()
    assert events == []
    assert push.as_diagnostics()["socket"]["ignored_not_json"] >= 100
    listings = calls_requests(simulator) - before
    assert 1 <= listings <= 50, listings


async def test_not_json_is_ignored(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    socket_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A message that is not JSON wakes nothing and is logged at debug only."""
    caplog.set_level(logging.DEBUG)
    before = calls_requests(simulator)
    simulator.notifications.configure(mode="non_json")
    await simulator.incoming_call(EXT_OFFICE)
    await simulator.notifications.wait()
    push = socket_integration.runtime_data.calls.push
    await async_until(
        hass, lambda: push.as_diagnostics()["socket"]["ignored_not_json"] == 1
    )
    assert calls_requests(simulator) == before
    record = next(r for r in caplog.records if "not JSON" in r.getMessage())
    assert record.levelno == logging.DEBUG


async def test_silent_socket_raises_the_issue(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    socket_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Calls only polling finds: polling speeds up and an issue says so."""
    coordinator = socket_integration.runtime_data.calls
    issue_id = f"socket_not_arriving_{socket_integration.entry_id}"
    simulator.notifications.configure(mode="silent")
    freezer.tick(timedelta(minutes=1))
    for _ in range(3):
        call_id = await simulator.incoming_call(EXT_OFFICE)
        await coordinator.async_refresh()
        await simulator.hangup_call(call_id)
        await coordinator.async_refresh()
        assert not coordinator.push.working
    await hass.async_block_till_done()
    assert coordinator.update_interval == timedelta(seconds=10)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None

    simulator.notifications.configure(mode="documented")
    await simulator.incoming_call(EXT_KITCHEN)
    await async_until(hass, lambda: coordinator.push.working)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_unload_closes_the_socket(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    socket_integration: MockConfigEntry,
) -> None:
    """Unloading the entry closes the connection."""
    assert await hass.config_entries.async_unload(socket_integration.entry_id)
    await async_until(hass, lambda: not simulator.notifications.open)
    assert socket_integration.state is ConfigEntryState.NOT_LOADED


async def test_device_id_never_logged_nor_shown(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The deviceId (a credential) shows in no log line and no diagnostics."""
    caplog.set_level(logging.DEBUG)
    entry = socket_entry(simulator, None)
    await async_setup(hass, entry)
    await async_until(hass, lambda: len(simulator.notifications.open) == 1)
    simulator.notifications.drop()
    await async_until(
        hass, lambda: entry.runtime_data.calls.push.socket.last_error is not None
    )
    device_id = simulator.notifications.accepted[0].device_id
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)

    assert device_id not in str(diagnostics)
    assert "hubgetsb" not in str(diagnostics)
    assert leaks(caplog, device_id, "deviceId") == []


async def test_polling_only_opens_nothing(
    hass: HomeAssistant, simulator: VoipNowSimulator
) -> None:
    """Push off: no socket, no subscription, no diagnostics of push."""
    entry = socket_entry(simulator, "polling")
    await async_setup(hass, entry)

    assert simulator.notifications.accepted == []
    assert simulator.notifications.refused == []
    assert entry.runtime_data.calls.push is None
    assert not simulator.api_requests("GET", "/hubgetsb")
    assert simulator.api_requests("GET", CALLS_PATH)
    assert not simulator.api_requests("GET", EVENTS_PATH)


@pytest.mark.parametrize(
    ("old", "migrated"),
    [
        ({CONF_PUSH: True}, {CONF_PUSH_TRANSPORT: "automatic"}),
        ({CONF_PUSH: False}, {CONF_PUSH_TRANSPORT: "polling"}),
        ({}, {CONF_PUSH_TRANSPORT: "automatic"}),
        (
            {CONF_PUSH: False, CONF_SCAN_INTERVAL: 20},
            {CONF_PUSH_TRANSPORT: "polling", CONF_SCAN_INTERVAL: 20},
        ),
    ],
)
async def test_push_option_of_version_1_1_is_migrated(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    old: dict[str, Any],
    migrated: dict[str, Any],
) -> None:
    """The boolean push option becomes the transport choice (entry 1.2)."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="127.0.0.1",
        unique_id=UNIQUE_ID,
        data=entry_data(simulator),
        options=old,
        version=1,
        minor_version=1,
    )
    await async_setup(hass, entry)

    assert entry.state is ConfigEntryState.LOADED
    assert (entry.version, entry.minor_version) == (1, 2)
    assert dict(entry.options) == migrated
    opened = migrated[CONF_PUSH_TRANSPORT] == "automatic"
    await async_until(hass, lambda: len(simulator.notifications.open) == opened)


async def test_entry_of_a_newer_version_is_not_loaded(
    hass: HomeAssistant, simulator: VoipNowSimulator
) -> None:
    """An entry saved by a newer major version is left alone."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=UNIQUE_ID,
        data=entry_data(simulator),
        options={CONF_PUSH: True},
        version=2,
    )
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.MIGRATION_ERROR
    assert dict(entry.options) == {CONF_PUSH: True}


async def test_unknown_transport_is_automatic(
    hass: HomeAssistant, simulator: VoipNowSimulator
) -> None:
    """A transport this version does not know (a downgrade) means automatic."""
    entry = socket_entry(simulator, "carrier-pigeon")
    await async_setup(hass, entry)
    await async_until(hass, lambda: len(simulator.notifications.open) == 1)
    assert transport_of(entry)["chosen"] == "automatic"


async def test_app_no_longer_accepted_falls_back(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    socket_integration: MockConfigEntry,
) -> None:
    """Refused on a reconnect: the webhook's turn, and a retry in 30 minutes."""
    simulator.notifications.configure(user_level=False)
    await async_drop(hass, freezer, simulator, socket_integration)
    await async_until(hass, lambda: simulator.notifications.refused == [401])
    await async_until(
        hass, lambda: transport_of(socket_integration)["in_use"] != "socket"
    )
    assert transport_of(socket_integration)["reason"] == "socket_refused"

    simulator.notifications.configure(user_level=True)
    move_time(hass, freezer, SOCKET_RETRY)
    await async_until(hass, lambda: len(simulator.notifications.open) == 1)
    assert transport_of(socket_integration)["in_use"] == "socket"


async def test_refused_credentials_stop_the_socket(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    socket_integration: MockConfigEntry,
) -> None:
    """Once the App's credentials are refused, the socket never asks again."""
    simulator.set_client_secret("regenerated")
    move_time(hass, freezer, timedelta(seconds=60))
    await async_until(
        hass, lambda: not socket_integration.runtime_data.calls.last_update_success
    )
    await async_drop(hass, freezer, simulator, socket_integration)
    await async_until(
        hass,
        lambda: transport_of(socket_integration)["reason"] == "credentials_refused",
    )
    tokens = len(simulator.token_requests)
    attempts = len(simulator.api_requests("GET", "/hubgetsb"))

    move_time(hass, freezer, SOCKET_RETRY * 2)
    await async_turns()
    assert len(simulator.api_requests("GET", "/hubgetsb")) == attempts
    assert len(simulator.token_requests) == tokens


async def test_a_message_asks_the_coordinator_for_a_listing(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    socket_integration: MockConfigEntry,
) -> None:
    """A message goes to the coordinator's coalesced `request_listing`, not a GET."""
    asked: list[str] = []
    coordinator = socket_integration.runtime_data.calls
    coordinator.request_listing = lambda *, source: asked.append(source)  # type: ignore[attr-defined]
    before = calls_requests(simulator)

    simulator.notifications.send_raw({"timestamp": 1, "class": "", "content": {}})
    await async_until(hass, lambda: asked == ["socket"])
    assert calls_requests(simulator) == before
