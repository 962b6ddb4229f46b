"""Tests for push: the webhook, the PBX's subscriptions and the polling fallback."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
import json
import logging
import sys
from types import ModuleType
from typing import Any
from unittest.mock import AsyncMock, Mock, patch

from aiohttp import ClientResponseError
from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
from homeassistant import components
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_SCAN_INTERVAL, CONF_WEBHOOK_ID, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.helpers.network import NoURLAvailableError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from yarl import URL

from custom_components.voipnow.api.urls import is_local_host
from custom_components.voipnow.const import CONF_PUSH_TRANSPORT, DOMAIN
from custom_components.voipnow.diagnostics import async_get_config_entry_diagnostics
from custom_components.voipnow.subscriptions import async_note
from tests.conftest import EXT_GARAGE, EXT_KITCHEN, EXT_OFFICE, async_load, entry_data
from voipnow_simulator import VoipNowSimulator

from .helpers import (
    EXTENSIONS_REFRESH_INTERVAL,
    OFFICE_CALL_STATE,
    PUSH_SCAN_INTERVAL,
    SUBSCRIBE_RETRY,
    async_poll,
    calls_requests,
)
from .push_helpers import (
    MARKERS,
    OFFICE_CALL_EVENT,
    PUSH_ENTRY_ID,
    async_ours,
    async_serve_http,
    async_serve_internal,
    async_settle,
    async_setup_push,
    base_url,
    bus_types,
    fired,
    leaks,
    push_entry,
    record_bus_events,
    record_fired,
    webhook_target,
)

EXTENSIONS = (EXT_OFFICE, EXT_KITCHEN, EXT_GARAGE)
NEW_EXTENSION = "0003*213"
WEBHOOK_ID = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
EVENTS_PREFIX = "/uapi/extensions/@me/0003"
PATCH_LOCAL = "custom_components.voipnow.push_url.is_local_url"
CLOUDHOOK = "https://hooks.nabu.casa/voipnow-test-cloudhook"


class CloudNotAvailable(HomeAssistantError):  # noqa: N818 - the Cloud name
    """The Cloud integration's error when it cannot make a cloudhook."""


class CloudNotConnected(CloudNotAvailable):
    """The Cloud integration's error while it is not connected."""


RING = {
    "CallID": "feedc0ffee",
    "CallerIDNum": "5551234",
    "CallerIDName": "John Doe",
    "CalledDID": "",
    "CalledExtension": EXT_OFFICE,
    "CallerExtension": "",
    "CalledNumber": EXT_OFFICE,
    "CallFlow": "IN",
    "CallStatus": "CALLING",
}


def sub_requests(simulator: VoipNowSimulator, method: str) -> int:
    """Count the PBX's requests of one method on subscriptions."""
    return len(simulator.api_requests(method, EVENTS_PREFIX))


async def async_options(
    hass: HomeAssistant, entry: MockConfigEntry, *, push: bool
) -> None:
    """Save the options form with push turned on or off."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "settings"}
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            CONF_SCAN_INTERVAL: 10,
            CONF_PUSH_TRANSPORT: "webhook" if push else "polling",
            "allow_any_number": False,
            "renew_callback": False,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done(wait_background_tasks=True)


# --- subscriptions ----------------------------------------------------------


async def test_every_extension_is_subscribed(
    hass: HomeAssistant, simulator: VoipNowSimulator, push_integration: MockConfigEntry
) -> None:
    """Each extension gets its five call events, posted to the entry's webhook."""
    ours = await async_ours(hass, simulator)

    assert len(simulator.subscriptions) == len(ours) == 15
    assert sorted((sub.extension, sub.type) for sub in ours) == sorted(
        (extension, kind) for extension in EXTENSIONS for kind in range(5)
    )
    webhook_id = push_integration.data[CONF_WEBHOOK_ID]
    for sub in ours:
        url = URL(sub.url)
        assert (sub.method, sub.status) == (1, 1)
        assert url.path == f"/api/webhook/{webhook_id}"
        assert dict(url.query) == {
            "ha_event": MARKERS[sub.type],
            "ha_extension": sub.extension,
        }
    assert sub_requests(simulator, "DELETE") == 0


