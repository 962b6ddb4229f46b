"""Tests of the client's actions on a view of a call: park, pick up, listen, record."""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.voipnow.api import (
    CallAction,
    VoipNowClient,
    VoipNowInvalidInputError,
    VoipNowResponseError,
)
from voipnow_simulator import VoipNowSimulator

from .conftest import EXT_GARAGE, EXT_OFFICE, EXT_SALES, ring


@pytest.mark.parametrize(
    ("action", "fields", "body"),
    [
        (CallAction.PARK, {}, {"maxInParking": 180}),
        (CallAction.PARK, {"max_in_parking": 10}, {"maxInParking": 10}),
        (
            CallAction.MONITOR,
            {"send_call_to": EXT_GARAGE, "wait_for_pickup": 20},
            {"sendCallTo": EXT_GARAGE, "waitForPickup": "20"},
        ),
        (
            CallAction.WHISPER,
            {"send_call_to": EXT_GARAGE, "private": True, "caller_id": " Boss <1> "},
            {"sendCallTo": EXT_GARAGE, "private": "1", "callerId": "Boss <1>"},
        ),
        (
            CallAction.BARGE_IN,
            {"send_call_to": EXT_GARAGE, "caller_id": None},
            {"sendCallTo": EXT_GARAGE},
        ),
        (CallAction.START_RECORDING, {}, {"format": "wav"}),
        (
            CallAction.START_RECORDING,
            {"recording_format": "wav49"},
            {"format": "wav49"},
        ),
        (CallAction.STOP_RECORDING, {}, {}),
    ],
)
async def test_bodies(
    sim: VoipNowSimulator,
    client: VoipNowClient,
    action: CallAction,
    fields: dict[str, Any],
    body: dict[str, Any],
) -> None:
    """Each action sends its documented body, defaults filled in, and is done."""
    sim.add_extension(EXT_GARAGE, name="Garage")
    call_id = await ring(sim)

    done = await client.async_call_action(
        action,
        extension=EXT_OFFICE,
        phone_call_id=call_id,
        phone_call_view_id="01",
        **fields,
    )

    assert done is True
    [put] = sim.api_requests("PUT")
    assert put.path == f"/uapi/phoneCalls/@me/{EXT_OFFICE}/{call_id}"
    assert put.json == {"action": action.value, "phoneCallViewId": "01", **body}


async def test_pickup_and_unpark(sim: VoipNowSimulator, client: VoipNowClient) -> None:
    """A ringing call is picked up elsewhere; a parked one is sent on."""
    ringing = await ring(sim, answer=False)
    assert await client.async_call_action(
        CallAction.PICKUP,
        extension=EXT_OFFICE,
        phone_call_id=ringing,
        phone_call_view_id="01",
        send_call_to=EXT_SALES,
    )
    assert sim.get_call(ringing).callee.number == EXT_SALES
    parked = await ring(sim)
    kwargs: dict[str, Any] = {
        "extension": EXT_OFFICE,
        "phone_call_id": parked,
        "phone_call_view_id": "01",
    }
    await client.async_call_action(CallAction.PARK, **kwargs)
    [view] = (await client.async_list_calls(extension=EXT_OFFICE))[-1].views
    assert view.parked
    await client.async_call_action(
        CallAction.UNPARK, send_call_to=EXT_OFFICE, wait_for_pickup=25, **kwargs
    )
    assert sim.get_call(parked).callee.number == EXT_OFFICE
    # The call ended: the PBX answers 204 and the client says so.
    await sim.hangup_call(parked)
    assert await client.async_call_action(CallAction.PARK, **kwargs) is False


@pytest.mark.parametrize(
    ("action", "fields", "field"),
    [
        (CallAction.PARK, {"max_in_parking": 9}, "max_in_parking"),
        (CallAction.PARK, {"max_in_parking": 3601}, "max_in_parking"),
        (CallAction.PARK, {"max_in_parking": "180"}, "max_in_parking"),
        (CallAction.PARK, {"max_in_parking": True}, "max_in_parking"),
        (CallAction.PARK, {"send_call_to": EXT_SALES}, "send_call_to"),
        (CallAction.PICKUP, {}, "send_call_to"),
        (CallAction.PICKUP, {"send_call_to": "@self"}, "send_call_to"),
        (CallAction.PICKUP, {"send_call_to": "+1555"}, "send_call_to"),
        (
            CallAction.PICKUP,
            {"send_call_to": EXT_SALES, "wait_for_pickup": 0},
            "wait_for_pickup",
        ),
        (CallAction.UNPARK, {"send_call_to": EXT_SALES, "caller_id": " "}, "caller_id"),
        (CallAction.WHISPER, {"send_call_to": EXT_SALES, "private": 1}, "private"),
        (CallAction.MONITOR, {"send_call_to": EXT_SALES, "private": True}, "private"),
        (
            CallAction.START_RECORDING,
            {"recording_format": "mp3"},
            "recording_format",
        ),
        (CallAction.STOP_RECORDING, {"recording_format": "wav"}, "recording_format"),
        ("Explode", {}, "action"),
    ],
)
async def test_bad_input_sends_nothing(
    sim: VoipNowSimulator,
    client: VoipNowClient,
    action: CallAction,
    fields: dict[str, Any],
    field: str,
) -> None:
    """A wrong or foreign field is refused before anything is sent."""
    with pytest.raises(VoipNowInvalidInputError) as err:
        client.async_call_action(
            action,
            extension=EXT_OFFICE,
            phone_call_id="abc",
            phone_call_view_id="01",
            **fields,
        )
    assert err.value.field == field
    assert sim.requests == []


async def test_refusal_is_the_pbx_code(
    sim: VoipNowSimulator, client: VoipNowClient
) -> None:
    """A refusal of the PBX keeps its code (the view it does not know)."""
    call_id = await ring(sim)
    with pytest.raises(VoipNowResponseError) as err:
        await client.async_call_action(
            CallAction.STOP_RECORDING,
            extension=EXT_OFFICE,
            phone_call_id=call_id,
            phone_call_view_id="07",
        )
    assert (err.value.status, err.value.code) == (400, "pc_phonecallviewid_invalid")
