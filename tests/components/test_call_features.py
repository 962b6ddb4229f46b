"""Tests for park, unpark, pick up, recording and listening in, over HTTP to the PBX."""

from __future__ import annotations

from typing import Any

from homeassistant.components.logbook.const import LOGBOOK_ENTRY_MESSAGE
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import EVENT_LOGBOOK_ENTRY
from homeassistant.core import Context, Event, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser

from custom_components.voipnow.const import CONF_ALLOW_LISTEN_IN, DOMAIN
from custom_components.voipnow.validation import vol
from tests.components.helpers import OFFICE_CALL_STATE
from tests.components.test_services import async_act, async_active_call, settle
from tests.conftest import EXT_GARAGE, EXT_KITCHEN, EXT_OFFICE
from voipnow_simulator import VoipNowSimulator

TARGETS = [{"name": "Reception", "number": EXT_GARAGE, "voicemail": False}]


@pytest.fixture
async def entry(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> MockConfigEntry:
    """The loaded entry, once the requests of its start-up are done."""
    await settle(hass)
    return init_integration


def allow_listen_in(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Turn on the administrator's option that allows listening in."""
    hass.config_entries.async_update_entry(
        entry, options={**entry.options, CONF_ALLOW_LISTEN_IN: True}
    )


def puts(simulator: VoipNowSimulator) -> list[tuple[str, Any]]:
    """The PUTs the PBX received: path and body."""
    return [(r.path, r.json) for r in simulator.api_requests("PUT")]


@pytest.mark.parametrize(
    ("action", "data", "body"),
    [
        pytest.param(
            "park_call", {}, {"action": "Park", "maxInParking": 180}, id="park"
        ),
        pytest.param(
            "park_call",
            {"max_in_parking": 3600},
            {"action": "Park", "maxInParking": 3600},
            id="park_an_hour",
        ),
        pytest.param(
            "start_recording",
            {},
            {"action": "StartRecording", "format": "wav"},
            id="record",
        ),
        pytest.param(
            "start_recording",
            {"format": "wav49"},
            {"action": "StartRecording", "format": "wav49"},
            id="record_wav49",
        ),
        pytest.param(
            "stop_recording", {}, {"action": "StopRecording"}, id="stop_recording"
        ),
        pytest.param(
            "listen_in",
            {"send_call_to": "212", "mode": "monitor"},
            {"action": "Monitor", "sendCallTo": EXT_GARAGE},
            id="monitor",
        ),
        pytest.param(
            "listen_in",
            {"send_call_to": EXT_GARAGE, "mode": "whisper", "private": True},
            {"action": "Whisper", "sendCallTo": EXT_GARAGE, "private": "1"},
            id="whisper_private",
        ),
        pytest.param(
            "listen_in",
            {
                "send_call_to": "Reception",
                "mode": "barge_in",
                "wait_for_pickup": 10,
                "caller_id": "Boss <0003*212>",
            },
            {
                "action": "BargeIn",
                "sendCallTo": EXT_GARAGE,
                "waitForPickup": "10",
                "callerId": "Boss <0003*212>",
            },
            id="barge_in_to_a_named_target",
        ),
    ],
)
async def test_actions_send_the_documented_body(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    entry: MockConfigEntry,
    action: str,
    data: dict[str, Any],
    body: dict[str, Any],
) -> None:
    """Each action PUTs its body on the extension's own view, once."""
    simulator.add_extension(EXT_GARAGE, name="Garage")
    hass.config_entries.async_update_entry(
        entry,
        options={
            **entry.options,
            "transfer_targets": TARGETS,
            CONF_ALLOW_LISTEN_IN: True,
        },
    )
    await settle(hass)
    call_id = await async_active_call(hass, simulator, entry)
    simulator.clear_requests()

    response = await async_act(hass, action, {"extension": "210", **data})

    assert response == {"phone_call_id": call_id, "extension": EXT_OFFICE}
    assert puts(simulator) == [
        (
            f"/uapi/phoneCalls/@me/{EXT_OFFICE}/{call_id}",
            {"phoneCallViewId": "01", **body},
        )
    ]


@pytest.fixture
async def parked(hass: HomeAssistant, entry: MockConfigEntry, call_id: str) -> None:
    """The office parks its answered call; Home Assistant has listed it since."""
    await async_act(hass, "park_call", {"extension": EXT_OFFICE})
    await entry.runtime_data.calls.async_refresh()


@pytest.mark.usefixtures("parked")
async def test_park_then_unpark(
    hass: HomeAssistant, simulator: VoipNowSimulator, call_id: str
) -> None:
    """The sensor says parked; unpark without an id finds the parked call."""
    assert hass.states.get(OFFICE_CALL_STATE).attributes["parked"] is True
    simulator.clear_requests()

    response = await async_act(
        hass, "unpark_call", {"extension": EXT_OFFICE, "send_call_to": EXT_KITCHEN}
    )

    assert response == {"phone_call_id": call_id, "extension": EXT_OFFICE}
    assert puts(simulator) == [
        (
            f"/uapi/phoneCalls/@me/{EXT_OFFICE}/{call_id}",
            {
                "action": "UnPark",
                "phoneCallViewId": "01",
                "sendCallTo": EXT_KITCHEN,
                "waitForPickup": "25",
            },
        )
    ]
    assert simulator.calls[call_id].callee.number == EXT_KITCHEN
    await settle(hass)
    assert hass.states.get(OFFICE_CALL_STATE).state == "idle"


@pytest.mark.usefixtures("parked")
async def test_unpark_twice_in_a_row_sends_one(
    hass: HomeAssistant, simulator: VoipNowSimulator
) -> None:
    """A second unpark right after the first, before any re-list: refused, one PUT."""
    simulator.clear_requests()
    data = {"extension": EXT_OFFICE, "send_call_to": EXT_KITCHEN}

    await async_act(hass, "unpark_call", data)
    # No waiting: the listing still shows the call parked.
    with pytest.raises(ServiceValidationError) as err:
        await async_act(hass, "unpark_call", data)

    assert err.value.translation_key == "no_parked_call"
    assert len(puts(simulator)) == 1
    await settle(hass)


async def test_unpark_by_id_when_the_parker_lists_no_view(
    hass: HomeAssistant, simulator: VoipNowSimulator, call_id: str
) -> None:
    """With the id, the view that carries `parked` names the call."""
    await async_act(hass, "park_call", {"extension": EXT_OFFICE})
    await async_act(
        hass,
        "unpark_call",
        {
            "extension": EXT_KITCHEN,
            "phone_call_id": call_id,
            "send_call_to": EXT_KITCHEN,
        },
    )
    # The kitchen lists no view of its own: the call is addressed as @self.
    assert puts(simulator)[-1] == (
        f"/uapi/phoneCalls/@me/@self/{call_id}",
        {
            "action": "UnPark",
            "phoneCallViewId": "01",
            "sendCallTo": EXT_KITCHEN,
            "waitForPickup": "25",
        },
    )
    assert simulator.calls[call_id].callee.number == EXT_KITCHEN


async def test_pickup_moves_the_ringing_call(
    hass: HomeAssistant, simulator: VoipNowSimulator, entry: MockConfigEntry
) -> None:
    """The ringing call is answered elsewhere; the extension is idle at once."""
    call_id = await async_active_call(hass, simulator, entry, answer=False)
    simulator.clear_requests()

    await async_act(
        hass, "pickup_call", {"extension": EXT_OFFICE, "send_call_to": "211"}
    )

    assert puts(simulator) == [
        (
            f"/uapi/phoneCalls/@me/{EXT_OFFICE}/{call_id}",
            {"action": "PickUp", "phoneCallViewId": "01", "sendCallTo": EXT_KITCHEN},
        )
    ]
    await settle(hass)
    assert hass.states.get(OFFICE_CALL_STATE).state == "idle"
    assert simulator.calls[call_id].callee.number == EXT_KITCHEN


@pytest.mark.usefixtures("call_id")
@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("park_call", {"max_in_parking": 9}),
        ("park_call", {"max_in_parking": 3601}),
        ("start_recording", {"format": "mp3"}),
        ("pickup_call", {}),
        ("listen_in", {"send_call_to": EXT_KITCHEN, "mode": "spy"}),
        ("unpark_call", {"send_call_to": EXT_KITCHEN, "wait_for_pickup": 0}),
    ],
)
async def test_bad_input_sends_nothing(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    action: str,
    data: dict[str, Any],
) -> None:
    """The schema refuses bad fields before anything reaches the PBX."""
    simulator.clear_requests()

    with pytest.raises(vol.Invalid):
        await async_act(hass, action, {"extension": EXT_OFFICE, **data})

    assert simulator.api_requests() == []