@pytest.mark.usefixtures("push_integration")
async def test_polling_slows_while_push_works(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, simulator: VoipNowSimulator
) -> None:
    """Once a listing confirms callbacks, the calls are listed once a minute only."""
    # Subscribed, but no callback yet: nothing shows the PBX reaches us.
    await async_poll(hass, freezer)
    polls = calls_requests(simulator)
    await async_poll(hass, freezer)
    assert calls_requests(simulator) == polls + 1
    # A call too short for any listing to show confirms nothing either.
    await simulator.hangup_call(await simulator.incoming_call(EXT_OFFICE))
    await async_settle(hass)
    await async_poll(hass, freezer)
    polls = calls_requests(simulator)
    await async_poll(hass, freezer)
    assert calls_requests(simulator) == polls + 1

    call_id = await simulator.incoming_call(EXT_OFFICE)
    await async_settle(hass)
    await simulator.hangup_call(call_id)
    await async_settle(hass)
    polls = calls_requests(simulator)

    await async_poll(hass, freezer)
    await async_poll(hass, freezer)
    assert calls_requests(simulator) == polls

    await async_poll(hass, freezer, PUSH_SCAN_INTERVAL - timedelta(seconds=20))
    assert calls_requests(simulator) == polls + 1


@pytest.mark.parametrize("reloads", [3, 10])
async def test_reloads_do_not_multiply_subscriptions(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    push_integration: MockConfigEntry,
    reloads: int,
) -> None:
    """Restarting reuses the subscriptions instead of adding more."""
    for _ in range(reloads):
        assert await hass.config_entries.async_reload(push_integration.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)

    ours = await async_ours(hass, simulator)
    assert len(simulator.subscriptions) == len(ours) == 15
    assert sub_requests(simulator, "POST") == 15
    assert sub_requests(simulator, "DELETE") == 0
    assert sub_requests(simulator, "GET") == 3 * (reloads + 1)
    events = record_bus_events(hass)
    await simulator.incoming_call(EXT_OFFICE)
    await async_settle(hass)
    assert bus_types(events) == ["incoming_call"]


