"""Simulator tests: listing, transferring, holding, making and ending calls."""

from __future__ import annotations

from datetime import datetime
import re

from voipnow_simulator import VoipNowSimulator

from .helpers import EXT1, EXT2, Api

CALLS = "/uapi/phoneCalls/@me"


async def test_empty_listing(api: Api) -> None:
    """No calls: an empty collection without paging links."""
    reply = await api.get(f"{CALLS}/@self")
    assert reply.status == 200
    assert reply.body == {
        "entry": [],
        "startIndex": 0,
        "totalResults": 0,
        "itemsPerPage": 0,
    }
    api.sim.empty_listing_204 = True
    assert (await api.get(f"{CALLS}/@self")).status == 204


async def test_incoming_call_shape(api: Api) -> None:
    """An outside caller rings an extension: documented PhoneCall shape."""
    sim = api.sim
    call_id = await sim.incoming_call(EXT1, from_number="5551234", caller_name="John")
    assert re.fullmatch(r"[0-9a-f]{20}", call_id)
    reply = await api.get(f"{CALLS}/{EXT1}")
    assert reply.body["totalResults"] == 1
    call = reply.body["entry"][0]
    assert call["id"] == call_id
    assert call["extension"] == EXT1
    assert call["ownerId"] == "12"
    assert "answered" not in call
    assert datetime.fromisoformat(call["published"]).tzinfo is not None
    assert call["link"]["self"] == f"{sim.url}/uapi/phoneCalls/12/{EXT1}/{call_id}"
    assert call["phoneCallView"] == [
        {
            "id": "01",
            "extension": EXT1,
            "source": ["5551234"],
            "destination": [EXT1],
            "callerId": "John <5551234>",
            "status": "3",
            "flow": "8",
        }
    ]
    assert (await api.get(f"{CALLS}/{EXT2}")).body["totalResults"] == 0

    await sim.answer_call(call_id)
    call = (await api.get(f"{CALLS}/{EXT1}/{call_id}")).body
    assert call["id"] == call_id
    assert "answered" in call
    view = call["phoneCallView"][0]
    assert (view["status"], "answered" in view) == ("5", True)


async def test_local_and_outgoing_calls(api: Api) -> None:
    """Extension to extension: two views; dialing out: other side ringing."""
    sim = api.sim
    local = await sim.incoming_call(EXT1, from_number="211")
    views = sim.calls[local].views()
    assert [(v.id, v.extension, v.status, v.flow) for v in views] == [
        ("00", EXT2, 4, 2),
        ("01", EXT1, 3, 2),
    ]
    assert [(e.type, e.extension) for e in sim.events] == [(1, EXT2), (0, EXT1)]
    out = await sim.outgoing_call(EXT2, to_number="5559876")
    reply = await api.get(f"{CALLS}/{EXT2}")
    assert [c["id"] for c in reply.body["entry"]] == [local, out]
    view = reply.body["entry"][1]["phoneCallView"][0]
    assert (view["status"], view["flow"], view["destination"]) == (
        "4",
        "4",
        ["5559876"],
    )
    assert (await api.get(f"{CALLS}/@self")).body["totalResults"] == 2
    assert (await api.get(f"{CALLS}/{EXT1}")).body["totalResults"] == 1


async def test_paging(api: Api) -> None:
    """Default page of 20, absolute next/prev links, count limits."""
    ids = [await api.sim.incoming_call(EXT1, f"555{n:04d}") for n in range(25)]
    first = (await api.get(f"{CALLS}/@self")).body
    assert (first["totalResults"], first["itemsPerPage"], first["startIndex"]) == (
        25,
        20,
        0,
    )
    assert "prev" not in first["paging"]
    next_url = first["paging"]["next"]
    assert next_url.startswith(api.sim.url + "/uapi/phoneCalls/")
    async with api.http.get(
        next_url, headers={"Authorization": f"Bearer {api.token}"}
    ) as resp:
        second = await resp.json()
    assert (second["startIndex"], second["itemsPerPage"]) == (20, 5)
    assert "next" not in second["paging"]
    assert "startIndex=0" in second["paging"]["prev"]
    got = [c["id"] for c in first["entry"] + second["entry"]]
    assert got == ids
    page = (await api.get(f"{CALLS}/@self", params={"count": "5000"})).body
    assert "paging" not in page
    for bad in ("0", "5001", "x", "-1"):
        reply = await api.get(f"{CALLS}/@self", params={"count": bad})
        assert (reply.status, reply.body["error"]["code"]) == (400, "count_invalid")
    api.sim.set_page_size(10)
    assert (await api.get(f"{CALLS}/@self")).body["itemsPerPage"] == 10


