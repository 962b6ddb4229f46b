"""Simulator tests: park, unpark, pick up, listen in and record through the API."""

from __future__ import annotations

from typing import Any

import pytest

from .helpers import EXT1, EXT2, Api

CALLS = "/uapi/phoneCalls/@me"
EXT3 = "0003*212"


@pytest.fixture(autouse=True)
def supervisor(api: Api) -> None:
    """A third extension, the supervisor's."""
    api.sim.add_extension(EXT3, name="Supervisor")


async def _answered(api: Api, extension: str = EXT1) -> str:
    """An outside caller's answered call to `extension`."""
    call_id = await api.sim.incoming_call(extension, "5551234", "John Doe")
    await api.sim.answer_call(call_id)
    return call_id


async def _view(api: Api, extension: str, call_id: str) -> dict[str, Any]:
    """The extension's view of the call, as the listing shows it."""
    reply = await api.get(f"{CALLS}/{extension}")
    [call] = [c for c in reply.body["entry"] if c["id"] == call_id]
    [view] = [v for v in call["phoneCallView"] if v["extension"] == extension]
    return view


@pytest.mark.parametrize("max_in_parking", [30, "30", None])
async def test_park_and_unpark(api: Api, max_in_parking: Any) -> None:
    """4PSA's client sends a number, the page's example a string; both park."""
    call_id = await _answered(api)
    path = f"{CALLS}/{EXT1}/{call_id}"
    body = {"action": "Park", "phoneCallViewId": "01"}
    if max_in_parking is not None:
        body["maxInParking"] = max_in_parking
    reply = await api.put(path, body)
    assert reply.status == 200
    view = await _view(api, EXT1, call_id)
    assert "parked" in view
    assert (view["parkedPos"], view["parkedBy"]) == ("1", EXT1)
    # The page's UnPark example: a string waitForPickup and a caller id.
    reply = await api.put(
        path,
        {
            "action": "UnPark",
            "sendCallTo": EXT2,
            "callerId": "John Doe <42420042>",
            "waitForPickup": "20",
            "phoneCallViewId": "01",
        },
    )
    assert reply.status == 200
    [view] = reply.body["phoneCallView"]
    assert (view["extension"], view["status"]) == (EXT2, "3")
    assert "parked" not in view
    assert (api.sim.events[-1].type, api.sim.events[-1].extension) == (0, EXT2)


async def test_park_timeout_rings_the_parker(api: Api) -> None:
    """When the parking time runs out the parker's phone rings again."""
    call_id = await _answered(api)
    path = f"{CALLS}/{EXT1}/{call_id}"
    await api.put(path, {"action": "Park", "phoneCallViewId": "01"})
    api.sim.calls[call_id].park_until = 0.0
    await api.sim.expire_parking()
    view = await _view(api, EXT1, call_id)
    assert (view["status"], "parked" in view) == ("3", False)
    await api.sim.expire_parking()
    reply = await api.request("POST", f"/_sim/calls/{call_id}/park_timeout")
    assert reply.status == 400


async def test_unpark_on_the_parker(api: Api) -> None:
    """The extension that parked the call may take it back itself."""
    call_id = await _answered(api)
    path = f"{CALLS}/{EXT1}/{call_id}"
    await api.put(path, {"action": "Park", "phoneCallViewId": "01"})
    reply = await api.put(path, {"action": "UnPark", "sendCallTo": EXT1})
    assert reply.status == 200
    assert (await _view(api, EXT1, call_id))["status"] == "3"


async def test_pickup(api: Api) -> None:
    """A ringing call is answered on another extension; the first one leaves."""
    call_id = await api.sim.incoming_call(EXT1, "5551234")
    reply = await api.put(
        f"{CALLS}/{EXT1}/{call_id}",
        {
            "action": "PickUp",
            "sendCallTo": EXT2,
            "waitForPickup": "25",
            "phoneCallViewId": "01",
        },
    )
    assert reply.status == 200
    [view] = reply.body["phoneCallView"]
    assert (view["extension"], view["status"]) == (EXT2, "5")


@pytest.mark.parametrize(
    ("action", "extra"),
    [
        ("Monitor", {}),
        ("BargeIn", {}),
        ("Whisper", {"private": "1"}),
        ("Whisper", {"private": "0"}),
    ],
)
async def test_listen_in(api: Api, action: str, extra: dict[str, Any]) -> None:
    """A supervisor listens to, whispers in or joins a call in progress."""
    call_id = await _answered(api)
    body = {"action": action, "sendCallTo": EXT3, "phoneCallViewId": "01", **extra}
    reply = await api.put(f"{CALLS}/{EXT1}/{call_id}", body)
    assert reply.status == 200
    assert api.sim.calls[call_id].listeners == [
        (action, EXT3, extra.get("private") == "1")
    ]


