"""Tests for what every VoipNow action shares: entry, extension and call lookup.

The actions themselves are in `test_services_transfer.py` and
`test_services_calls.py`; the helpers here are used by all three files.
"""

from __future__ import annotations

from functools import partial
import json
from pathlib import Path
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, ServiceResponse, SupportsResponse
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import voluptuous as vol
import yaml

from custom_components.voipnow.api import VoipNowError, VoipNowInvalidInputError
from custom_components.voipnow.const import CONF_PUSH_TRANSPORT, DOMAIN
from custom_components.voipnow.errors import API_FIELD_ERRORS, pbx_errors
from tests.conftest import CLIENT_ID, EXT_KITCHEN, EXT_OFFICE, entry_data
from voipnow_simulator import RecordedRequest, VoipNowSimulator

from .helpers import async_ring

INTEGRATION = Path(__file__).parents[2] / "custom_components" / DOMAIN
CALLER = "5551234"
ACTIONS = ("transfer_call", "make_call", "hangup_call", "hold_call", "unhold_call")
# The actions that act on an existing call, with what each needs besides it.
CALL_ACTIONS: dict[str, dict[str, Any]] = {
    "transfer_call": {"send_call_to": EXT_KITCHEN},
    "hangup_call": {},
    "hold_call": {},
    "unhold_call": {},
}
SECOND_ENTRY_ID = "01JVOIPNOWSECONDENTRY0000"


async def settle(hass: HomeAssistant) -> None:
    """Wait for everything Home Assistant started, background tasks included."""
    await hass.async_block_till_done(wait_background_tasks=True)


# Ring an extension from outside (Bob calls), answer, and let the coordinator see
# it; the PBX keeps its requests, which tests count from a mark.
async_active_call = partial(
    async_ring, caller_name="Bob", answer=True, forget_requests=False
)


async def async_act(
    hass: HomeAssistant, action: str, data: dict[str, Any]
) -> ServiceResponse:
    """Run a VoipNow action as an automation does and return its response."""
    return await hass.services.async_call(
        DOMAIN, action, data, blocking=True, return_response=True
    )


async def async_act_fails(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    action: str,
    data: dict[str, Any],
    error: type[HomeAssistantError] = ServiceValidationError,
) -> tuple[HomeAssistantError, int]:
    """Run an action that must raise `error`; return it and the requests' mark before.

    `HomeAssistantError` stands for a runtime failure: a validation error fails.
    """
    mark = len(simulator.requests)
    with pytest.raises(error) as err:
        await async_act(hass, action, data)
    if error is HomeAssistantError:
        assert not isinstance(err.value, ServiceValidationError)
    return err.value, mark


def assert_invalid_field(err: HomeAssistantError, field: str, value: str) -> None:
    """Check the error refuses a malformed value, naming the field and the value."""
    assert err.translation_key == "invalid_field"
    assert err.translation_placeholders == {"field": field, "value": value}
    assert message(err) == f"The value of `{field}` is not valid: {value}"


def assert_field_refused(err: HomeAssistantError, code: str, field: str) -> None:
    """Check the error is the PBX's refusal `code` of one field, naming it."""
    assert err.translation_key == code
    assert err.translation_placeholders == {"field": field}
    assert f"`{field}`" in message(err)


def minimal_data(action: str) -> dict[str, Any]:
    """The smallest valid data of an action, for the office extension."""
    if action == "make_call":
        return {"extension": EXT_OFFICE, "destination": "5559999"}
    return {"extension": EXT_OFFICE, **CALL_ACTIONS[action]}


def message(err: HomeAssistantError) -> str:
    """The translated message a user sees (Home Assistant drops a final period)."""
    text = str(err)
    assert text != err.translation_key, "the message is not translated"
    return text.rstrip(".")


def sent(
    simulator: VoipNowSimulator, mark: int, method: str | None = None
) -> list[RecordedRequest]:
    """Return the requests (token requests too) the PBX received since `mark`."""
    return [
        request
        for request in simulator.requests[mark:]
        if method is None or request.method == method
    ]


async def async_act_once(
    hass: HomeAssistant, simulator: VoipNowSimulator, action: str, data: dict[str, Any]
) -> tuple[ServiceResponse, RecordedRequest]:
    """Run an action; return its response and the one request the PBX received."""
    mark = len(simulator.requests)
    response = await async_act(hass, action, data)
    [request] = sent(simulator, mark)
    return response, request