async def test_quirks_shape(api: Api) -> None:
    """Quirks mode: numbers, callerID, links, Z times and entry keyed by id."""
    sim = api.sim
    call_id = await sim.incoming_call(EXT1, "5551234", "John Doe")
    sim.quirks = True
    body = (await api.get(f"{CALLS}/{EXT1}")).body
    assert isinstance(body["entry"], dict)
    call = body["entry"][call_id]
    view = call["phoneCallView"][0]
    assert (view["status"], view["flow"]) == (3, 8)
    assert view["callerID"] == "John Doe <5551234>"
    assert "callerId" not in view
    assert call["links"]["self"].endswith(call_id)
    assert call["published"].endswith("Z")


async def test_single_call_ended_and_unknown(api: Api) -> None:
    """GET by id: 200 call, 204 once ended, 400 pc_phonecall_invalid if never seen."""
    call_id = await api.sim.incoming_call(EXT1, "5551234")
    assert (await api.get(f"{CALLS}/{EXT1}/{call_id}")).status == 200
    assert (await api.get(f"{CALLS}/{EXT2}/{call_id}")).status == 204
    await api.sim.hangup_call(call_id)
    assert call_id not in api.sim.calls
    assert (await api.get(f"{CALLS}/{EXT1}/{call_id}")).status == 204
    reply = await api.get(f"{CALLS}/{EXT1}/00000000000000000000")
    assert (reply.status, reply.body["error"]["code"]) == (400, "pc_phonecall_invalid")


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
    assert "answered" not in reply.body
    [view] = reply.body["phoneCallView"]
    assert (view["extension"], view["status"], view["callerId"]) == (
        EXT2,
        "3",
        "John Doe <5551234>",
    )
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
    assert view["callerId"].endswith("<3235742879>")
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
    reply = await api.put(path, {**ok, "action": "Park"})
    assert (reply.status, reply.body["error"]["code"]) == (
        501,
        "request_not_implemented",
    )
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
    assert sim.events[-1].params["CallStatus"] == "UNKNOWN"


async def test_hold(api: Api) -> None:
    """OnHold/OffHold by phoneCallViewId; Python hold_call/unhold_call."""
    sim = api.sim
    call_id = await sim.incoming_call(EXT1, from_number=EXT2)
    await sim.answer_call(call_id)
    path = f"{CALLS}/{EXT1}/{call_id}"
    reply = await api.put(path, {"action": "OnHold", "phoneCallViewId": "01"})
    views = {v["id"]: v for v in reply.body["phoneCallView"]}
    assert views["01"]["onHold"] is True
    assert "onHold" not in views["00"]
    reply = await api.put(path, {"action": "OffHold", "phoneCallViewId": "01"})
    assert all("onHold" not in v for v in reply.body["phoneCallView"])
    reply = await api.put(path, {"action": "OnHold", "phoneCallViewId": "07"})
    assert reply.body["error"]["code"] == "pc_phonecallviewid_invalid"
    await sim.hold_call(call_id, extension="211")
    assert sim.get_call(call_id).view_of(EXT2).on_hold  # type: ignore[union-attr]
    await sim.unhold_call(call_id)
    assert not sim.get_call(call_id).on_hold


