"""Tests for the buttons of each extension: hang up, and one per transfer target."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN, SERVICE_PRESS
from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.voipnow.const import CONF_TRANSFER_TARGETS, DOMAIN
from tests.components.helpers import (
    CALLER,
    CALLS_PREFIX,
    KITCHEN_CALL_STATE,
    OFFICE_CALL_STATE,
    actions,
    async_ring,
    async_state,
    sole_action,
)
from tests.conftest import EXT_KITCHEN, EXT_OFFICE, UNIQUE_ID, simulator_entry
from voipnow_simulator import VoipNowSimulator

# Reception is the kitchen phone here, so the simulator really moves the call.
TARGETS: list[dict[str, Any]] = [
    {"name": "Reception", "number": EXT_KITCHEN, "voicemail": False},
    {"name": "Mobile", "number": "+15551234567", "voicemail": False},
    {"name": "Office", "number": EXT_OFFICE, "voicemail": True},
    {"name": "Front desk", "number": "0003*100", "voicemail": False},
]

CALL_STATES = {EXT_OFFICE: OFFICE_CALL_STATE, EXT_KITCHEN: KITCHEN_CALL_STATE}
OFFICE_HANGUP = "button.extension_0003_210_hang_up"
OFFICE_TO_RECEPTION = "button.extension_0003_210_transfer_to_reception"
OFFICE_TO_MOBILE = "button.extension_0003_210_transfer_to_mobile"
OFFICE_TO_FRONT_DESK = "button.extension_0003_210_transfer_to_front_desk"
OFFICE_TO_OWN_VOICEMAIL = "button.extension_0003_210_send_to_voicemail_of_office"
KITCHEN_TO_OFFICE_VOICEMAIL = "button.extension_0003_211_send_to_voicemail_of_office"
KITCHEN_TO_RECEPTION = "button.extension_0003_211_transfer_to_reception"


pytestmark = pytest.mark.platforms(Platform.BUTTON)


@pytest.fixture
def mock_config_entry(simulator: VoipNowSimulator) -> MockConfigEntry:
    """Return the simulator's entry with four transfer targets configured."""
    return simulator_entry(simulator, {CONF_TRANSFER_TARGETS: TARGETS})


async def async_press(hass: HomeAssistant, entity_id: str) -> None:
    """Press a button as the dashboard does, and let the refresh it starts finish."""
    await hass.services.async_call(
        BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: entity_id}, blocking=True
    )
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_buttons(platform_snapshot: Callable[[], Awaitable[None]]) -> None:
    """The buttons' registry entries and states match the snapshot."""
    await platform_snapshot()


