"""Helpers of the push tests: a reachable Home Assistant and what it received."""

from __future__ import annotations

import logging
from typing import Any

from aiohttp.test_utils import TestClient
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import Event, HomeAssistant, State, callback
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from yarl import URL

from custom_components.voipnow.const import EVENT_CALL
from custom_components.voipnow.subscriptions import async_note
from tests.conftest import simulator_entry
from voipnow_simulator import VoipNowSimulator
from voipnow_simulator.model import Subscription

from .helpers import OFFICE_CALL_STATE

OFFICE_CALL_EVENT = "event.extension_0003_210_call"
KITCHEN_CALL_EVENT = "event.extension_0003_211_call"
EVENTS_PATH = "/uapi/extensions/@me/0003*210/phoneCallEvents"
# The five subscriptions of an extension, by VoipNow's event type.
MARKERS = {0: "dial_in", 1: "dial_out", 2: "hangup", 3: "answer_in", 4: "answer_out"}


PUSH_ENTRY_ID = "01JVOIPNOWPUSHENTRY0000000"


def push_entry(simulator: VoipNowSimulator, **data: Any) -> MockConfigEntry:
    """Return a config entry for the simulator's App with push turned on."""
    return simulator_entry(simulator, push=True, entry_id=PUSH_ENTRY_ID, **data)


async def async_serve_http(
    hass: HomeAssistant, hass_client_no_auth: ClientSessionGenerator
) -> TestClient:
    """Serve Home Assistant's HTTP API on loopback, as the PBX would reach it."""
    assert await async_setup_component(hass, "webhook", {})
    client = await hass_client_no_auth()
    assert isinstance(client, TestClient)
    return client


def base_url(client: TestClient) -> str:
    """Return the URL of the HTTP server a test client talks to."""
    return f"http://127.0.0.1:{client.server.port}"


async def async_serve_internal(
    hass: HomeAssistant, hass_client_no_auth: ClientSessionGenerator
) -> TestClient:
    """Serve the HTTP API at Home Assistant's internal URL, which the PBX reaches."""
    client = await async_serve_http(hass, hass_client_no_auth)
    hass.config.internal_url = base_url(client)
    return client


async def async_setup_push(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    entry: MockConfigEntry,
) -> TestClient:
    """Set up an entry whose PBX reaches Home Assistant's internal URL."""
    client = await async_serve_internal(hass, hass_client_no_auth)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    # Let the subscriptions be made.
    await hass.async_block_till_done(wait_background_tasks=True)
    return client


async def async_ours(
    hass: HomeAssistant, simulator: VoipNowSimulator
) -> list[Subscription]:
    """Return the subscriptions the push entry holds on the PBX."""
    note = await async_note(hass, PUSH_ENTRY_ID)
    return [sub for sub in simulator.subscriptions.values() if sub.note == note]


def webhook_target(simulator: VoipNowSimulator, extension: str, kind: int) -> str:
    """Return path and query of one subscription's URL (as the PBX calls it)."""
    sub = next(
        sub
        for sub in simulator.subscriptions.values()
        if sub.extension == extension and sub.type == kind
    )
    return str(URL(sub.url).relative())


def record_bus_events(hass: HomeAssistant) -> list[dict[str, Any]]:
    """Collect the data of every `voipnow_call_event` fired from now on."""
    received: list[dict[str, Any]] = []

    @callback
    def _record(event: Event) -> None:
        received.append(dict(event.data))

    hass.bus.async_listen(EVENT_CALL, _record)
    return received


def record_fired(hass: HomeAssistant, entity_id: str) -> list[State]:
    """Collect the states an event entity writes when it fires, from now on.

    A state written on the way back from `unavailable` is not an event.
    """
    written: list[State] = []

    @callback
    def _record(event: Event[Any]) -> None:
        old, new = event.data["old_state"], event.data["new_state"]
        if new is None or new.state in (STATE_UNKNOWN, STATE_UNAVAILABLE):
            return
        if old is not None and old.state == STATE_UNAVAILABLE:
            return
        written.append(new)

    async_track_state_change_event(hass, [entity_id], _record)
    return written


def fired(states: list[State]) -> list[str]:
    """Return the event types an event entity fired, in order."""
    return [state.attributes["event_type"] for state in states]


async def async_settle(hass: HomeAssistant) -> None:
    """Wait for the refresh a callback asked for, before time is moved on.

    Moving the clock while a request is in flight would time it out.
    """
    await hass.async_block_till_done(wait_background_tasks=True)


async def async_answer_and_hang_up(
    hass: HomeAssistant, simulator: VoipNowSimulator, call_id: str
) -> list[str]:
    """Answer the office's call, then hang it up, as push shows each step.

    Return the office's call state after each.
    """
    seen = []
    for step in (simulator.answer_call, simulator.hangup_call):
        await step(call_id)
        await async_settle(hass)
        seen.append(hass.states.get(OFFICE_CALL_STATE).state)
    return seen


def leaks(caplog: pytest.LogCaptureFixture, *secrets: str) -> list[str]:
    """Return the log lines a user could see that contain one of the secrets.

    Every line of the integration counts, at any level, and every line of
    anything else from INFO up. Core's own debug lines (the webhook and HTTP
    components name the path they serve) and aiohttp's access log (Home
    Assistant turns it down to WARNING) are not the integration's to keep.
    """
    found: list[str] = []
    for record in caplog.records:
        ours = record.name.startswith("custom_components.voipnow")
        if not ours and (
            record.levelno < logging.INFO or record.name == "aiohttp.access"
        ):
            continue
        text = record.getMessage()
        if record.exc_info:
            text += logging.Formatter().formatException(record.exc_info)
        if any(secret in text for secret in secrets):
            found.append(f"{record.name} {record.levelname}: {text}")
    return found


def bus_types(events: list[dict[str, Any]], extension: str | None = None) -> list[str]:
    """Return the types of the bus events (of one extension), in order."""
    return [
        event["type"]
        for event in events
        if extension is None or event["extension"] == extension
    ]