async def test_stale_subscriptions_replaced_foreign_kept(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Our stale subscriptions are replaced; other apps' subscriptions stay."""
    client = await async_serve_internal(hass, hass_client_no_auth)
    note = await async_note(hass, PUSH_ENTRY_ID)
    hook = f"{base_url(client)}/api/webhook/{WEBHOOK_ID}"
    pbx = simulator.pbx
    # Ours, from an earlier webhook id: replaced.
    stale = pbx.add_subscription(
        EXT_OFFICE,
        0,
        1,
        f"{base_url(client)}/api/webhook/old?ha_event=dial_in",
        1,
        note,
    )
    # Ours, but turned off on the PBX: replaced.
    off = pbx.add_subscription(
        EXT_OFFICE, 2, 1, f"{hook}?ha_event=hangup&ha_extension=0003*210", 0, note
    )
    # Ours twice: one is kept.
    twice = [
        pbx.add_subscription(
            EXT_KITCHEN, 0, 1, f"{hook}?ha_extension=0003*211&ha_event=dial_in", 1, note
        )
        for _ in range(2)
    ]
    # Ours, the URL re-encoded by the PBX: kept.
    encoded = pbx.add_subscription(
        EXT_GARAGE, 0, 1, f"{hook}?ha_event=dial_in&ha_extension=0003%2A212", 1, note
    )
    # Ours, with a URL that does not even parse: replaced.
    broken = pbx.add_subscription(EXT_GARAGE, 1, 1, "http://[::1/hook", 1, note)
    # Ours, of a type this client does not know: it cannot be addressed.
    unknown = pbx.add_subscription(EXT_GARAGE, 7, 1, f"{hook}?ha_event=x", 1, note)
    # Another app's, and one without a note: left alone.
    crm = pbx.add_subscription(EXT_OFFICE, 0, 1, "https://crm.example/hook", 1, "crm")
    bare = pbx.add_subscription(EXT_OFFICE, 2, 0, "https://crm.example/hook", 1, None)
    entry = push_entry(simulator, **{CONF_WEBHOOK_ID: WEBHOOK_ID})
    await async_load(hass, entry, background=True)

    subs = simulator.subscriptions
    assert stale.id not in subs
    assert off.id not in subs
    assert broken.id not in subs
    assert sum(sub.id in subs for sub in twice) == 1
    assert {encoded.id, unknown.id, crm.id, bare.id} <= subs.keys()
    assert sub_requests(simulator, "DELETE") == 4
    assert sub_requests(simulator, "POST") == 13
    wanted = [sub for sub in await async_ours(hass, simulator) if sub is not unknown]
    assert len(wanted) == 15
    assert all(URL(sub.url).path == f"/api/webhook/{WEBHOOK_ID}" for sub in wanted)

    events = record_bus_events(hass)
    await simulator.incoming_call(EXT_OFFICE)
    await simulator.incoming_call(EXT_GARAGE)
    assert bus_types(events) == ["incoming_call", "incoming_call"]


async def test_subscriptions_of_a_vanished_entry_are_deleted(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """An entry removed without reaching the PBX left subscriptions: the next goes.

    Another entry of this Home Assistant, and another Home Assistant's
    entries, keep theirs.
    """
    await async_serve_internal(hass, hass_client_no_auth)
    ours = await async_note(hass, PUSH_ENTRY_ID)
    instance = ours.split()[1]
    other = MockConfigEntry(domain=DOMAIN, entry_id="01JVOIPNOWOTHERENTRY00000")
    other.add_to_hass(hass)
    hook = "https://old.example/api/webhook/gone?ha_event=dial_in"
    pbx = simulator.pbx
    vanished = pbx.add_subscription(
        EXT_OFFICE, 0, 1, hook, 1, f"home-assistant-voipnow {instance} 01JGONE"
    )
    live = pbx.add_subscription(
        EXT_OFFICE, 1, 1, hook, 1, f"home-assistant-voipnow {instance} {other.entry_id}"
    )
    elsewhere = pbx.add_subscription(
        EXT_OFFICE, 2, 1, hook, 1, "home-assistant-voipnow another-instance 01JGONE"
    )
    entry = push_entry(simulator, **{CONF_WEBHOOK_ID: WEBHOOK_ID})
    await async_load(hass, entry, background=True)

    subs = simulator.subscriptions
    assert vanished.id not in subs
    assert {live.id, elsewhere.id} <= subs.keys()
    assert sub_requests(simulator, "DELETE") == 1


@pytest.mark.usefixtures("push_integration")
async def test_new_extension_is_subscribed(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, simulator: VoipNowSimulator
) -> None:
    """An extension added on the PBX is subscribed once the extensions are listed."""
    simulator.add_extension(NEW_EXTENSION, name="Lobby")

    await async_poll(hass, freezer, EXTENSIONS_REFRESH_INTERVAL + timedelta(seconds=1))
    await hass.async_block_till_done(wait_background_tasks=True)

    ours = await async_ours(hass, simulator)
    assert len(ours) == 20
    assert sorted(sub.type for sub in ours if sub.extension == NEW_EXTENSION) == [
        0,
        1,
        2,
        3,
        4,
    ]
    states = record_fired(hass, "event.extension_0003_213_call")
    await simulator.incoming_call(NEW_EXTENSION)
    await async_settle(hass)
    assert fired(states) == ["incoming_call"]


async def test_entry_removal_deletes_ours(
    hass: HomeAssistant, simulator: VoipNowSimulator, push_integration: MockConfigEntry
) -> None:
    """Removing the entry deletes our subscriptions, and only ours."""
    crm = simulator.pbx.add_subscription(
        EXT_OFFICE, 0, 1, "https://crm.example/hook", 1, "crm"
    )

    await hass.config_entries.async_remove(push_integration.entry_id)
    await hass.async_block_till_done()

    assert list(simulator.subscriptions) == [crm.id]
    assert sub_requests(simulator, "DELETE") == 15


async def test_entry_removal_with_pbx_gone(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    push_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Removing the entry while the PBX is unreachable warns and still removes it."""
    await simulator.go_offline()

    await hass.config_entries.async_remove(push_integration.entry_id)
    await hass.async_block_till_done()

    assert hass.config_entries.async_get_entry(push_integration.entry_id) is None
    assert "Could not delete the call event subscriptions" in caplog.text
    assert len(simulator.subscriptions) == 15


async def test_push_turned_off_and_on_in_options(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    push_integration: MockConfigEntry,
) -> None:
    """Turning push off deletes our subscriptions and polls at once; on again, back."""
    crm = simulator.pbx.add_subscription(
        EXT_OFFICE, 0, 1, "https://crm.example/hook", 1, "crm"
    )

    await async_options(hass, push_integration, push=False)

    assert push_integration.state is ConfigEntryState.LOADED
    assert list(simulator.subscriptions) == [crm.id]
    events = record_bus_events(hass)
    await simulator.incoming_call(EXT_OFFICE)
    assert events == []
    polls = calls_requests(simulator)
    await async_poll(hass, freezer)
    assert calls_requests(simulator) == polls + 1
    assert bus_types(events) == ["incoming_call"]

    await async_options(hass, push_integration, push=True)

    assert len(await async_ours(hass, simulator)) == 15
    await simulator.outgoing_call(EXT_KITCHEN, "5559876")
    await async_settle(hass)
    assert bus_types(events) == ["incoming_call", "outgoing_call"]


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("http_500", "VoipNowResponseError, HTTP 500, internal_server_error"),
        ("empty_200", "VoipNowMalformedResponseError, HTTP 200"),
        ("disconnect", "VoipNowConnectionError"),
    ],
)
async def test_subscription_failure_falls_back_to_polling(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    hass_client_no_auth: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
    fault: str,
    error: str,
) -> None:
    """A PBX refusing subscriptions leaves polling on, warned once per extension."""
    simulator.inject_fault(fault, count=None, path_prefix=EVENTS_PREFIX)
    entry = push_entry(simulator)

    await async_setup_push(hass, hass_client_no_auth, entry)

    def warnings() -> list[str]:
        return [
            record.getMessage()
            for record in caplog.records
            if record.levelno == logging.WARNING and "subscribe" in record.getMessage()
        ]

    assert entry.state is ConfigEntryState.LOADED
    assert sorted(warnings()) == [
        f"Could not subscribe extension {extension} to call events "
        f"({error}): its calls are polled"
        for extension in sorted(EXTENSIONS)
    ]
    assert simulator.subscriptions == {}

    # Polling at the normal interval shows the calls.
    await simulator.incoming_call(EXT_OFFICE)
    await async_poll(hass, freezer)
    assert hass.states.get(OFFICE_CALL_STATE).state == "ringing"

    # Tried again later: still failing, no new warning.
    attempts = sub_requests(simulator, "GET")
    await async_poll(hass, freezer, SUBSCRIBE_RETRY)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert sub_requests(simulator, "GET") > attempts
    assert len(warnings()) == 3

    # Once the PBX accepts them, push works and polling slows down.
    simulator.clear_faults()
    await async_poll(hass, freezer, SUBSCRIBE_RETRY)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert len(await async_ours(hass, simulator)) == 15
    assert len(warnings()) == 3
    await simulator.hangup_call(next(iter(simulator.calls)))  # a callback arrives
    await async_settle(hass)
    polls = calls_requests(simulator)
    await async_poll(hass, freezer)
    await async_poll(hass, freezer)
    assert calls_requests(simulator) == polls


# --- reaching Home Assistant ----------------------------------------------


@asynccontextmanager
async def async_unreachable_entry(
    hass: HomeAssistant, simulator: VoipNowSimulator
) -> AsyncIterator[MockConfigEntry]:
    """Set up a push entry while Home Assistant has no URL the PBX can call."""
    entry = push_entry(simulator)
    with patch(PATCH_LOCAL, return_value=False):
        await async_load(hass, entry, background=True)
        yield entry


async def test_no_reachable_url_raises_repair_issue(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    hass_client_no_auth: ClientSessionGenerator,
    issue_registry: ir.IssueRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Without a URL the PBX can call, a repair issue says so and calls are polled."""
    async with async_unreachable_entry(hass, simulator) as entry:
        issue_id = f"no_reachable_url_{entry.entry_id}"
        issue = issue_registry.async_get_issue(DOMAIN, issue_id)
        assert issue is not None
        assert issue.translation_key == "no_reachable_url"
        assert issue.severity is ir.IssueSeverity.WARNING
        assert issue.translation_placeholders == {"title": "127.0.0.1"}
        assert "No URL of Home Assistant reachable by the PBX" in caplog.text
        assert simulator.subscriptions == {}

        events = record_bus_events(hass)
        await simulator.incoming_call(EXT_OFFICE)
        await async_poll(hass, freezer)
        assert bus_types(events) == ["incoming_call"]

        # An external URL is set and the entry reloads: push takes over.
        client = await async_serve_http(hass, hass_client_no_auth)
        hass.config.external_url = base_url(client)
        assert await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)

        assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
        assert len(await async_ours(hass, simulator)) == 15
        await simulator.incoming_call(EXT_KITCHEN)
        await async_settle(hass)
        assert bus_types(events) == ["incoming_call", "incoming_call"]


@pytest.mark.parametrize("leave", ["push_off", "remove"])
async def test_repair_issue_goes_with_push(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    issue_registry: ir.IssueRegistry,
    leave: str,
) -> None:
    """Turning push off or removing the entry takes the repair issue away."""
    async with async_unreachable_entry(hass, simulator) as entry:
        issue_id = f"no_reachable_url_{entry.entry_id}"
        assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None

        if leave == "push_off":
            await async_options(hass, entry, push=False)
            assert entry.state is ConfigEntryState.LOADED
        else:
            await hass.config_entries.async_remove(entry.entry_id)
            await hass.async_block_till_done()

    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


@pytest.mark.parametrize(
    ("active", "cloudhook", "subscribed"),
    [
        (True, AsyncMock(return_value=CLOUDHOOK), 15),
        (True, AsyncMock(side_effect=CloudNotConnected), 0),
        (True, AsyncMock(side_effect=TimeoutError), 0),
        (True, AsyncMock(side_effect=ClientResponseError(Mock(), (), status=502)), 0),
        (True, AsyncMock(side_effect=ValueError("no cloud user")), 0),
        (False, AsyncMock(return_value=CLOUDHOOK), 0),
    ],
    ids=[
        "connected",
        "not_connected",
        "timeout",
        "http_error",
        "value_error",
        "no_subscription",
    ],
)
async def test_cloudhook_when_no_other_url(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    issue_registry: ir.IssueRegistry,
    active: bool,
    cloudhook: AsyncMock,
    subscribed: int,
) -> None:
    """With a Home Assistant Cloud subscription, the PBX calls a cloudhook."""
    async with async_cloud_entry(
        hass, simulator, active, async_get_or_create_cloudhook=cloudhook
    ) as entry:
        pass

    # Whatever went wrong with the cloud, the entry loads and polls.
    assert entry.state is ConfigEntryState.LOADED
    ours = await async_ours(hass, simulator)
    assert len(ours) == subscribed
    assert all(sub.url.startswith(f"{CLOUDHOOK}?") for sub in ours)
    issue = issue_registry.async_get_issue(DOMAIN, f"no_reachable_url_{entry.entry_id}")
    assert (issue is None) == bool(subscribed)
    assert cloudhook.await_count == active


@asynccontextmanager
async def async_cloud_entry(
    hass: HomeAssistant, simulator: VoipNowSimulator, active: bool, **api: Any
) -> AsyncIterator[MockConfigEntry]:
    """Set up a push entry without a local URL, with a Cloud subscription or not.

    The Cloud integration's API as the integration uses it (importing the real
    one needs packages the test environment may lack): `api` adds functions.
    """
    cloud = ModuleType("homeassistant.components.cloud")
    cloud.CloudNotAvailable = CloudNotAvailable
    cloud.async_active_subscription = Mock(return_value=active)
    for name, function in api.items():
        setattr(cloud, name, function)
    hass.config.components.add("cloud")
    entry = push_entry(simulator)
    entry.add_to_hass(hass)
    with (
        patch(PATCH_LOCAL, return_value=False),
        patch.dict(sys.modules, {"homeassistant.components.cloud": cloud}),
        patch.object(components, "cloud", cloud, create=True),
    ):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)
        yield entry


@pytest.mark.parametrize("error", [None, CloudNotConnected, ValueError])
async def test_cloudhook_deleted_with_the_entry(
    hass: HomeAssistant, simulator: VoipNowSimulator, error: type[Exception] | None
) -> None:
    """Removing the entry deletes its cloudhook; a missing one is no error."""
    delete = AsyncMock(side_effect=error)
    async with async_cloud_entry(
        hass,
        simulator,
        True,
        async_get_or_create_cloudhook=AsyncMock(return_value=CLOUDHOOK),
        async_delete_cloudhook=delete,
    ) as entry:
        webhook_id = entry.data["webhook_id"]
        await hass.config_entries.async_remove(entry.entry_id)
        await hass.async_block_till_done()

    delete.assert_awaited_once_with(hass, webhook_id)
    assert await async_ours(hass, simulator) == []


async def test_local_pbx_without_any_url(
    hass: HomeAssistant, simulator: VoipNowSimulator, issue_registry: ir.IssueRegistry
) -> None:
    """A local PBX with no URL of Home Assistant at all also gets the repair issue."""
    entry = push_entry(simulator)
    entry.add_to_hass(hass)

    with patch(
        "custom_components.voipnow.push_url.get_url", side_effect=NoURLAvailableError
    ):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)

    assert entry.state is ConfigEntryState.LOADED
    assert issue_registry.async_get_issue(DOMAIN, f"no_reachable_url_{entry.entry_id}")
    assert simulator.subscriptions == {}