@pytest.mark.parametrize("send_call_to", ["5551234", "0003*299", "Nobody"])
async def test_only_extensions_of_the_pbx_take_calls(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    entry: MockConfigEntry,
    send_call_to: str,
) -> None:
    """Pick up, unpark and listen in go to an extension of this PBX only."""
    await async_active_call(hass, simulator, entry, answer=False)
    simulator.clear_requests()

    with pytest.raises(ServiceValidationError) as err:
        await async_act(
            hass,
            "pickup_call",
            {"extension": EXT_OFFICE, "send_call_to": send_call_to},
        )

    assert err.value.translation_key in {"unknown_extension", "invalid_field"}
    assert simulator.api_requests() == []


async def test_no_parked_call(
    hass: HomeAssistant, simulator: VoipNowSimulator, entry: MockConfigEntry
) -> None:
    """Unpark without an id: none parked, or several, is a clear error."""
    first = await async_active_call(hass, simulator, entry)
    second = await async_active_call(hass, simulator, entry, caller="5550000")
    simulator.clear_requests()
    data = {"extension": EXT_OFFICE, "send_call_to": EXT_KITCHEN}

    with pytest.raises(ServiceValidationError) as err:
        await async_act(hass, "unpark_call", data)
    assert err.value.translation_key == "no_parked_call"
    assert simulator.api_requests() == []

    for call_id in (first, second):
        await async_act(
            hass, "park_call", {"extension": EXT_OFFICE, "phone_call_id": call_id}
        )
    await entry.runtime_data.calls.async_refresh()
    simulator.clear_requests()
    with pytest.raises(ServiceValidationError) as err:
        await async_act(hass, "unpark_call", data)
    assert err.value.translation_key == "multiple_parked_calls"
    assert simulator.api_requests() == []