async def test_stale_buttons_are_removed(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    simulator: VoipNowSimulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Buttons of removed targets, or that would ring their own phone, go away."""
    mock_config_entry.add_to_hass(hass)
    old = {
        "gone": f"{UNIQUE_ID}_{EXT_OFFICE}_transfer_0003*999",
        "self": f"{UNIQUE_ID}_{EXT_KITCHEN}_transfer_{EXT_KITCHEN}",
        "kept": f"{UNIQUE_ID}_{EXT_OFFICE}_transfer_{EXT_KITCHEN}",
    }
    for name, unique_id in old.items():
        entity_registry.async_get_or_create(
            BUTTON_DOMAIN,
            DOMAIN,
            unique_id,
            config_entry=mock_config_entry,
            suggested_object_id=f"old_{name}",
        )

    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert (
        entity_registry.async_get_entity_id(BUTTON_DOMAIN, DOMAIN, old["gone"]) is None
    )
    assert (
        entity_registry.async_get_entity_id(BUTTON_DOMAIN, DOMAIN, old["self"]) is None
    )
    assert entity_registry.async_get_entity_id(BUTTON_DOMAIN, DOMAIN, old["kept"])


async def test_button_names(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Each button is named after its extension and target, from the translations."""
    assert (
        hass.states.get(OFFICE_TO_RECEPTION).name
        == "Extension 0003*210 Transfer to Reception"
    )
    assert hass.states.get(OFFICE_HANGUP).name == "Extension 0003*210 Hang up"
    assert (
        hass.states.get(KITCHEN_TO_OFFICE_VOICEMAIL).name
        == "Extension 0003*211 Send to voicemail of Office"
    )


async def test_no_button_transfers_to_its_own_extension(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Kitchen has no "Transfer to Reception" (itself); Office may use its voicemail."""
    assert hass.states.get(KITCHEN_TO_RECEPTION) is None
    assert hass.states.get(OFFICE_TO_RECEPTION) is not None
    assert hass.states.get("button.extension_0003_212_transfer_to_reception")
    assert hass.states.get(OFFICE_TO_OWN_VOICEMAIL) is not None


TO_KITCHEN = {
    "action": "Transfer",
    "sendCallTo": EXT_KITCHEN,
    "transferFromNumber": EXT_OFFICE,
}
TO_MOBILE = {**TO_KITCHEN, "sendCallTo": "+15551234567"}
TO_OFFICE_VOICEMAIL = {
    "action": "TransferToVoicemail",
    "sendCallTo": EXT_OFFICE,
    "transferNumber": CALLER,
}
# A button pressed on the only call of an extension (answered or ringing): the
# one request the PBX receives (method, body), and the extensions the call is
# at afterwards (None: it left the PBX).
PRESSES: dict[str, tuple[str, str, bool, str, Any, list[str] | None]] = {
    "to_reception-ringing": (
        OFFICE_TO_RECEPTION,
        EXT_OFFICE,
        False,
        "PUT",
        TO_KITCHEN,
        [EXT_KITCHEN],
    ),
    "to_reception-answered": (
        OFFICE_TO_RECEPTION,
        EXT_OFFICE,
        True,
        "PUT",
        TO_KITCHEN,
        [EXT_KITCHEN],
    ),
    # Both remaining parties are outside: the PBX is out of the call.
    "to_mobile": (OFFICE_TO_MOBILE, EXT_OFFICE, True, "PUT", TO_MOBILE, None),
    # The caller, not the extension, goes to the voicemail.
    "to_voicemail": (
        KITCHEN_TO_OFFICE_VOICEMAIL,
        EXT_KITCHEN,
        False,
        "PUT",
        TO_OFFICE_VOICEMAIL,
        None,
    ),
    "to_own_voicemail": (
        OFFICE_TO_OWN_VOICEMAIL,
        EXT_OFFICE,
        False,
        "PUT",
        TO_OFFICE_VOICEMAIL,
        None,
    ),
    "hang_up-ringing": (OFFICE_HANGUP, EXT_OFFICE, False, "DELETE", None, None),
    "hang_up-answered": (OFFICE_HANGUP, EXT_OFFICE, True, "DELETE", None, None),
}


@pytest.mark.platforms(Platform.BUTTON, Platform.SENSOR)
@pytest.mark.parametrize("press", PRESSES.values(), ids=PRESSES)
async def test_press(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    press: tuple[str, str, bool, str, Any, list[str] | None],
) -> None:
    """One press sends one request for the call; the sensors show it at once."""
    button, extension, answer, method, body, now_at = press
    call_id = await async_ring(
        hass, simulator, init_integration, extension, answer=answer
    )

    await async_press(hass, button)

    assert sole_action(simulator, method, extension, call_id) == body
    if now_at is None:
        assert call_id not in simulator.calls
    else:
        call = simulator.get_call(call_id)
        assert call.local_extensions == now_at
        assert call.ringing
    voicemail = body is not None and body["action"] == "TransferToVoicemail"
    assert [v["call_id"] for v in simulator.voicemails] == [call_id] * voicemail
    # Home Assistant re-read the calls right after the press.
    await hass.async_block_till_done(wait_background_tasks=True)
    states = {ext: hass.states.get(state).state for ext, state in CALL_STATES.items()}
    assert states == {
        ext: "ringing" if ext in (now_at or ()) else "idle" for ext in CALL_STATES
    }


async def test_double_press_transfers_once(
    hass: HomeAssistant, simulator: VoipNowSimulator, init_integration: MockConfigEntry
) -> None:
    """A second press before the PBX is re-read does not transfer the call again."""
    await async_ring(hass, simulator, init_integration, answer=True)

    results = await asyncio.gather(
        hass.services.async_call(
            BUTTON_DOMAIN,
            SERVICE_PRESS,
            {ATTR_ENTITY_ID: OFFICE_TO_MOBILE},
            blocking=True,
        ),
        hass.services.async_call(
            BUTTON_DOMAIN,
            SERVICE_PRESS,
            {ATTR_ENTITY_ID: OFFICE_TO_MOBILE},
            blocking=True,
        ),
        return_exceptions=True,
    )
    await hass.async_block_till_done()

    assert [r.method for r in actions(simulator)] == ["PUT"]
    assert results[0] is None
    # Refused while the first is under way (2025.4), or found no call after
    # it (newer Home Assistant runs one entity's presses one at a time).
    assert isinstance(results[1], ServiceValidationError)
    assert results[1].translation_key in ("call_busy", "no_active_call")

    # Pressed again once the first press is done: the call is gone already.
    with pytest.raises(ServiceValidationError) as err:
        await async_press(hass, OFFICE_TO_MOBILE)
    assert err.value.translation_key == "no_active_call"
    assert [r.method for r in actions(simulator)] == ["PUT"]


async def test_buttons_act_on_the_leading_call(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
) -> None:
    """With a call answered and another ringing, the answered one is transferred."""
    answered = await simulator.incoming_call(EXT_OFFICE, CALLER)
    await simulator.answer_call(answered)
    waiting = await async_ring(hass, simulator, init_integration)

    await async_press(hass, OFFICE_TO_RECEPTION)

    [request] = actions(simulator)
    assert request.path == f"{CALLS_PREFIX}{EXT_OFFICE}/{answered}"
    assert simulator.get_call(answered).local_extensions == [EXT_KITCHEN]
    assert simulator.get_call(waiting).local_extensions == [EXT_OFFICE]


@pytest.mark.parametrize(
    "entity_id",
    [OFFICE_HANGUP, OFFICE_TO_RECEPTION, OFFICE_TO_MOBILE, OFFICE_TO_OWN_VOICEMAIL],
)
async def test_press_without_a_call(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    entity_id: str,
) -> None:
    """Pressing with no call says so in words and sends nothing to the PBX."""
    # The kitchen's call must not be taken for the office's.
    await async_ring(hass, simulator, init_integration, EXT_KITCHEN)

    with pytest.raises(ServiceValidationError) as err:
        await async_press(hass, entity_id)

    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == "no_active_call"
    assert err.value.translation_placeholders == {"extension": EXT_OFFICE}
    assert str(err.value).rstrip(".") == "Extension 0003*210 has no active call"
    assert actions(simulator) == []


@pytest.mark.platforms(Platform.BUTTON, Platform.SENSOR)
async def test_call_ended_before_the_press(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
) -> None:
    """A call that ended since the last poll gives a clear error, then is gone."""
    call_id = await async_ring(hass, simulator, init_integration)
    await simulator.hangup_call(call_id)

    with pytest.raises(HomeAssistantError) as err:
        await async_press(hass, OFFICE_TO_RECEPTION)

    assert err.value.translation_key == "call_ended"
    assert len(actions(simulator)) == 1
    assert await async_state(hass, OFFICE_CALL_STATE, background=True) == "idle"


async def test_pbx_refuses_the_target(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
) -> None:
    """A target the PBX does not know gives the PBX's reason, and the call stays."""
    call_id = await async_ring(hass, simulator, init_integration, answer=True)

    with pytest.raises(ServiceValidationError) as err:
        await async_press(hass, OFFICE_TO_FRONT_DESK)

    assert err.value.translation_key == "pc_sendcallto_invalid"
    [request] = actions(simulator)
    assert request.json["sendCallTo"] == "0003*100"
    assert simulator.get_call(call_id).local_extensions == [EXT_OFFICE]