@pytest.mark.parametrize(
    ("host", "local"),
    [
        ("127.0.0.1", True),
        ("192.168.1.20", True),
        ("10.0.0.2", True),
        ("::1", True),
        ("[fe80::1]", True),
        ("fd00::20", True),
        ("localhost", True),
        ("pbx.local", True),
        ("PBX.LAN.", True),
        ("pbx.home.arpa", True),
        ("voip.example.com", False),
        ("8.8.8.8", False),
        ("2606:4700:4700::1111", False),
    ],
)
def test_pbx_is_local(host: str, local: bool) -> None:
    """Only a PBX on the local network is given Home Assistant's internal URL."""
    assert is_local_host(host) is local


# --- the webhook ------------------------------------------------------------


@pytest.mark.parametrize("variant", ["form", "json"])
async def test_webhook_variants(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    http: TestClient,
    variant: str,
) -> None:
    """The documented form POST and a JSON body are accepted: each wakes a listing.

    The event is the listing's call, with the listing's id and caller; the
    callback adds only when it arrived.
    """
    freezer.move_to("2026-11-30 12:00:00+00:00")
    events = record_bus_events(hass)
    target = webhook_target(simulator, EXT_OFFICE, 0)
    simulator.block_callbacks()
    call_id = await simulator.incoming_call(
        EXT_OFFICE, from_number="5550100", caller_name="Listed Name"
    )
    polls = calls_requests(simulator)

    if variant == "form":
        response = await http.post(target, data={**RING, "CallID": call_id})
    else:
        response = await http.post(target, json={**RING, "CallID": call_id})
    assert response.status == 200
    await async_settle(hass)

    assert calls_requests(simulator) == polls + 1
    office = er.async_get(hass).async_get(OFFICE_CALL_STATE)
    assert office is not None
    assert events == [
        {
            "config_entry_id": "01JVOIPNOWPUSHENTRY0000000",
            "device_id": office.device_id,
            "extension": EXT_OFFICE,
            "type": "incoming_call",
            "phone_call_id": call_id,
            "direction": "incoming",
            "remote_number": "5550100",
            "caller_id": "Listed Name <5550100>",
            "caller_name": "Listed Name",
            "caller_name_source": "pbx",
            "first_seen": "2026-11-30T12:00:00+00:00",
            # No country is set: a national number cannot be told apart.
            "number_kind": "unknown",
        }
    ]
    assert hass.states.get(OFFICE_CALL_STATE).state == "ringing"


