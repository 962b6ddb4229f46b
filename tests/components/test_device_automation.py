"""Tests for the device triggers, conditions and actions of an extension."""

from __future__ import annotations

import json
from typing import Any

from aiohttp.test_utils import TestClient
from homeassistant.components import automation
from homeassistant.components.device_automation import DeviceAutomationType
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import Context, HomeAssistant, ServiceCall
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.script import Script, async_validate_actions_config
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockUser,
    async_get_device_automations,
    async_mock_service,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.voipnow.const import CONF_TRANSFER_TARGETS, DOMAIN
from custom_components.voipnow.device_action import ACTION_TYPES
from custom_components.voipnow.device_condition import CONDITION_TYPES
from custom_components.voipnow.device_trigger import TRIGGER_TYPES
from custom_components.voipnow.devices import device_entry
from tests.conftest import EXT_GARAGE, EXT_KITCHEN, EXT_OFFICE, simulator_entry
from voipnow_simulator import RecordedRequest, VoipNowSimulator

from .helpers import OFFICE_CALL_STATE
from .push_helpers import PUSH_ENTRY_ID, async_settle, webhook_target
from .test_services import INTEGRATION, async_active_call, message, sent, settle

MOBILE = "+15551234567"
TARGETS = [
    {"name": "Mobile", "number": MOBILE, "voicemail": False},
    {"name": "Kitchen voicemail", "number": EXT_KITCHEN, "voicemail": True},
]
TRIGGER_DATA = (
    "phone_call_id",
    "remote_number",
    "caller_name",
    "caller_id",
    "direction",
    "outcome",
)


def device_id(hass: HomeAssistant, entry: MockConfigEntry, extension: str) -> str:
    """Return the device id of one extension."""
    device = device_entry(entry.runtime_data.calls, extension)
    assert device is not None
    return device.id


@pytest.fixture
def push_config_entry(simulator: VoipNowSimulator) -> MockConfigEntry:
    """The simulator's App with push on and two transfer targets."""
    return simulator_entry(
        simulator, {CONF_TRANSFER_TARGETS: TARGETS}, push=True, entry_id=PUSH_ENTRY_ID
    )


@pytest.fixture
def entry(hass: HomeAssistant, http: TestClient) -> MockConfigEntry:
    """The loaded push entry."""
    [loaded] = hass.config_entries.async_entries(DOMAIN)
    assert isinstance(loaded, MockConfigEntry)
    return loaded


async def async_automation(hass: HomeAssistant, *configs: dict[str, Any]) -> None:
    """Set up automations."""
    assert await async_setup_component(
        hass, automation.DOMAIN, {automation.DOMAIN: list(configs)}
    )
    await hass.async_block_till_done()


def record_trigger_data(calls: list[ServiceCall]) -> list[dict[str, Any]]:
    """The data each automation run wrote to the test service."""
    return [dict(call.data) for call in calls]


def on_device_trigger(device: str, kind: str, alias: str = "t") -> dict[str, Any]:
    """An automation calling `test.automation` with the trigger's call data."""
    return {
        "alias": f"{alias}_{kind}",
        "triggers": [
            {"platform": "device", "domain": DOMAIN, "device_id": device, "type": kind}
        ],
        "actions": [
            {
                "action": "test.automation",
                "data": {
                    "kind": kind,
                    "alias": alias,
                    **{
                        key: f"{{{{ trigger.event.data.{key} }}}}"
                        for key in TRIGGER_DATA
                    },
                },
            }
        ],
    }


# --- what the editor offers ------------------------------------------------------


