"""Tests for the logbook: call events and call actions read as a call log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest.mock import patch

from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.translation import async_get_translations
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from homeassistant.util.json import load_json
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, mock_component
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    RecorderInstanceContextManager,
    WebSocketGenerator,
)

from custom_components.voipnow.const import DOMAIN, EVENT_CALL, EVENT_CALL_ACTION
from custom_components.voipnow.logbook import MAX_TEXT, async_describe_events
from tests.conftest import EXT_GARAGE, EXT_OFFICE, async_load
from voipnow_simulator import VoipNowSimulator

from .push_helpers import async_setup_push, push_entry

GARAGE_CALL_EVENT = "event.extension_0003_212_call"
OFFICE_CALL_EVENT = "event.extension_0003_210_call"
ENTRY_ID = "01JVOIPNOWTESTENTRY000000"
JOHN = {"caller_name": "John Doe", "remote_number": "5551234"}

type Describe = Callable[[Event], dict[str, str]]


@pytest.fixture
async def mock_recorder_before_hass(
    async_test_recorder: RecorderInstanceContextManager,
) -> None:
    """Prepare the recorder's database before Home Assistant starts (for the logbook)."""


def describers(hass: HomeAssistant) -> dict[str, Describe]:
    """Return what the logbook platform registers, by event type."""
    registered: dict[str, Describe] = {}

    def _describe_event(domain: str, event_type: str, describe: Describe) -> None:
        assert domain == DOMAIN
        registered[event_type] = describe

    async_describe_events(hass, _describe_event)
    assert set(registered) == {EVENT_CALL, EVENT_CALL_ACTION}
    return registered


def garage_event(event_type: str, **data: Any) -> Event:
    """Build an event of the garage extension's call."""
    return Event(
        event_type,
        {
            "config_entry_id": ENTRY_ID,
            "extension": EXT_GARAGE,
            "phone_call_id": "b817d2618fe6f1804333",
            **data,
        },
    )


def call_event(kind: str, **data: Any) -> Event:
    """Build a `voipnow_call_event` of the garage extension."""
    direction = "outgoing" if kind == "outgoing_call" else "incoming"
    first_seen = "2026-01-01T10:00:00+00:00"
    defaults = {"type": kind, "direction": direction, "first_seen": first_seen}
    return garage_event(EVENT_CALL, **{**defaults, "caller_id": None, **data})


def call_action(action: str, **data: Any) -> Event:
    """Build a `voipnow_call_action` of the garage extension."""
    nobody = dict.fromkeys(("target", "target_name", "remote_number", "caller_name"))
    return garage_event(EVENT_CALL_ACTION, action=action, **{**nobody, **data})


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (call_event("incoming_call", **JOHN), "Incoming call from John Doe (5551234)"),
        (
            call_event(
                "missed",
                caller_name="Acme Corp",
                remote_number="+40215550100",
                outcome="no_answer",
            ),
            "Missed call from Acme Corp (+40215550100)",
        ),
        (call_event("answered", **JOHN), "Call answered: John Doe (5551234)"),
        (
            call_event("outgoing_call", remote_number="5559876"),
            "Outgoing call to 5559876",
        ),
        *(
            (
                call_event("ended", **JOHN, **outcome),
                f"Call ended: John Doe (5551234){said}",
            )
            for outcome, said in (
                ({"outcome": "answered_elsewhere"}, ", answered elsewhere"),
                ({"outcome": "answered"}, ""),
                ({"outcome": "unknown"}, ""),
                ({}, ""),
                ({"outcome": "busy"}, ", busy"),
                ({"outcome": "no_answer"}, ", no answer"),
                ({"outcome": "cancelled"}, ", cancelled"),
            )
        ),
        (
            call_event("ended", remote_number="5559876", outcome="failed"),
            "Call ended: 5559876, failed",
        ),
        (
            call_event("incoming_call", caller_name="Anonymous"),
            "Incoming call from Anonymous",
        ),
        (
            call_event("incoming_call", caller_name="5551234", remote_number="5551234"),
            "Incoming call from 5551234",
        ),
        (call_event("incoming_call"), "Incoming call from unknown number"),
        (
            call_action("transferred", target="0003*100", target_name="Reception"),
            "Call transferred to Reception",
        ),
        (
            call_action("transferred", **JOHN, target="0003*100"),
            "Call with John Doe (5551234) transferred to 0003*100",
        ),
        (call_action("transferred"), "Call transferred to unknown number"),
        (
            call_action(
                "sent_to_voicemail",
                caller_name="John Doe",
                target="0003*100",
                target_name="Reception",
            ),
            "Call with John Doe sent to voicemail of Reception",
        ),
        (
            call_action("sent_to_voicemail", target="0003*100"),
            "Call sent to voicemail of 0003*100",
        ),
        (call_action("hung_up"), "Call hung up"),
        (call_action("hung_up", **JOHN), "Call with John Doe (5551234) hung up"),
        (call_action("parked", **JOHN), "Call with John Doe (5551234) parked"),
        (call_action("parked"), "Call parked"),
        (
            call_action("picked_up", target="0003*211"),
            "Call picked up on 0003*211",
        ),
        (call_action("recording_started"), "Recording started"),
        (
            call_action("listened_in_whisper", target="0003*211", user="Ann"),
            "Ann whispered in the call from 0003*211",
        ),
    ],
)
@pytest.mark.usefixtures("init_integration")
async def test_messages(hass: HomeAssistant, event: Event, message: str) -> None:
    """Each event reads as a line of a call log, under the extension's name."""
    described = describers(hass)[event.event_type](event)

    assert described == {
        "name": "Extension 0003*212",
        "message": message,
        "entity_id": GARAGE_CALL_EVENT,
    }


