"""Simulator tests: PhoneCallActions (transfer, voicemail, hold) through the API."""

from __future__ import annotations

from datetime import datetime

from .helpers import EXT1, EXT2, Api

CALLS = "/uapi/phoneCalls/@me"


async def test_transfer_to_extension(api: Api) -> None:
    """The transferred caller rings the new extension; the old one leaves."""
    sim = api.sim
    call_id = await sim.incoming_call(EXT1, "5551234", "John Doe")
    await sim.answer_call(call_id)
    reply = await api.put(
        f"{CALLS}/{EXT1}/{call_id}",
        {"action": "Transfer", "sendCallTo": "211", "transferFromNumber": EXT1},
    )
    assert reply.status == 200
    assert reply.body["id"] == call_id
    assert reply.body["extension"] == EXT2
    # The call was answered (by the first extension); the new callee rings.
    assert "answered" in reply.body
    [view] = reply.body["phoneCallView"]
    assert (view["extension"], view["status"], view["callerId"]) == (
        EXT2,
        "3",
        "John Doe <5551234>",
    )
    assert "ringing" in view
    assert "answered" not in view
    assert (await api.get(f"{CALLS}/{EXT1}")).body["totalResults"] == 0
    assert [(e.type, e.extension) for e in sim.events[-2:]] == [(2, EXT1), (0, EXT2)]
    assert sim.events[-2].params["CallStatus"] == "ANSWER"
    await sim.answer_call(call_id)
    assert sim.events[-1].type == 3


async def test_transfer_to_public_number(api: Api) -> None:
    """The documented example: 0003*024 hands 0003*210 over to a public number."""
    sim = api.sim
    call_id = await sim.incoming_call(EXT2, from_number=EXT1)
    await sim.answer_call(call_id)
    reply = await api.put(
        f"/uapi/phoneCalls/12/{EXT1}/{call_id}",
        {
            "action": "Transfer",
            "sendCallTo": "3235742879",
            "transferFromNumber": EXT2,
            "transferNumber": EXT1,
        },
    )
    assert reply.status == 200
    [view] = reply.body["phoneCallView"]
    assert view["extension"] == EXT1
    assert (view["source"], view["destination"]) == ([EXT1], ["3235742879"])
    assert view["status"] == "5"
    # The caller's own caller id, as in the Transfer page's follow-up example.
    assert view["callerId"] == f"Office <{EXT1}>"
    assert (await api.get(f"{CALLS}/{EXT2}")).body["totalResults"] == 0

    outside = await sim.incoming_call(EXT1, "5551234")
    body = {"action": "Transfer", "sendCallTo": "+4021555", "transferFromNumber": "210"}
    reply = await api.put(f"{CALLS}/{EXT1}/{outside}", body)
    assert reply.status == 200
    assert reply.body["phoneCallView"] == []
    assert outside not in sim.calls
    assert (await api.put(f"{CALLS}/{EXT1}/{outside}", body)).status == 204


async def test_transfer_errors(api: Api) -> None:
    """Each documented 400 code, plus the simulator's own choices."""
    call_id = await api.sim.incoming_call(EXT1, "5551234")
    path = f"{CALLS}/{EXT1}/{call_id}"
    ok = {"action": "Transfer", "sendCallTo": "3334444", "transferFromNumber": EXT1}
    cases = [
        ({**ok, "sendCallTo": None}, "pc_sendcallto_invalid"),
        ({**ok, "sendCallTo": "abc"}, "pc_sendcallto_invalid"),
        ({**ok, "sendCallTo": "0003*999"}, "pc_sendcallto_invalid"),
        ({**ok, "sendCallTo": "5551234"}, "pc_sendcallto_invalid"),
        ({**ok, "transferFromNumber": None}, "pc_transfer_from_number_invalid"),
        ({**ok, "transferFromNumber": "0003*212"}, "pc_transfer_from_number_invalid"),
        ({**ok, "transferNumber": "5550000"}, "pc_transfer_number_invalid"),
        ({**ok, "transferNumber": EXT1}, "pc_transfer_number_invalid"),
        ({**ok, "action": "Explode"}, "pc_action_invalid"),
        ({**ok, "action": ["Transfer"]}, "pc_action_invalid"),
    ]
    for body, code in cases:
        reply = await api.put(path, body)
        assert (reply.status, reply.body["error"]["code"]) == (400, code), body
    reply = await api.request("PUT", path, data="not json")
    assert (reply.status, reply.body["error"]["code"]) == (400, "fields_invalid")
    reply = await api.put(f"{CALLS}/{EXT1}/ffffffffffffffffffff", ok)
    assert reply.body["error"]["code"] == "pc_phonecall_invalid"
    reply = await api.put(f"{CALLS}/{EXT1}/not-a-call!", ok)
    assert reply.body["error"]["code"] == "pc_phonecall_invalid"
    assert call_id in api.sim.calls