@pytest.fixture
async def second_entry(
    hass: HomeAssistant, simulator: VoipNowSimulator, entry: MockConfigEntry
) -> MockConfigEntry:
    """A second VoipNow entry (another App on the same PBX), loaded."""
    second = MockConfigEntry(
        domain=DOMAIN,
        title="Second PBX",
        unique_id=f"second.example.test_{CLIENT_ID}",
        data=entry_data(simulator),
        options={CONF_PUSH_TRANSPORT: "polling"},
        entry_id=SECOND_ENTRY_ID,
    )
    second.add_to_hass(hass)
    assert await hass.config_entries.async_setup(second.entry_id)
    await settle(hass)
    return second


@pytest.mark.usefixtures("entry")
def test_registered_actions_match_services_yaml(hass: HomeAssistant) -> None:
    """The registered actions take exactly the fields services.yaml documents."""
    described = yaml.safe_load((INTEGRATION / "services.yaml").read_text("utf-8"))
    registered = hass.services.async_services_for_domain(DOMAIN)

    assert set(registered) == set(described)
    for action, service in registered.items():
        assert service.schema is not None
        keys = service.schema.schema
        assert {str(key) for key in keys} == set(described[action]["fields"]), action
        required = {str(key) for key in keys if isinstance(key, vol.Required)}
        documented = {
            name
            for name, field in described[action]["fields"].items()
            if field.get("required")
        }
        assert required == documented, action
        # Reading history only answers; clearing the badge has nothing to
        # say; every other action may answer.
        assert hass.services.supports_response(DOMAIN, action) is {
            "get_call_history": SupportsResponse.ONLY,
            "clear_missed_calls": SupportsResponse.NONE,
            "reload_phonebook": SupportsResponse.NONE,
        }.get(action, SupportsResponse.OPTIONAL)


def test_every_api_field_error_is_translated() -> None:
    """Each PBX error code that names a field has a message showing the field."""
    strings = json.loads((INTEGRATION / "translations" / "en.json").read_text("utf-8"))
    exceptions = strings["exceptions"]

    for code in API_FIELD_ERRORS:
        assert "{field}" in exceptions[code]["message"], code


@pytest.mark.parametrize("action", ACTIONS)
async def test_no_loaded_entry(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    entry: MockConfigEntry,
    action: str,
) -> None:
    """With the only entry unloaded, every action says no PBX is loaded."""
    assert await hass.config_entries.async_unload(entry.entry_id)
    await settle(hass)
    err, mark = await async_act_fails(hass, simulator, action, minimal_data(action))

    assert err.translation_key == "no_loaded_entry"
    assert message(err) == "No VoipNow entry is loaded"
    assert sent(simulator, mark) == []


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.usefixtures("second_entry")
async def test_two_entries_need_config_entry_id(
    hass: HomeAssistant, simulator: VoipNowSimulator, action: str
) -> None:
    """With two entries loaded, an action without config_entry_id is refused."""
    err, mark = await async_act_fails(hass, simulator, action, minimal_data(action))

    assert err.translation_key == "entry_required"
    assert "config_entry_id" in message(err)
    assert sent(simulator, mark) == []


async def test_two_entries_with_config_entry_id(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    entry: MockConfigEntry,
    second_entry: MockConfigEntry,
) -> None:
    """With config_entry_id set, the action goes through that entry's App."""
    await entry.runtime_data.calls.async_refresh()
    first_token = simulator.requests[-1].headers["Authorization"]
    call_id = await async_active_call(hass, simulator, second_entry)
    second_token = simulator.requests[-1].headers["Authorization"]
    assert first_token != second_token
    mark = len(simulator.requests)

    response = await async_act(
        hass,
        "transfer_call",
        {
            "config_entry_id": second_entry.entry_id,
            "extension": EXT_OFFICE,
            "send_call_to": EXT_KITCHEN,
        },
    )

    assert response == {"phone_call_id": call_id, "extension": EXT_OFFICE}
    [put] = sent(simulator, mark, "PUT")
    assert put.headers["Authorization"] == second_token