async def test_a_call_that_ended(
    hass: HomeAssistant, simulator: VoipNowSimulator, call_id: str
) -> None:
    """The call ended before the action: the PBX answers 204, the user is told."""
    # The listing still shows it, the PUT finds it ended.
    simulator.inject_fault(
        "custom", 1, f"/uapi/phoneCalls/@me/{EXT_OFFICE}/{call_id}", status=204
    )

    with pytest.raises(HomeAssistantError) as err:
        await async_act(hass, "start_recording", {"extension": EXT_OFFICE})

    assert err.value.translation_key == "call_ended"


@pytest.mark.parametrize("status", [401, 403])
async def test_refusal_is_the_action_error_not_a_reauth(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    call_id: str,
    status: int,
) -> None:
    """An App that may not park gets the park error; its credentials stay."""
    simulator.inject_fault(
        "custom",
        2,
        f"/uapi/phoneCalls/@me/{EXT_OFFICE}/{call_id}",
        status=status,
        body='{"error": {"code": "access_denied"}}',
    )

    with pytest.raises(HomeAssistantError) as err:
        await async_act(hass, "park_call", {"extension": EXT_OFFICE})

    assert err.value.translation_key == "action_refused"
    assert err.value.translation_placeholders == {"action": "park_call"}
    await settle(hass)
    assert not [
        flow
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        if flow["context"]["source"] == SOURCE_REAUTH
    ]


async def test_pbx_field_error(
    hass: HomeAssistant, simulator: VoipNowSimulator, call_id: str
) -> None:
    """A code the PBX gives for a field names the field, translated."""
    simulator.inject_fault(
        "custom",
        1,
        f"/uapi/phoneCalls/@me/{EXT_OFFICE}/{call_id}",
        status=400,
        body='{"error": {"code": "pc_format_invalid"}}',
    )

    with pytest.raises(ServiceValidationError) as err:
        await async_act(hass, "start_recording", {"extension": EXT_OFFICE})

    assert err.value.translation_key == "pc_format_invalid"
    assert err.value.translation_placeholders == {"field": "format"}