@pytest.mark.parametrize("extension", ["0003*999", "999", "", None])
async def test_webhook_ignores_other_extensions(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    http: TestClient,
    extension: str | None,
) -> None:
    """A callback for an extension that is not this entry's is ignored."""
    events = record_bus_events(hass)
    target = URL(webhook_target(simulator, EXT_OFFICE, 0))
    query = {**target.query, "ha_extension": extension}
    if extension is None:
        del query["ha_extension"]

    response = await http.post(str(target.with_query(query)), data=RING)

    assert response.status == 200
    assert events == []
    assert hass.states.get(OFFICE_CALL_STATE).state == "idle"


async def _chunks() -> AsyncIterator[bytes]:
    """Yield a body of 20 KiB in pieces, sent without a Content-Length."""
    yield b"CallID="
    for _ in range(20):
        yield b"x" * 1024


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.mark.parametrize(
    ("query", "request_kwargs", "status"),
    [
        ({}, {"data": "CallID=" + "x" * 16 * 1024}, 413),
        ({}, {"data": _chunks}, 413),
        (
            {},
            {"data": '{"CallID": ', "headers": {"Content-Type": "application/json"}},
            400,
        ),
        ({}, {"json": ["CallID", "feedc0ffee"]}, 400),
        ({}, {"data": b"CallID=\xff\xfe", "headers": FORM}, 400),
        ({}, {"data": "CallID", "headers": FORM}, 400),
        ({"ha_event": "transfer"}, {"data": RING}, 400),
    ],
    ids=[
        "too_large",
        "too_large_chunked",
        "bad_json",
        "json_not_object",
        "not_utf8",
        "bad_form",
        "unknown_event",
    ],
)
async def test_webhook_refuses_malformed_callbacks(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    http: TestClient,
    caplog: pytest.LogCaptureFixture,
    query: dict[str, str | None],
    request_kwargs: dict[str, Any],
    status: int,
) -> None:
    """Oversized or malformed callbacks are refused with a 4xx, nothing fired."""
    caplog.set_level(logging.DEBUG, "custom_components.voipnow")
    events = record_bus_events(hass)
    target = URL(webhook_target(simulator, EXT_OFFICE, 0))
    merged = {**target.query, **query}
    target = target.with_query({k: v for k, v in merged.items() if v is not None})
    if callable(request_kwargs.get("data")):
        request_kwargs = {**request_kwargs, "data": request_kwargs["data"]()}

    response = await http.post(str(target), **request_kwargs)

    assert response.status == status
    assert events == []
    assert hass.states.get(OFFICE_CALL_STATE).state == "idle"
    assert "Refused a VoipNow callback" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_webhook_error_answers_500(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    http: TestClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An unexpected error answers 500 and is logged without the webhook id."""
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    target = webhook_target(simulator, EXT_OFFICE, 0)

    # Home Assistant itself fails while the callback is taken in.
    with patch(
        "custom_components.voipnow.push.callback_hint",
        side_effect=RuntimeError("boom"),
    ):
        response = await http.post(target, data=RING)

    assert response.status == 500
    assert "Could not handle a VoipNow callback" in caplog.text
    assert "Error processing webhook" not in caplog.text
    assert leaks(caplog, entry.data[CONF_WEBHOOK_ID]) == []


async def test_secrets_never_logged(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    hass_client_no_auth: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Neither the webhook id nor its URL shows in the logs or the diagnostics."""
    caplog.set_level(logging.DEBUG)
    # A subscription that fails, logged with the PBX's error.
    simulator.inject_fault("http_500", count=1, path_prefix=EVENTS_PREFIX)
    entry = push_entry(simulator)
    http = await async_setup_push(hass, hass_client_no_auth, entry)
    await async_poll(hass, freezer, SUBSCRIBE_RETRY)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert len(await async_ours(hass, simulator)) == 15

    call_id = await simulator.incoming_call(EXT_OFFICE, caller_name="John Doe")
    await async_settle(hass)
    await simulator.answer_call(call_id)
    await async_settle(hass)
    await simulator.hangup_call(call_id)
    target = URL(webhook_target(simulator, EXT_OFFICE, 0))
    for kwargs in (
        {"data": "x" * 20000},
        {"json": []},
        {"data": RING, "params": {"ha_event": "nope"}},
    ):
        params = kwargs.pop("params", {})
        await http.post(str(target.update_query(params)), **kwargs)
    await hass.async_block_till_done(wait_background_tasks=True)
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    push_diagnostics = entry.runtime_data.calls.push.as_diagnostics()
    assert push_diagnostics == {
        "transport": {"chosen": "webhook", "in_use": "webhook", "reason": "chosen"},
        "socket": None,
        "url_known": True,
        "working": True,
        "event_types": [0, 1, 2, 3, 4],
        "event_type_in_path": False,
        "subscribed_extensions": sorted(EXTENSIONS),
        "failed_extensions": [],
        "last_error": "VoipNowResponseError, HTTP 500, internal_server_error",
        "callbacks_received": 3,
        "callbacks_confirmed": 3,
        "calls_only_polling_found": 0,
    }
    await async_options(hass, entry, push=False)
    await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()

    webhook_id = entry.data[CONF_WEBHOOK_ID]
    assert "Refused a VoipNow callback" in caplog.text
    assert "Could not subscribe extension" in caplog.text
    assert "Call event incoming_call on 0003*210" in caplog.text
    assert leaks(caplog, webhook_id, "/api/webhook") == []
    text = json.dumps([diagnostics, push_diagnostics], default=str)
    assert webhook_id not in text
    assert "/api/webhook" not in text


# --- push and polling together ---------------------------------------------


@pytest.mark.usefixtures("push_integration")
async def test_each_event_once_when_push_and_poll_see_it(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, simulator: VoipNowSimulator
) -> None:
    """Polls that see what callbacks already told fire nothing again."""
    events = record_bus_events(hass)
    states = record_fired(hass, OFFICE_CALL_EVENT)
    minute = PUSH_SCAN_INTERVAL + timedelta(seconds=1)
    call_id = await simulator.incoming_call(EXT_OFFICE)
    await async_settle(hass)
    await async_poll(hass, freezer, minute)
    await simulator.answer_call(call_id)
    await async_settle(hass)
    await async_poll(hass, freezer, minute)
    await simulator.hangup_call(call_id)
    await async_settle(hass)
    polls = calls_requests(simulator)

    await async_poll(hass, freezer, minute)
    await async_poll(hass, freezer, minute)

    assert calls_requests(simulator) == polls + 2
    assert bus_types(events) == ["incoming_call", "answered", "ended"]
    assert fired(states) == ["incoming_call", "answered", "ended"]


@pytest.mark.usefixtures("push_integration")
async def test_lost_callbacks_fall_back_to_polling(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, simulator: VoipNowSimulator
) -> None:
    """Without callbacks, polling fires the events at the normal interval."""
    # Push proves itself with a first call; polling slows to once a minute.
    first = await simulator.incoming_call(EXT_KITCHEN)
    await async_settle(hass)
    await simulator.hangup_call(first)
    await async_settle(hass)
    events = record_bus_events(hass)
    simulator.block_callbacks()
    call_id = await simulator.incoming_call(EXT_OFFICE)
    assert simulator.callbacks_dropped

    # The next poll is due a minute later; it finds the call push missed.
    await async_poll(hass, freezer)
    assert events == []
    await async_poll(hass, freezer, PUSH_SCAN_INTERVAL - timedelta(seconds=10))
    assert bus_types(events) == ["incoming_call"]
    assert hass.states.get(OFFICE_CALL_STATE).state == "ringing"

    # From then on the calls are polled at the normal interval.
    await simulator.answer_call(call_id)
    polls = calls_requests(simulator)
    await async_poll(hass, freezer)
    assert calls_requests(simulator) == polls + 1
    assert bus_types(events) == ["incoming_call", "answered"]
    await simulator.hangup_call(call_id)
    await async_poll(hass, freezer)
    assert bus_types(events) == ["incoming_call", "answered", "ended"]
    await async_poll(hass, freezer)
    assert calls_requests(simulator) == polls + 3
    assert bus_types(events) == ["incoming_call", "answered", "ended"]

    # Callbacks come back: the listing they wake fires the events at once,
    # and polling slows down again.
    simulator.block_callbacks(False)
    call_id = await simulator.incoming_call(EXT_OFFICE)
    await async_settle(hass)
    assert bus_types(events)[-1] == "incoming_call"
    polls = calls_requests(simulator)
    await async_poll(hass, freezer)
    await async_poll(hass, freezer)
    assert calls_requests(simulator) == polls
    await simulator.hangup_call(call_id)
    # The hangup callback asks for a listing at once, which confirms the end.
    await async_settle(hass)
    assert bus_types(events)[-1] == "missed"
    assert len(events) == 5


@pytest.mark.parametrize("push", [True, False], ids=["push", "polling"])
async def test_call_gone_during_outage_is_missed(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    hass_client_no_auth: ClientSessionGenerator,
    mock_config_entry: MockConfigEntry,
    push: bool,
) -> None:
    """A call that ended while the PBX was out of reach fires `missed` afterwards."""
    entry = push_entry(simulator) if push else mock_config_entry
    await async_setup_push(hass, hass_client_no_auth, entry)
    call_id = await simulator.incoming_call(EXT_OFFICE)
    await async_settle(hass)
    await async_poll(hass, freezer, PUSH_SCAN_INTERVAL)
    assert hass.states.get(OFFICE_CALL_STATE).state == "ringing"
    events = record_bus_events(hass)
    states = record_fired(hass, OFFICE_CALL_EVENT)

    # Home Assistant and the PBX lose each other; the caller gives up.
    simulator.block_callbacks()
    await simulator.go_offline()
    await simulator.hangup_call(call_id)
    await async_poll(hass, freezer, PUSH_SCAN_INTERVAL)
    assert hass.states.get(OFFICE_CALL_STATE).state == STATE_UNAVAILABLE
    assert hass.states.get(OFFICE_CALL_EVENT).state == STATE_UNAVAILABLE

    await simulator.go_online()
    await async_poll(hass, freezer, PUSH_SCAN_INTERVAL)

    assert hass.states.get(OFFICE_CALL_STATE).state == "idle"
    assert bus_types(events) == ["missed"]
    assert fired(states) == ["missed"]
    assert states[0].attributes["phone_call_id"] == call_id
    await async_poll(hass, freezer, PUSH_SCAN_INTERVAL)
    assert bus_types(events) == ["missed"]


@pytest.mark.usefixtures("push_integration")
async def test_restart_does_not_announce_calls_again(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, simulator: VoipNowSimulator
) -> None:
    """Calls in progress at a restart are not announced again; their end is."""
    ringing = await simulator.incoming_call(EXT_OFFICE)
    talking = await simulator.outgoing_call(EXT_KITCHEN, "5559876")
    await simulator.answer_call(talking)
    await hass.async_block_till_done(wait_background_tasks=True)
    before = hass.states.get(OFFICE_CALL_EVENT)
    events = record_bus_events(hass)
    states = record_fired(hass, OFFICE_CALL_EVENT)
    entry = hass.config_entries.async_entries(DOMAIN)[0]

    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    await async_poll(hass, freezer, PUSH_SCAN_INTERVAL + timedelta(seconds=1))

    assert events == []
    assert fired(states) == []
    after = hass.states.get(OFFICE_CALL_EVENT)
    assert (after.state, after.attributes) == (before.state, before.attributes)
    assert hass.states.get(OFFICE_CALL_STATE).state == "ringing"

    await simulator.hangup_call(ringing)
    await simulator.hangup_call(talking)
    await async_poll(hass, freezer, PUSH_SCAN_INTERVAL + timedelta(seconds=1))
    assert bus_types(events, EXT_OFFICE) == ["missed"]
    assert bus_types(events, EXT_KITCHEN) == ["ended"]


async def test_two_entries_keep_their_own_subscriptions(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Two entries seeing the same extensions never delete each other's callbacks."""
    first = push_entry(simulator)
    await async_setup_push(hass, hass_client_no_auth, first)
    second = MockConfigEntry(
        domain=DOMAIN,
        title="second",
        unique_id="voip.example.test_second-app",
        data=entry_data(simulator),
        options={CONF_PUSH_TRANSPORT: "webhook"},
        minor_version=2,
        entry_id="01JVOIPNOWSECONDENTRY00000",
    )
    await async_load(hass, second, background=True)

    for entry in (first, second, first):
        assert await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)

    notes = Counter(sub.note for sub in simulator.subscriptions.values())
    assert sorted(notes.values()) == [15, 15]
    assert len(await async_ours(hass, simulator)) == 15
    await hass.config_entries.async_remove(second.entry_id)
    await hass.async_block_till_done()
    assert len(simulator.subscriptions) == 15