async def test_automations_offered(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Each extension device offers every trigger, condition and action."""
    device = device_id(hass, entry, EXT_OFFICE)

    triggers = await async_get_device_automations(
        hass, DeviceAutomationType.TRIGGER, device
    )
    conditions = await async_get_device_automations(
        hass, DeviceAutomationType.CONDITION, device
    )
    actions = await async_get_device_automations(
        hass, DeviceAutomationType.ACTION, device
    )

    # The entities' own (sensor, button...) automations come too; ours are these.
    triggers, conditions, actions = (
        [item for item in found if item["domain"] == DOMAIN]
        for found in (triggers, conditions, actions)
    )
    base = {"domain": DOMAIN, "device_id": device, "metadata": {}}
    assert triggers == [
        {**base, "platform": "device", "type": t} for t in TRIGGER_TYPES
    ]
    assert conditions == [
        {**base, "condition": "device", "type": c} for c in CONDITION_TYPES
    ]
    assert actions == [{**base, "type": a} for a in ACTION_TYPES]
    assert TRIGGER_TYPES == [
        "incoming_call",
        "outgoing_call",
        "answered",
        "missed",
        "ended",
    ]


async def test_nothing_offered_for_other_devices(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """A device that is no extension (or of an unloaded entry) offers nothing."""
    other = MockConfigEntry(domain="test")
    other.add_to_hass(hass)
    foreign = dr.async_get(hass).async_get_or_create(
        config_entry_id=other.entry_id, identifiers={("test", "thing")}
    )
    office = device_id(hass, entry, EXT_OFFICE)
    for kind in DeviceAutomationType:
        assert await async_get_device_automations(hass, kind, foreign.id) == []

    assert await hass.config_entries.async_unload(entry.entry_id)
    for kind in DeviceAutomationType:
        found = await async_get_device_automations(hass, kind, office)
        assert [item for item in found if item["domain"] == DOMAIN] == []


def test_every_type_is_translated() -> None:
    """The editor names each trigger, condition, action and field in English."""
    strings = json.loads((INTEGRATION / "translations" / "en.json").read_text("utf-8"))
    names = strings["device_automation"]

    assert set(names["trigger_type"]) == set(TRIGGER_TYPES)
    assert set(names["condition_type"]) == set(CONDITION_TYPES)
    assert set(names["action_type"]) == set(ACTION_TYPES)
    assert set(names["extra_fields"]) == {
        "send_call_to",
        "to_voicemail",
        "destination",
        "pickup_on",
    }
    # The editor fills `{entity_name}` only for an entity's automations; an
    # extension's are the device's own, so their names have no placeholder.
    for section in ("trigger_type", "condition_type", "action_type"):
        assert all("{" not in text for text in names[section].values())


@pytest.fixture
async def websocket_api(hass: HomeAssistant) -> None:
    """Set up the editor's API before Home Assistant starts serving HTTP."""
    assert await async_setup_component(hass, "websocket_api", {})
    assert await async_setup_component(hass, "device_automation", {})


async def test_action_capabilities_through_the_editor_api(
    hass: HomeAssistant,
    websocket_api: None,
    entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """The transfer action offers the named targets, then the other extensions."""
    device = device_id(hass, entry, EXT_OFFICE)
    client = await hass_ws_client(hass)

    def ask(kind: str) -> dict[str, Any]:
        return {
            "type": "device_automation/action/capabilities",
            "action": {"domain": DOMAIN, "device_id": device, "type": kind},
        }

    await client.send_json_auto_id(ask("transfer_call"))
    response = await client.receive_json()
    assert response["success"]
    send_to, voicemail = response["result"]["extra_fields"]
    assert send_to["name"] == "send_call_to"
    assert send_to["required"]
    select = send_to["selector"]["select"]
    assert select["custom_value"] is True
    assert [option["value"] for option in select["options"]] == [
        "Mobile",
        "Kitchen voicemail",
        EXT_KITCHEN,
        EXT_GARAGE,
    ]
    # The presence answer names no extension, so the number is the label.
    assert select["options"][2] == {"value": EXT_KITCHEN, "label": EXT_KITCHEN}
    assert voicemail["name"] == "to_voicemail"
    assert voicemail["optional"]
    assert voicemail["default"] is False
    assert voicemail["type"] == "boolean"

    await client.send_json_auto_id(ask("make_call"))
    response = await client.receive_json()
    assert response["result"]["extra_fields"] == [
        {"name": "destination", "required": True, "type": "string"}
    ]

    await client.send_json_auto_id(ask("hangup_call"))
    response = await client.receive_json()
    assert response["result"] == {"extra_fields": []}


# --- triggers ----------------------------------------------------------------


async def test_each_trigger_fires_once_with_the_call_data(
    hass: HomeAssistant, simulator: VoipNowSimulator, entry: MockConfigEntry
) -> None:
    """Every trigger runs its automation once per event, with the call's data."""
    office = device_id(hass, entry, EXT_OFFICE)
    calls = async_mock_service(hass, "test", "automation")
    await async_automation(hass, *(on_device_trigger(office, t) for t in TRIGGER_TYPES))

    answered = await simulator.incoming_call(EXT_OFFICE, "5551234", "John Doe")
    await async_settle(hass)
    await simulator.answer_call(answered)
    await async_settle(hass)
    await simulator.hangup_call(answered)
    await async_settle(hass)
    missed = await simulator.incoming_call(EXT_OFFICE, "5550000", "Jane Roe")
    await async_settle(hass)
    await simulator.hangup_call(missed, "CANCEL")
    await async_settle(hass)
    outgoing = await simulator.outgoing_call(EXT_OFFICE, "5557777")
    await async_settle(hass)
    await simulator.hangup_call(outgoing)
    await async_settle(hass)

    runs = [(run["kind"], run["phone_call_id"]) for run in record_trigger_data(calls)]
    assert runs == [
        ("incoming_call", answered),
        ("answered", answered),
        ("ended", answered),
        ("incoming_call", missed),
        ("missed", missed),
        ("outgoing_call", outgoing),
        ("ended", outgoing),
    ]
    john = record_trigger_data(calls)[0]
    # Templates render native types: the number comes back as an integer.
    assert {key: str(john[key]) for key in TRIGGER_DATA} == {
        "phone_call_id": answered,
        "remote_number": "5551234",
        "caller_name": "John Doe",
        "caller_id": "John Doe <5551234>",
        "direction": "incoming",
        # Only an ending has an outcome.
        "outcome": "",
    }
    jane_missed = record_trigger_data(calls)[4]
    assert jane_missed["caller_name"] == "Jane Roe"
    assert jane_missed["outcome"] == "cancelled"
    assert record_trigger_data(calls)[2]["outcome"] == "answered"


async def test_trigger_ignores_other_extensions_and_forged_callbacks(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    entry: MockConfigEntry,
    http: TestClient,
) -> None:
    """A kitchen call, a forged callback and a replayed one run nothing."""
    office = device_id(hass, entry, EXT_OFFICE)
    calls = async_mock_service(hass, "test", "automation")
    await async_automation(
        hass,
        on_device_trigger(office, "incoming_call"),
        on_device_trigger(office, "missed"),
    )

    # Another extension's calls.
    kitchen = await simulator.incoming_call(EXT_KITCHEN, "5551234", "John Doe")
    await async_settle(hass)
    await simulator.hangup_call(kitchen, "CANCEL")
    await async_settle(hass)
    # A forged ring naming no call, and a forged hangup of nothing.
    await http.post(webhook_target(simulator, EXT_OFFICE, 2), data={"CallID": "x"})
    await async_settle(hass)
    assert calls == []

    # A real call; then its callback delivered again (a PBX retry or a replay).
    call_id = await simulator.incoming_call(EXT_OFFICE, "5551234", "John Doe")
    await async_settle(hass)
    ring = simulator.callbacks_sent[-1]
    assert ring.params["CallID"] == call_id
    await http.post(webhook_target(simulator, EXT_OFFICE, 0), data=ring.params)
    await async_settle(hass)
    await entry.runtime_data.calls.async_refresh()
    await async_settle(hass)

    assert [
        (run["kind"], run["phone_call_id"]) for run in record_trigger_data(calls)
    ] == [("incoming_call", call_id)]


async def test_trigger_of_a_removed_device_is_rejected(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """An automation naming an unknown trigger type does not load."""
    office = device_id(hass, entry, EXT_OFFICE)
    calls = async_mock_service(hass, "test", "automation")
    await async_automation(hass, on_device_trigger(office, "voicemail_left"))

    state = hass.states.get("automation.t_voicemail_left")
    assert state is not None
    assert state.state == STATE_UNAVAILABLE
    assert calls == []


# --- conditions ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("setup", "holds"),
    [
        ("idle", {"is_idle"}),
        ("ringing", {"is_ringing"}),
        ("on_call", {"is_on_call"}),
        ("on_hold", {"is_on_hold"}),
    ],
)
async def test_conditions(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    entry: MockConfigEntry,
    setup: str,
    holds: set[str],
) -> None:
    """Each condition holds in its call state only."""
    office = device_id(hass, entry, EXT_OFFICE)
    calls = async_mock_service(hass, "test", "automation")
    await async_automation(
        hass,
        *(
            {
                "alias": kind,
                "triggers": [{"trigger": "event", "event_type": "check"}],
                "conditions": [
                    {
                        "condition": "device",
                        "domain": DOMAIN,
                        "device_id": office,
                        "type": kind,
                    }
                ],
                "actions": [{"action": "test.automation", "data": {"kind": kind}}],
            }
            for kind in CONDITION_TYPES
        ),
    )
    if setup != "idle":
        call_id = await simulator.incoming_call(EXT_OFFICE, "5551234", "John Doe")
        if setup in ("on_call", "on_hold"):
            await simulator.answer_call(call_id)
        if setup == "on_hold":
            await simulator.hold_call(call_id)
        await entry.runtime_data.calls.async_refresh()
        await async_settle(hass)
    assert hass.states.get(OFFICE_CALL_STATE).state == setup

    hass.bus.async_fire("check")
    await hass.async_block_till_done()

    assert {call.data["kind"] for call in calls} == holds


async def test_conditions_fail_while_the_state_is_unknown(
    hass: HomeAssistant, simulator: VoipNowSimulator, entry: MockConfigEntry
) -> None:
    """While the PBX cannot be reached, no call condition holds (not even idle)."""
    office = device_id(hass, entry, EXT_OFFICE)
    calls = async_mock_service(hass, "test", "automation")
    await async_automation(
        hass,
        {
            "triggers": [{"trigger": "event", "event_type": "check"}],
            "conditions": [
                {
                    "condition": "device",
                    "domain": DOMAIN,
                    "device_id": office,
                    "type": "is_idle",
                }
            ],
            "actions": [{"action": "test.automation"}],
        },
    )
    await simulator.go_offline()
    await entry.runtime_data.calls.async_refresh()
    await async_settle(hass)
    assert hass.states.get(OFFICE_CALL_STATE).state == STATE_UNAVAILABLE

    hass.bus.async_fire("check")
    await hass.async_block_till_done()
    assert calls == []

    assert await hass.config_entries.async_unload(entry.entry_id)
    hass.bus.async_fire("check")
    await hass.async_block_till_done()
    assert calls == []


# --- actions ----------------------------------------------------------------------


async def async_script(
    hass: HomeAssistant,
    device: str,
    action: dict[str, Any],
    user_id: str | None = None,
) -> None:
    """Run one device action as a script step, as the editor saves it."""
    config = await async_validate_actions_config(
        hass, [{"domain": DOMAIN, "device_id": device, **action}]
    )
    script = Script(hass, config, "Test", "test")
    await script.async_run(context=Context(user_id=user_id))


def call_path(call_id: str) -> str:
    """The PhoneCall resource of the office extension's call."""
    return f"/uapi/phoneCalls/@me/{EXT_OFFICE}/{call_id}"


async def async_office_action(
    hass: HomeAssistant, simulator: VoipNowSimulator, action: dict[str, Any]
) -> list[RecordedRequest]:
    """Run a device action of the office's device; return what the PBX received."""
    office = device_id(hass, hass.config_entries.async_entries(DOMAIN)[0], EXT_OFFICE)
    await settle(hass)
    mark = len(simulator.requests)
    await async_script(hass, office, action)
    return sent(simulator, mark)


def changes_of(requests: list[RecordedRequest], call_id: str) -> list[RecordedRequest]:
    """The requests that changed the office's call (anything but a listing)."""
    return [r for r in requests if r.path == call_path(call_id) and r.method != "GET"]


@pytest.mark.parametrize(
    ("action", "body"),
    [
        pytest.param(
            {"type": "transfer_call", "send_call_to": "Mobile"},
            {
                "action": "Transfer",
                "sendCallTo": MOBILE,
                "transferFromNumber": EXT_OFFICE,
            },
            id="transfer_to_target",
        ),
        pytest.param(
            {"type": "transfer_call", "send_call_to": "Kitchen voicemail"},
            {
                "action": "TransferToVoicemail",
                "sendCallTo": EXT_KITCHEN,
                "transferNumber": "5551234",
            },
            id="transfer_to_voicemail_target",
        ),
        pytest.param(
            {"type": "transfer_call", "send_call_to": EXT_KITCHEN},
            {
                "action": "Transfer",
                "sendCallTo": EXT_KITCHEN,
                "transferFromNumber": EXT_OFFICE,
            },
            id="transfer_to_extension",
        ),
        pytest.param(
            {
                "type": "transfer_call",
                "send_call_to": EXT_GARAGE,
                "to_voicemail": True,
            },
            {
                "action": "TransferToVoicemail",
                "sendCallTo": EXT_GARAGE,
                "transferNumber": "5551234",
            },
            id="transfer_to_extension_voicemail",
        ),
        pytest.param({"type": "hangup_call"}, None, id="hangup"),
        pytest.param(
            {"type": "hold_call"},
            {"action": "OnHold", "phoneCallViewId": "01"},
            id="hold",
        ),
    ],
)
async def test_call_actions(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    entry: MockConfigEntry,
    action: dict[str, Any],
    body: dict[str, str] | None,
) -> None:
    """Each device action sends the request of the action it stands for, once."""
    call_id = await async_active_call(hass, simulator, entry, caller="5551234")

    requests = await async_office_action(hass, simulator, action)

    [request] = changes_of(requests, call_id)

    if body is None:
        assert request.method == "DELETE"
    else:
        assert request.method == "PUT"
        assert request.json == body


async def test_make_call_action(
    hass: HomeAssistant, simulator: VoipNowSimulator, entry: MockConfigEntry
) -> None:
    """*Call a number* rings the extension, then the number."""
    action = {"type": "make_call", "destination": EXT_KITCHEN}

    [post] = await async_office_action(hass, simulator, action)

    assert post.method == "POST"
    assert post.path == "/uapi/phoneCalls/@me/simple"
    assert post.json["extension"] == EXT_OFFICE
    assert post.json["phoneCallView"] == [
        {"source": [EXT_OFFICE], "destination": [EXT_KITCHEN]}
    ]


async def test_actions_fail_with_the_action_errors(
    hass: HomeAssistant, simulator: VoipNowSimulator, entry: MockConfigEntry
) -> None:
    """Without a call, or with a bad number, the translated error shows; nothing is sent."""
    office = device_id(hass, entry, EXT_OFFICE)
    await settle(hass)
    mark = len(simulator.requests)

    with pytest.raises(ServiceValidationError) as err:
        await async_script(hass, office, {"type": "hangup_call"})
    assert err.value.translation_key == "no_active_call"
    assert "210" in message(err.value)

    await async_active_call(hass, simulator, entry)
    mark = len(simulator.requests)
    with pytest.raises(ServiceValidationError) as err:
        await async_script(
            hass, office, {"type": "transfer_call", "send_call_to": "12;34"}
        )
    assert err.value.translation_key == "invalid_field"
    assert [r for r in sent(simulator, mark) if r.method != "GET"] == []


async def test_action_of_an_unloaded_extension(
    hass: HomeAssistant, simulator: VoipNowSimulator, entry: MockConfigEntry
) -> None:
    """An action on the device of an unloaded entry says so and sends nothing."""
    office = device_id(hass, entry, EXT_OFFICE)
    assert await hass.config_entries.async_unload(entry.entry_id)
    mark = len(simulator.requests)

    with pytest.raises(HomeAssistantError) as err:
        await async_script(hass, office, {"type": "hangup_call"})

    assert err.value.translation_key == "device_not_loaded"
    assert "not loaded" in message(err.value)
    assert sent(simulator, mark) == []


async def test_non_admin_restrictions_hold_through_device_actions(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    entry: MockConfigEntry,
    hass_user: MockUser,
) -> None:
    """A script a non-admin user starts cannot call a number outside the PBX."""
    office = device_id(hass, entry, EXT_OFFICE)
    await settle(hass)
    mark = len(simulator.requests)

    with pytest.raises(ServiceValidationError) as err:
        await async_script(
            hass,
            office,
            {"type": "make_call", "destination": "+19005550100"},
            user_id=hass_user.id,
        )

    assert err.value.translation_key == "number_not_allowed"
    assert sent(simulator, mark) == []