LISTEN = {"extension": EXT_OFFICE, "send_call_to": EXT_KITCHEN, "mode": "monitor"}


@pytest.mark.usefixtures("call_id")
async def test_listen_in_is_off_until_an_administrator_allows_it(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    entry: MockConfigEntry,
    hass_admin_user: MockUser,
    hass_user: MockUser,
) -> None:
    """Refused for everyone while off; never for non-administrators; logged."""
    simulator.clear_requests()
    admin = Context(user_id=hass_admin_user.id)

    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "listen_in", LISTEN, blocking=True, context=admin
        )
    assert err.value.translation_key == "listen_in_disabled"

    allow_listen_in(hass, entry)
    await settle(hass)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "listen_in",
            LISTEN,
            blocking=True,
            context=Context(user_id=hass_user.id),
        )
    assert err.value.translation_key == "listen_in_admin_only"
    assert simulator.api_requests("PUT") == []

    logged: list[Event] = []
    hass.bus.async_listen(EVENT_LOGBOOK_ENTRY, logged.append)
    await hass.services.async_call(
        DOMAIN, "listen_in", LISTEN, blocking=True, context=admin
    )
    await hass.async_block_till_done()

    assert [put[1]["action"] for put in puts(simulator)] == ["Monitor"]
    [entry_logged] = logged
    assert entry_logged.context.user_id == hass_admin_user.id
    assert entry_logged.data["domain"] == DOMAIN
    assert hass_admin_user.name in entry_logged.data[LOGBOOK_ENTRY_MESSAGE]


async def test_non_admin_caller_id_is_checked(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    entry: MockConfigEntry,
    hass_user: MockUser,
) -> None:
    """A user who is not an administrator cannot present another's number."""
    await async_active_call(hass, simulator, entry, answer=False)
    simulator.clear_requests()

    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "pickup_call",
            {
                "extension": EXT_OFFICE,
                "send_call_to": EXT_KITCHEN,
                "caller_id": "Bank <19005550100>",
            },
            blocking=True,
            context=Context(user_id=hass_user.id),
        )

    assert err.value.translation_key == "number_not_allowed"
    assert simulator.api_requests() == []


async def test_park_button(
    hass: HomeAssistant, simulator: VoipNowSimulator, call_id: str
) -> None:
    """The Park button parks the extension's current call."""
    simulator.clear_requests()

    await hass.services.async_call(
        "button",
        "press",
        {"entity_id": "button.extension_0003_210_park"},
        blocking=True,
    )

    assert puts(simulator) == [
        (
            f"/uapi/phoneCalls/@me/{EXT_OFFICE}/{call_id}",
            {"action": "Park", "phoneCallViewId": "01", "maxInParking": 180},
        )
    ]


@pytest.mark.usefixtures("parked")
async def test_unpark_from_another_extension_without_an_id(
    hass: HomeAssistant, simulator: VoipNowSimulator, call_id: str
) -> None:
    """An extension with no parked call of its own takes the only one there is."""

    response = await async_act(
        hass, "unpark_call", {"extension": EXT_KITCHEN, "send_call_to": EXT_KITCHEN}
    )

    assert response == {"phone_call_id": call_id, "extension": EXT_KITCHEN}
    assert puts(simulator)[-1][0] == f"/uapi/phoneCalls/@me/@self/{call_id}"


@pytest.mark.usefixtures("call_id")
async def test_unknown_call_id(
    hass: HomeAssistant, simulator: VoipNowSimulator
) -> None:
    """An id the PBX does not list for the extension: said so, nothing sent."""
    simulator.clear_requests()

    with pytest.raises(ServiceValidationError) as err:
        await async_act(
            hass,
            "stop_recording",
            {"extension": EXT_OFFICE, "phone_call_id": "abcdef0123456789abcd"},
        )

    assert err.value.translation_key == "call_not_found"
    assert simulator.api_requests("PUT") == []