@pytest.mark.usefixtures("init_integration")
async def test_caller_name_is_cleaned_and_cut(hass: HomeAssistant) -> None:
    """A caller's name shows on one line, without control characters, cut short."""
    name = "Evil\x1b[31m\u202eCaller\nwith\ta long " + "x" * 100
    described = describers(hass)[EVENT_CALL](
        call_event("incoming_call", caller_name=name, remote_number="555\x001234")
    )

    shown = "Evil[31mCaller with a long " + "x" * 100
    assert described["message"] == f"Incoming call from {shown[:MAX_TEXT]} (5551234)"
    assert all(char.isprintable() for char in described["message"])


@pytest.mark.usefixtures("init_integration")
async def test_renamed_extension(
    hass: HomeAssistant,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    """The logbook names the extension as the user renamed its device."""
    entity = entity_registry.async_get(GARAGE_CALL_EVENT)
    assert entity is not None and entity.device_id is not None
    device_registry.async_update_device(entity.device_id, name_by_user="Garage phone")

    described = describers(hass)[EVENT_CALL](call_event("answered", **JOHN))

    assert described["name"] == "Garage phone"


async def test_entry_not_loaded(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Events of an entry that is not loaded still link the extension's entity."""
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    describe = describers(hass)[EVENT_CALL_ACTION]

    assert describe(call_action("hung_up")) == {
        "name": "Extension 0003*212",
        "message": "Call hung up",
        "entity_id": GARAGE_CALL_EVENT,
    }
    # An extension the entry has no call event entity for.
    assert describe(call_action("hung_up", extension="0003*299")) == {
        "name": "Extension 0003*299",
        "message": "Call hung up",
    }
    # An entity whose device is gone: the extension's number names it.
    entity_registry.async_update_entity(GARAGE_CALL_EVENT, device_id=None)
    assert describe(call_action("hung_up"))["name"] == "Extension 0003*212"


@pytest.mark.parametrize(
    "entry_id", [None, "no-such-entry", "01JOTHERDOMAINENTRY0000000"]
)
@pytest.mark.usefixtures("init_integration")
async def test_unknown_entry(hass: HomeAssistant, entry_id: str | None) -> None:
    """Without its entry, an event names the extension by number and links nothing."""
    MockConfigEntry(domain="other", entry_id="01JOTHERDOMAINENTRY0000000").add_to_hass(
        hass
    )
    described = describers(hass)[EVENT_CALL](
        call_event("incoming_call", **JOHN, config_entry_id=entry_id)
    )

    assert described == {
        "name": "Extension 0003*212",
        "message": "Incoming call from John Doe (5551234)",
    }


async def test_texts_not_loaded(hass: HomeAssistant) -> None:
    """Without the integration's texts, an entry still says what and who."""
    describe = describers(hass)

    # Not in the translation cache (which other tests of the session share).
    with patch(
        "custom_components.voipnow.logbook.async_get_cached_translations",
        return_value={},
    ):
        assert describe[EVENT_CALL](call_event("missed", **JOHN)) == {
            "name": EXT_GARAGE,
            "message": "missed: John Doe (5551234)",
        }
        assert describe[EVENT_CALL](call_event("incoming_call"))["message"] == (
            "incoming_call: ?"
        )
        assert describe[EVENT_CALL_ACTION](
            call_action("transferred", **JOHN, target_name="Reception")
        ) == {
            "name": EXT_GARAGE,
            "message": "transferred: John Doe (5551234) → Reception",
        }
        assert describe[EVENT_CALL_ACTION](call_action("hung_up"))["message"] == (
            "hung_up"
        )


@pytest.mark.usefixtures("init_integration")
async def test_unknown_kinds(hass: HomeAssistant) -> None:
    """An event of a kind this version does not know still shows what it says."""
    describe = describers(hass)

    assert describe[EVENT_CALL](call_event("parked", **JOHN))["message"] == (
        "parked: John Doe (5551234)"
    )
    assert describe[EVENT_CALL](call_event(None))["message"] == "?: unknown number"
    # Data fired by hand may hold anything.
    assert describe[EVENT_CALL](
        call_event("ended", caller_name=5551234, outcome=["busy"])
    )["message"] == ("Call ended: 5551234")
    assert describe[EVENT_CALL_ACTION](call_action("recorded"))["message"] == "recorded"
    assert describe[EVENT_CALL_ACTION](call_action(None))["message"] == "?"


GERMAN = {
    "device": {"extension": {"name": "Nebenstelle {number}"}},
    "common": {
        "logbook_incoming_call": "Eingehender Anruf von {caller}",
        # Broken: the English text is shown instead.
        "logbook_missed": "Verpasster Anruf von {caller",
        "logbook_unknown_number": "unbekannte Nummer",
    },
}


def _load_json_in_german(path: Path | str, *args: Any, **kwargs: Any) -> Any:
    """Read the translation files, with a German one for the integration."""
    if Path(path).parts[-3:] == (DOMAIN, "translations", "de.json"):
        return GERMAN
    return load_json(path, *args, **kwargs)


async def test_language(
    hass: HomeAssistant, simulator: VoipNowSimulator, mock_config_entry: MockConfigEntry
) -> None:
    """A German Home Assistant shows German texts, English where German lacks one."""
    hass.config.language = "de"
    with patch("homeassistant.helpers.translation.load_json", _load_json_in_german):
        await async_load(hass, mock_config_entry)
    describe = describers(hass)

    assert describe[EVENT_CALL](call_event("incoming_call", **JOHN)) == {
        "name": "Nebenstelle 0003*212",
        "message": "Eingehender Anruf von John Doe (5551234)",
        # Entity ids come from the names in Home Assistant's language.
        "entity_id": "event.nebenstelle_0003_212_call",
    }
    assert describe[EVENT_CALL](call_event("incoming_call"))["message"] == (
        "Eingehender Anruf von unbekannte Nummer"
    )
    assert describe[EVENT_CALL](call_event("missed", **JOHN))["message"] == (
        "Missed call from John Doe (5551234)"
    )
    assert describe[EVENT_CALL](call_event("answered", **JOHN))["message"] == (
        "Call answered: John Doe (5551234)"
    )


async def test_every_text_fills_in(hass: HomeAssistant) -> None:
    """Every logbook text of en.json takes the placeholders the platform gives."""
    texts = await async_get_translations(hass, "en", "common", [DOMAIN])
    logbook_texts = {
        key: text for key, text in texts.items() if ".common.logbook_" in key
    }

    assert len(logbook_texts) == 30
    for key, text in logbook_texts.items():
        filled = text.format(caller="John Doe", target="Reception", user="Ann")
        assert "{" not in filled, key


async def _async_logbook(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, since: str
) -> list[dict[str, Any]]:
    """Read the logbook through the websocket API, as the frontend does."""
    await async_wait_recording_done(hass)
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": "logbook/get_events", "start_time": since})
    response = await client.receive_json()
    assert response["success"], response
    return [
        {key: entry.get(key) for key in ("name", "message", "entity_id")}
        for entry in response["result"]
        if entry.get("domain") == DOMAIN
    ]


@pytest.mark.usefixtures("recorder_mock")
async def test_logbook_reads_as_a_call_log(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    hass_client_no_auth: ClientSessionGenerator,
    simulator: VoipNowSimulator,
) -> None:
    """A call pushed by the PBX and hung up by an action, as the logbook shows it."""
    since = (dt_util.utcnow() - timedelta(minutes=1)).isoformat()
    # The logbook panel is the frontend's; its files are not needed here.
    mock_component(hass, "frontend")
    assert await async_setup_component(hass, "logbook", {})
    # Before the HTTP server starts (the PBX's callbacks start it).
    assert await async_setup_component(hass, "websocket_api", {})
    await async_setup_push(hass, hass_client_no_auth, push_entry(simulator))

    call_id = await simulator.incoming_call(
        EXT_OFFICE, from_number="5551234", caller_name="John Doe"
    )
    await simulator.answer_call(call_id)
    await hass.services.async_call(
        DOMAIN,
        "hangup_call",
        {"extension": EXT_OFFICE},
        blocking=True,
        return_response=True,
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    entries = await _async_logbook(hass, hass_ws_client, since)

    office = {"name": "Extension 0003*210", "entity_id": OFFICE_CALL_EVENT}
    assert entries == [
        {**office, "message": "Incoming call from John Doe (5551234)"},
        {**office, "message": "Call answered: John Doe (5551234)"},
        {**office, "message": "Call with John Doe (5551234) hung up"},
        {**office, "message": "Call ended: John Doe (5551234)"},
    ]