@pytest.mark.parametrize("lists", [True, False])
async def test_recording(api: Api, lists: bool) -> None:
    """Recording dates are listed unless the server is one that lists none."""
    api.sim.lists_recording = lists
    call_id = await _answered(api)
    path = f"{CALLS}/{EXT1}/{call_id}"
    body = {"action": "StartRecording", "phoneCallViewId": "01", "format": "wav49"}
    assert (await api.put(path, body)).status == 200
    assert ("recording" in await _view(api, EXT1, call_id)) is lists
    assert api.sim.calls[call_id].recording_format == "wav49"
    body = {"action": "StopRecording", "phoneCallViewId": "01"}
    assert (await api.put(path, body)).status == 200
    assert "recording" not in await _view(api, EXT1, call_id)
    # A second stop does nothing and is no error.
    assert (await api.put(path, body)).status == 200


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"action": "Park"}, "pc_phonecallviewid_invalid"),
        ({"action": "Park", "phoneCallViewId": "07"}, "pc_phonecallviewid_invalid"),
        (
            {"action": "Park", "phoneCallViewId": "01", "maxInParking": 5},
            "pc_maxinparking_invalid",
        ),
        (
            {"action": "Park", "phoneCallViewId": "01", "maxInParking": "3601"},
            "pc_maxinparking_invalid",
        ),
        (
            {"action": "Park", "phoneCallViewId": "01", "maxInParking": True},
            "pc_maxinparking_invalid",
        ),
        ({"action": "UnPark", "sendCallTo": EXT2}, "pc_phonecall_invalid"),
        ({"action": "PickUp", "sendCallTo": EXT2}, "pc_phonecall_invalid"),
        ({"action": "PickUp", "sendCallTo": "5550000"}, "pc_sendcallto_invalid"),
        ({"action": "PickUp", "sendCallTo": EXT1}, "pc_sendcallto_invalid"),
        ({"action": "Monitor"}, "pc_sendcallto_invalid"),
        ({"action": "Monitor", "sendCallTo": "0003*999"}, "pc_sendcallto_invalid"),
        (
            {"action": "Monitor", "sendCallTo": EXT3, "callerId": ""},
            "pc_callerid_invalid",
        ),
        (
            {"action": "Monitor", "sendCallTo": EXT3, "waitForPickup": "0"},
            "pc_waitforpickup_invalid",
        ),
        (
            {"action": "Whisper", "sendCallTo": EXT3, "private": "yes"},
            "pc_private_invalid",
        ),
        (
            {"action": "StartRecording", "phoneCallViewId": "01", "format": "mp3"},
            "pc_format_invalid",
        ),
        ({"action": "StopRecording"}, "pc_phonecallviewid_invalid"),
    ],
)
async def test_errors(api: Api, body: dict[str, Any], code: str) -> None:
    """Each refusal of an answered call: 400 with the code, the call unchanged."""
    call_id = await _answered(api)
    reply = await api.put(f"{CALLS}/{EXT1}/{call_id}", body)
    assert (reply.status, reply.body["error"]["code"]) == (400, code)
    call = api.sim.calls[call_id]
    assert (call.parked_at, call.recording_at, call.listeners) == (None, None, [])


@pytest.mark.parametrize(
    "body",
    [
        {"action": "Park", "phoneCallViewId": "01"},
        {"action": "Monitor", "sendCallTo": EXT3},
        {"action": "StartRecording", "phoneCallViewId": "01"},
    ],
)
async def test_ringing_call_refusals(api: Api, body: dict[str, Any]) -> None:
    """Parking, listening in and recording need a call in progress."""
    call_id = await api.sim.incoming_call(EXT1, "5551234")
    reply = await api.put(f"{CALLS}/{EXT1}/{call_id}", body)
    assert (reply.status, reply.body["error"]["code"]) == (400, "pc_phonecall_invalid")


async def test_parked_twice_and_ended(api: Api) -> None:
    """A parked call does not park again; an ended call answers 204."""
    call_id = await _answered(api)
    second = await _answered(api, EXT2)
    path = f"{CALLS}/{EXT1}/{call_id}"
    body = {"action": "Park", "phoneCallViewId": "01"}
    assert (await api.put(path, body)).status == 200
    assert (await api.put(path, body)).body["error"]["code"] == "pc_phonecall_invalid"
    # The second parked call takes the next slot.
    await api.put(f"{CALLS}/{EXT2}/{second}", body)
    assert (await _view(api, EXT2, second))["parkedPos"] == "2"
    await api.sim.hangup_call(call_id)
    assert (await api.put(path, body)).status == 204