async def test_transfer_202_and_all_calls(api: Api) -> None:
    """Short 202 answer option; without an id every call of the extension moves."""
    sim = api.sim
    sim.transfer_accepted_202 = True
    first = await sim.incoming_call(EXT1, "5551234")
    reply = await api.put(
        f"{CALLS}/{EXT1}/{first}",
        {"action": "Transfer", "sendCallTo": EXT2, "transferFromNumber": EXT1},
    )
    assert reply.status == 202
    assert reply.body == {
        "id": first,
        "extension": EXT2,
        "link": {"self": f"{sim.url}/uapi/phoneCalls/12/{EXT2}/{first}"},
    }
    second = await sim.incoming_call(EXT2, "5559999")
    body = {"action": "Transfer", "sendCallTo": "210", "transferFromNumber": EXT2}
    reply = await api.put(f"{CALLS}/{EXT2}", body)
    assert reply.status == 200
    assert [c["id"] for c in reply.body] == [first, second]
    assert {sim.calls[first].callee.number, sim.calls[second].callee.number} == {EXT1}
    reply = await api.put(f"{CALLS}/{EXT2}", body)
    assert reply.status == 204


async def test_transfer_to_voicemail(api: Api) -> None:
    """The caller lands in an extension's voicemail and the call is gone."""
    sim = api.sim
    call_id = await sim.incoming_call(EXT1, "5551234", "John Doe")
    path = f"{CALLS}/{EXT1}/{call_id}"
    base = {"action": "TransferToVoicemail", "sendCallTo": EXT2}
    reply = await api.put(path, {**base, "sendCallTo": "3334444"})
    assert reply.body["error"]["code"] == "pc_sendcallto_invalid"
    reply = await api.put(path, base)
    assert reply.body["error"]["code"] == "pc_transfer_number_invalid"
    reply = await api.put(path, {**base, "transferNumber": "5550000"})
    assert reply.body["error"]["code"] == "pc_transfer_number_invalid"
    body = {**base, "transferNumber": "5551234", "transferFromNumber": EXT1}
    reply = await api.put(path, body)
    assert reply.status == 200
    assert call_id not in sim.calls
    assert sim.voicemails[0]["extension"] == EXT2
    assert sim.voicemails[0]["caller_number"] == "5551234"
    assert sim.events[-1].type == 2
    # Not documented: a ringing call sent to voicemail ends like a ring-out.
    assert sim.events[-1].params["CallStatus"] == "NOANSWER"


async def test_hold(api: Api) -> None:
    """OnHold: every view carries the hold date; the holder's view holder "1"."""
    sim = api.sim
    call_id = await sim.incoming_call(EXT1, from_number=EXT2)
    await sim.answer_call(call_id)
    path = f"{CALLS}/{EXT1}/{call_id}"
    reply = await api.put(path, {"action": "OnHold", "phoneCallViewId": "01"})
    views = {v["id"]: v for v in reply.body["phoneCallView"]}
    held = sim.get_call(call_id).held_at
    assert held is not None
    for view in views.values():
        assert datetime.fromisoformat(view["onHold"]) == held
    # Whose view OnHold takes is unknown: the simulator makes its party hold.
    assert views["01"]["holder"] == "1"
    assert "holder" not in views["00"]
    assert sim.get_call(call_id).held_by == EXT1
    assert sim.get_call(call_id).on_hold == {EXT1}
    reply = await api.put(path, {"action": "OffHold", "phoneCallViewId": "01"})
    assert all(not {"onHold", "holder"} & set(v) for v in reply.body["phoneCallView"])
    reply = await api.put(path, {"action": "OnHold", "phoneCallViewId": "07"})
    assert reply.body["error"]["code"] == "pc_phonecallviewid_invalid"


async def test_hold_from_python(api: Api) -> None:
    """hold_call names the holder (or not); unhold_call clears the call's hold."""
    sim = api.sim
    call_id = await sim.incoming_call(EXT1, from_number=EXT2)
    await sim.answer_call(call_id)
    await sim.hold_call(call_id, extension="211")
    call = sim.get_call(call_id)
    assert (call.held_by, call.on_hold) == (EXT2, {EXT2})
    view = call.view_of(EXT2)
    assert view is not None
    assert view.holder
    assert view.on_hold == call.held_at
    await sim.unhold_call(call_id, extension="211")
    assert (call.held_at, call.held_by, call.on_hold) == (None, None, set())
    await sim.hold_call(call_id)
    reply = await api.get(f"{CALLS}/{EXT1}/{call_id}")
    views = reply.body["phoneCallView"]
    assert all("onHold" in v and "holder" not in v for v in views)
    assert call.on_hold == {EXT1, EXT2}
    await sim.unhold_call(call_id)
    assert not call.on_hold