@pytest.mark.parametrize(
    ("entry_id", "key", "expected"),
    [
        (
            "01JNOSUCHENTRY00000000000",
            "entry_not_found",
            "No VoipNow entry has the ID 01JNOSUCHENTRY00000000000",
        ),
        (
            "01JOTHERDOMAINENTRY000000",
            "entry_not_found",
            "No VoipNow entry has the ID 01JOTHERDOMAINENTRY000000",
        ),
        (
            "01JNOTLOADEDENTRY00000000",
            "entry_not_loaded",
            "The VoipNow entry Not loaded PBX is not loaded",
        ),
    ],
    ids=["unknown", "other_domain", "not_loaded"],
)
async def test_config_entry_id_must_name_a_loaded_voipnow_entry(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    entry: MockConfigEntry,
    entry_id: str,
    key: str,
    expected: str,
) -> None:
    """A config_entry_id that is unknown, of another domain or not loaded is refused."""
    MockConfigEntry(domain="sun", entry_id="01JOTHERDOMAINENTRY000000").add_to_hass(
        hass
    )
    not_loaded = MockConfigEntry(
        domain=DOMAIN,
        title="Not loaded PBX",
        unique_id="not-loaded",
        data=entry_data(simulator),
        entry_id="01JNOTLOADEDENTRY00000000",
    )
    not_loaded.add_to_hass(hass)
    assert not_loaded.state is ConfigEntryState.NOT_LOADED
    await async_active_call(hass, simulator, entry)
    data = {"extension": EXT_OFFICE, "send_call_to": EXT_KITCHEN}

    err, mark = await async_act_fails(
        hass, simulator, "transfer_call", {"config_entry_id": entry_id, **data}
    )

    assert err.translation_key == key
    assert message(err) == expected
    assert sent(simulator, mark) == []


@pytest.mark.usefixtures("call_id")
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("extension", ["0003*299", "299", "0004*210"])
async def test_unknown_extension(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    action: str,
    extension: str,
) -> None:
    """An extension this App does not have is refused before anything is sent."""
    err, mark = await async_act_fails(
        hass, simulator, action, {**minimal_data(action), "extension": extension}
    )

    assert err.translation_key == "unknown_extension"
    assert message(err) == (
        f"Extension {extension} is not one of this PBX App's extensions"
    )
    assert sent(simulator, mark) == []


@pytest.mark.parametrize("action", CALL_ACTIONS)
async def test_no_active_call(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    entry: MockConfigEntry,
    action: str,
) -> None:
    """Without phone_call_id, an extension without a call is refused, and nothing is sent."""
    await async_active_call(hass, simulator, entry, extension=EXT_KITCHEN)
    err, mark = await async_act_fails(
        hass, simulator, action, {"extension": "210", **CALL_ACTIONS[action]}
    )

    assert err.translation_key == "no_active_call"
    assert message(err) == f"Extension {EXT_OFFICE} has no active call"
    assert sent(simulator, mark) == []


@pytest.mark.parametrize("action", CALL_ACTIONS)
async def test_several_active_calls(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    entry: MockConfigEntry,
    action: str,
) -> None:
    """Without phone_call_id, an extension with two calls is refused, naming both."""
    first = await simulator.incoming_call(EXT_OFFICE, CALLER)
    await simulator.answer_call(first)
    second = await async_active_call(
        hass, simulator, entry, caller="5556666", answer=False
    )
    err, mark = await async_act_fails(
        hass, simulator, action, {"extension": EXT_OFFICE, **CALL_ACTIONS[action]}
    )

    assert err.translation_key == "multiple_active_calls"
    text = message(err)
    assert text.startswith(f"Extension {EXT_OFFICE} has 2 calls (")
    assert first in text
    assert second in text
    assert text.endswith("set `phone_call_id`")
    assert sent(simulator, mark) == []


@pytest.mark.usefixtures("call_id")
@pytest.mark.parametrize("action", CALL_ACTIONS)
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("extension", "0003*21a"),
        ("extension", "@self"),
        ("phone_call_id", "a/b"),
        ("phone_call_id", "../x"),
        ("user_id", "@admin"),
        ("user_id", "12/0003*211"),
    ],
)
async def test_malformed_field_of_any_call_action(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    action: str,
    field: str,
    value: str,
) -> None:
    """A malformed extension, call id or user id is refused before anything is sent."""
    data = {"extension": EXT_OFFICE, **CALL_ACTIONS[action], field: value}

    err, mark = await async_act_fails(hass, simulator, action, data)

    assert_invalid_field(err, field, value)
    assert sent(simulator, mark) == []