async def test_make_call(api: Api) -> None:
    """POST simple creates a call from an extension; validation codes."""
    sim = api.sim
    body = {
        "extension": "210",
        "phoneCallView": [
            {"source": ["210"], "destination": ["5353535"], "callerId": "Me <1>"}
        ],
        "nonce": "abc",
    }
    reply = await api.post(
        f"{CALLS}/simple", body, params={"waitForPickup": "25", "callDuration": "60"}
    )
    assert reply.status == 200
    [call] = reply.body
    assert call["id"] in sim.calls
    view = call["phoneCallView"][0]
    assert (view["extension"], view["status"], view["flow"]) == (EXT1, "4", "4")
    assert sim.events[-1].type == 1
    assert sim.events[-1].params["CallerIDName"] == "Me"

    local = {**body, "phoneCallView": [{"source": [EXT1], "destination": ["211"]}]}
    reply = await api.post(f"{CALLS}/simple", local)
    assert [v["status"] for v in reply.body[0]["phoneCallView"]] == ["4", "3"]

    bad = [
        ({**body, "phoneCallView": []}, "fields_invalid"),
        ({**body, "extension": "999"}, "extension_invalid"),
        (
            {"phoneCallView": [{"source": ["5551234"], "destination": ["1"]}]},
            "pc_source_invalid",
        ),
        ({**body, "phoneCallView": [{"source": ["210"]}]}, "pc_destination_invalid"),
        (
            {**body, "phoneCallView": [{"source": ["210"], "destination": ["x"]}]},
            "pc_destination_invalid",
        ),
    ]
    for payload, code in bad:
        reply = await api.post(f"{CALLS}/simple", payload)
        assert (reply.status, reply.body["error"]["code"]) == (400, code), payload
    reply = await api.post(f"{CALLS}/simple", body, params={"waitForPickup": "x"})
    assert reply.body["error"]["code"] == "fields_invalid"
    reply = await api.post("/uapi/phoneCalls/99/simple", body)
    assert reply.body["error"]["code"] == "user_invalid"


async def test_hangup(api: Api) -> None:
    """DELETE one call, all calls of an extension, or by phoneNumber."""
    sim = api.sim
    first = await sim.incoming_call(EXT1, "5551234")
    second = await sim.incoming_call(EXT1, "5559999")
    third = await sim.outgoing_call(EXT2, "5550000")
    assert (await api.delete(f"{CALLS}/{EXT1}/{first}")).status == 204
    assert first not in sim.calls
    assert (sim.events[-1].type, sim.events[-1].params["CallStatus"]) == (2, "UNKNOWN")
    assert (await api.delete(f"{CALLS}/{EXT1}/{first}")).status == 204
    reply = await api.delete(f"{CALLS}/{EXT1}/abcabcabcabcabcabcab")
    assert reply.body["error"]["code"] == "pc_phonecall_invalid"
    params = {"phoneNumber": "5551111"}
    assert (await api.delete(f"{CALLS}/{EXT1}", params=params)).status == 204
    assert second in sim.calls
    assert (await api.delete(f"{CALLS}/{EXT1}")).status == 204
    assert list(sim.calls) == [third]


async def test_presence(api: Api) -> None:
    """Presence lists the user's extensions with status and registration."""
    sim = api.sim
    sim.set_registration(EXT2, registered=False)
    reply = await api.get("/uapi/extensions/@me/@self/presence")
    assert reply.status == 200
    by_ext = {e["extension"]: e for e in reply.body["entry"]}
    assert by_ext[EXT1]["status"] == "1"
    [reg] = by_ext[EXT1]["registration"]
    assert (reg["registration"], reg["agent"]) == ("1", "Yealink T46U")
    assert datetime.fromisoformat(reg["expire"]).tzinfo is not None
    assert by_ext[EXT2] == {
        "extension": EXT2,
        "status": "0",
        "registration": [{"registration": "-1"}],
    }
    call_id = await sim.incoming_call(EXT1, "5551234")
    reply = await api.get("/uapi/extensions/@me/@self/presence")
    assert reply.body["entry"][0]["status"] == "2"
    await sim.answer_call(call_id)
    reply = await api.get(f"/uapi/extensions/@me/{EXT1}/presence")
    assert [e["status"] for e in reply.body["entry"]] == ["3"]
    sim.remove_extension(EXT2)
    reply = await api.get("/uapi/extensions/@me/@self/presence")
    assert reply.body["totalResults"] == 1


async def test_extension_management(sim: VoipNowSimulator) -> None:
    """add/remove extensions; Python calls to unknown extensions fail."""
    ext = sim.add_extension("0003*212", name="Lab", registered=False)
    assert (ext.number, ext.name, ext.registered) == ("0003*212", "Lab", False)
    sim.set_registration("212", registered=True)
    assert sim.extensions["0003*212"].registered
    sim.remove_extension("0003*212")
    assert "0003*212" not in sim.extensions
    try:
        await sim.incoming_call("0003*212")
    except KeyError:
        pass
    else:
        raise AssertionError("expected KeyError")
