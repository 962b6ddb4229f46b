"""The ringing call notification blueprint, end to end against the simulated PBX."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import async_mock_service

from custom_components.voipnow.const import DOMAIN
from tests.components.test_blueprints import (
    JOHN,
    MOBILE,
    async_runs_done,
    async_settle,
    async_use,
    blueprint_folder,  # noqa: F401 - loads the repository's blueprints
)
from tests.conftest import EXT_KITCHEN, EXT_OFFICE
from voipnow_simulator import VoipNowSimulator

NAME = "ringing_call_notification"
pytestmark = pytest.mark.usefixtures("push_integration")


def changes(simulator: VoipNowSimulator, mark: int) -> list[tuple[str, Any]]:
    """The PUTs and DELETEs the PBX received since `mark`: method and body."""
    return [
        (request.method, request.json)
        for request in simulator.requests[mark:]
        if request.method in ("PUT", "DELETE")
    ]


async def _ring(
    hass: HomeAssistant, simulator: VoipNowSimulator, *buttons: str, **inputs: Any
) -> tuple[list[Any], str]:
    """Use the blueprint (these buttons chosen), ring the office.

    Return the notifications and the call's id.
    """
    if buttons:
        inputs["buttons"] = list(buttons)
    notifications = async_mock_service(hass, "notify", "my_phone")
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    await async_use(hass, NAME, entry, notify_action="notify.my_phone", **inputs)
    call_id = await simulator.incoming_call(EXT_OFFICE, JOHN, "John Doe")
    await async_settle(hass)
    return notifications, call_id


async def async_press(
    hass: HomeAssistant, simulator: VoipNowSimulator, button: dict[str, str]
) -> list[tuple[str, Any]]:
    """Press a notification's button; return the changes the PBX received."""
    mark = len(simulator.requests)
    hass.bus.async_fire("mobile_app_notification_action", {"action": button["action"]})
    await async_runs_done(hass, NAME)
    return changes(simulator, mark)


async def test_three_buttons_and_pick_up(
    hass: HomeAssistant, simulator: VoipNowSimulator
) -> None:
    """Four chosen, three sent; Pick up answers on the extension; then cleared."""
    chosen = ("pickup", "hangup", "transfer", "voicemail")
    notifications, call_id = await _ring(
        hass, simulator, *chosen, transfer_to=MOBILE, pick_up_on=EXT_KITCHEN
    )

    [note] = notifications
    assert note.data["title"] == "Incoming call"
    assert note.data["message"] == (
        f"John Doe ({JOHN}) is calling Extension {EXT_OFFICE}."
    )
    assert note.data["data"]["tag"] == f"voipnow_call_{call_id}"
    buttons = note.data["data"]["actions"]
    assert [button["title"] for button in buttons] == [
        f"Pick up on {EXT_KITCHEN}",
        "Hang up",
        f"Transfer to {MOBILE}",
    ]
    mark = len(simulator.requests)

    # Another notification's button does nothing.
    hass.bus.async_fire(
        "mobile_app_notification_action", {"action": "VOIPNOW_other_pickup"}
    )
    await async_settle(hass)
    assert changes(simulator, mark) == []

    assert await async_press(hass, simulator, buttons[0]) == [
        (
            "PUT",
            {"action": "PickUp", "phoneCallViewId": "01", "sendCallTo": EXT_KITCHEN},
        )
    ]
    assert simulator.calls[call_id].callee.number == EXT_KITCHEN
    cleared = notifications[-1]
    assert cleared.data == {
        "message": "clear_notification",
        "data": {"tag": f"voipnow_call_{call_id}"},
    }


async def test_transfer_keeps_the_plus(
    hass: HomeAssistant, simulator: VoipNowSimulator
) -> None:
    """Transfer to a public number sends it with its +."""
    notifications, _ = await _ring(hass, simulator, "transfer", transfer_to=MOBILE)
    [button] = notifications[0].data["data"]["actions"]

    [(method, body)] = await async_press(hass, simulator, button)
    assert (method, body["action"], body["sendCallTo"]) == ("PUT", "Transfer", MOBILE)


async def test_voicemail_and_hang_up_buttons(
    hass: HomeAssistant, simulator: VoipNowSimulator
) -> None:
    """Without a target or an extension, Transfer and Pick up are left out."""
    chosen = ("transfer", "pickup", "voicemail", "hangup")
    notifications, _ = await _ring(hass, simulator, *chosen)
    buttons = notifications[0].data["data"]["actions"]
    assert [button["title"] for button in buttons] == ["Send to voicemail", "Hang up"]

    assert await async_press(hass, simulator, buttons[0]) == [
        (
            "PUT",
            {
                "action": "TransferToVoicemail",
                "sendCallTo": EXT_OFFICE,
                "transferNumber": JOHN,
            },
        )
    ]


async def test_cleared_when_answered(
    hass: HomeAssistant, simulator: VoipNowSimulator
) -> None:
    """Answering on the phone clears this call's notification; nothing is sent."""
    notifications, call_id = await _ring(hass, simulator)
    mark = len(simulator.requests)

    await simulator.answer_call(call_id)
    await async_runs_done(hass, NAME)

    assert changes(simulator, mark) == []
    assert [note.data["message"] for note in notifications] == [
        f"John Doe ({JOHN}) is calling Extension {EXT_OFFICE}.",
        "clear_notification",
    ]
    assert notifications[-1].data["data"]["tag"] == f"voipnow_call_{call_id}"


async def test_cleared_when_the_caller_gives_up(
    hass: HomeAssistant, simulator: VoipNowSimulator
) -> None:
    """A call that ends while ringing clears its notification too."""
    notifications, call_id = await _ring(hass, simulator)

    await simulator.hangup_call(call_id, "CANCEL")
    await async_runs_done(hass, NAME)

    assert notifications[-1].data["message"] == "clear_notification"