@pytest.mark.parametrize(
    ("action", "data", "code", "field"),
    [
        pytest.param(
            "make_call",
            {"destination": "0003*299"},
            "pc_destination_invalid",
            "destination",
            id="make_call-unknown_extension",
        ),
        pytest.param(
            "make_call",
            {"destination": EXT_OFFICE},
            "pc_destination_invalid",
            "destination",
            id="make_call-calls_itself",
        ),
        pytest.param(
            "transfer_call",
            {"phone_call_id": "0123456789abcdef0123"},
            "pc_phonecall_invalid",
            "phone_call_id",
            id="transfer-unknown_call",
        ),
        pytest.param(
            "transfer_call",
            {"send_call_to": "0003*299"},
            "pc_sendcallto_invalid",
            "send_call_to",
            id="transfer-unknown_target",
        ),
        pytest.param(
            "transfer_call",
            {"send_call_to": CALLER},
            "pc_sendcallto_invalid",
            "send_call_to",
            id="transfer-target_already_in_call",
        ),
        pytest.param(
            "transfer_call",
            {"transfer_from_number": "5550000"},
            "pc_transfer_from_number_invalid",
            "transfer_from_number",
            id="transfer-transferring_party_not_in_call",
        ),
        pytest.param(
            "transfer_call",
            {"transfer_number": "5550000"},
            "pc_transfer_number_invalid",
            "transfer_number",
            id="transfer-transferred_party_not_in_call",
        ),
        pytest.param(
            "transfer_call",
            {"transfer_number": EXT_OFFICE},
            "pc_transfer_number_invalid",
            "transfer_number",
            id="transfer-party_transfers_itself",
        ),
        pytest.param(
            "transfer_call",
            {"to_voicemail": True, "transfer_number": "5550000"},
            "pc_transfer_number_invalid",
            "transfer_number",
            id="transfer-voicemail_of_a_stranger",
        ),
    ],
)
async def test_pbx_refuses_a_field(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    call_id: str,
    action: str,
    data: dict[str, Any],
    code: str,
    field: str,
) -> None:
    """A field the PBX refuses is a validation error naming it; nothing is retried."""

    err, mark = await async_act_fails(
        hass, simulator, action, {**minimal_data(action), **data}
    )

    assert_field_refused(err, code, field)
    # One POST (make_call) or PUT (transfer), not retried; no call changed.
    [request] = sent(simulator, mark)
    assert request.method == ("POST" if action == "make_call" else "PUT")
    assert list(simulator.calls) == [call_id]
    assert simulator.get_call(call_id).callee.number == EXT_OFFICE


@pytest.mark.parametrize("action", ACTIONS)
async def test_pbx_refuses_another_users_extension(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    call_id: str,
    action: str,
) -> None:
    """A user_id that is not the App's is the PBX's `user_invalid`, sent once."""

    err, mark = await async_act_fails(
        hass, simulator, action, {**minimal_data(action), "user_id": "13"}
    )

    assert_field_refused(err, "user_invalid", "user_id")
    [request] = sent(simulator, mark)
    assert request.path.startswith("/uapi/phoneCalls/13/")
    assert list(simulator.calls) == [call_id]
    call = simulator.get_call(call_id)
    assert (call.callee.number, call.on_hold) == (EXT_OFFICE, set())


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize(
    "data",
    [
        {"extension": ""},
        {"extension": "2" * 65},
        {"extension": EXT_OFFICE, "unknown_field": "x"},
        {"extension": EXT_OFFICE, "phone_call_id": ""},
    ],
    ids=["empty", "too_long", "unknown_field", "empty_call_id"],
)
async def test_schema_rejects_bad_shapes(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    entry: MockConfigEntry,
    action: str,
    data: dict[str, Any],
) -> None:
    """Empty, overlong or unknown fields fail the schema and send nothing."""
    mark = len(simulator.requests)

    with pytest.raises(vol.Invalid):
        await async_act(hass, action, {**minimal_data(action), **data})

    assert sent(simulator, mark) == []


@pytest.mark.parametrize(
    ("error", "raised", "key", "placeholders"),
    [
        (
            VoipNowInvalidInputError("phone_call_view_id", "0 1"),
            ServiceValidationError,
            "invalid_field",
            {"field": "phone_call_view_id", "value": "0 1"},
        ),
        (
            VoipNowError("unforeseen"),
            HomeAssistantError,
            "request_failed",
            {"status": "?", "code": "VoipNowError"},
        ),
    ],
    ids=["client_refused_a_value", "unforeseen_client_error"],
)
async def test_pbx_errors_maps_what_the_simulator_cannot_cause(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    error: VoipNowError,
    raised: type[HomeAssistantError],
    key: str,
    placeholders: dict[str, str],
) -> None:
    """Client errors no PBX answer can cause still become translated errors."""
    with pytest.raises(raised) as err, pbx_errors(entry.runtime_data):
        raise error

    assert type(err.value) is raised
    assert err.value.translation_key == key
    assert err.value.translation_placeholders == placeholders
    assert err.value.__cause__ is error
