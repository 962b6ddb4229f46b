"""Simulator tests: listing, making and hanging up calls; presence."""

from __future__ import annotations

from datetime import datetime
import re

import pytest

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


def _date(value: str) -> datetime:
    """Parse an XML Schema dateTime that must carry its zone."""
    parsed = datetime.fromisoformat(value)
    assert parsed.tzinfo is not None, value
    return parsed


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
    assert re.fullmatch(r"[0-9a-f]{32}", call["nonce"])
    assert "answered" not in call
    _date(call["published"])
    assert call["links"] == {"self": f"{sim.url}/uapi/phoneCalls/12/{EXT1}/{call_id}"}
    assert "link" not in call
    [view] = call["phoneCallView"]
    ringing = view.pop("ringing")
    assert _date(ringing) == sim.get_call(call_id).ringing_at
    assert view == {
        "id": "01",
        "extension": EXT1,
        "source": ["5551234"],
        "destination": [EXT1],
        "callerId": "John <5551234>",
        "status": "3",
        "flow": "8",
    }
    assert (await api.get(f"{CALLS}/{EXT2}")).body["totalResults"] == 0

    await sim.answer_call(call_id)
    answered = (await api.get(f"{CALLS}/{EXT1}/{call_id}")).body
    assert (answered["id"], answered["nonce"]) == (call_id, call["nonce"])
    [view] = answered["phoneCallView"]
    assert view["status"] == "5"
    assert _date(view["answered"]) == _date(answered["answered"])
    assert "ringing" not in view
    assert not {"onHold", "holder", "parked", "recording"} & set(view)


async def test_local_and_outgoing_calls(api: Api) -> None:
    """Extension to extension: two views; dialing out: other side ringing.

    Both views carry the caller's caller id, as the docs' example does.
    """
    sim = api.sim
    local = await sim.incoming_call(EXT1, from_number="211")
    views = sim.calls[local].views()
    assert [(v.id, v.extension, v.status, v.flow, v.caller_id) for v in views] == [
        ("00", EXT2, 4, 2, "Sales <0003*211>"),
        ("01", EXT1, 3, 2, "Sales <0003*211>"),
    ]
    listed = (await api.get(f"{CALLS}/{EXT1}/{local}")).body["phoneCallView"]
    assert all("ringing" in view for view in listed)
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
    assert view["callerId"] == "Sales <0003*211>"
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
    assert call["link"]["self"].endswith(call_id)
    assert "links" not in call
    assert call["published"].endswith("Z")
    assert view["ringing"].endswith("Z")


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
    # The PBX rings the caller's phone first (the resource page's example).
    assert (view["extension"], view["status"], view["flow"]) == (EXT1, "3", "4")
    assert "ringing" in view
    assert sim.events[-1].type == 1
    assert sim.events[-1].params["CallerIDName"] == "Me"

    local = {**body, "phoneCallView": [{"source": [EXT1], "destination": ["211"]}]}
    reply = await api.post(f"{CALLS}/simple", local)
    assert [v["status"] for v in reply.body[0]["phoneCallView"]] == ["3"]
    await sim.answer_caller(reply.body[0]["id"])
    reply = await api.get(f"{CALLS}/{EXT1}/{reply.body[0]['id']}")
    assert [v["status"] for v in reply.body["phoneCallView"]] == ["4", "3"]

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
    # Between two outside numbers on an extension's behalf (the docs' example).
    outside = {
        "extension": "211",
        "phoneCallView": [{"source": ["5354353"], "destination": ["5353535"]}],
    }
    reply = await api.post(f"{CALLS}/simple", outside)
    [call] = reply.body
    assert (call["extension"], call["phoneCallView"]) == (EXT2, [])
    assert call["id"] in [
        c["id"] for c in (await api.get(f"{CALLS}/211")).body["entry"]
    ]
    reply = await api.post(f"{CALLS}/simple", body, params={"waitForPickup": "x"})
    assert reply.body["error"]["code"] == "fields_invalid"
    reply = await api.post("/uapi/phoneCalls/99/simple", body)
    assert reply.body["error"]["code"] == "user_invalid"


async def test_hangup(api: Api) -> None:
    """DELETE: 200 with the ids hung up; 204 only when nothing was hung up."""
    sim = api.sim
    first = await sim.incoming_call(EXT1, "5551234")
    second = await sim.incoming_call(EXT1, "5559999")
    third = await sim.outgoing_call(EXT2, "5550000")
    reply = await api.delete(f"{CALLS}/{EXT1}/{first}")
    assert (reply.status, reply.body) == (200, [{"id": first}])
    assert first not in sim.calls
    # The caller gave up while it rang.
    assert (sim.events[-1].type, sim.events[-1].params["CallStatus"]) == (2, "CANCEL")
    reply = await api.delete(f"{CALLS}/{EXT1}/{first}")
    assert (reply.status, reply.text) == (204, "")
    reply = await api.delete(f"{CALLS}/{EXT1}/abcabcabcabcabcabcab")
    assert reply.body["error"]["code"] == "pc_phonecall_invalid"
    params = {"phoneNumber": "5551111"}
    assert (await api.delete(f"{CALLS}/{EXT1}", params=params)).status == 204
    params = {"phoneNumber": "5551234"}
    assert (await api.delete(f"{CALLS}/{EXT1}/{second}", params=params)).status == 204
    assert second in sim.calls
    await sim.answer_call(second)
    reply = await api.delete(f"{CALLS}/{EXT1}")
    assert (reply.status, reply.body) == (200, [{"id": second}])
    assert sim.events[-1].params["CallStatus"] == "ANSWER"
    assert (await api.delete(f"{CALLS}/{EXT1}")).status == 204
    assert list(sim.calls) == [third]
    reply = await api.delete(f"{CALLS}/@self", params={"phoneNumber": "5550000"})
    assert (reply.status, reply.body) == (200, [{"id": third}])


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


async def test_an_extension_cannot_call_itself(sim: VoipNowSimulator) -> None:
    """As MakeCall refuses it (pc_destination_invalid): no call, no callback."""
    with pytest.raises(ValueError, match="cannot call itself"):
        await sim.outgoing_call(EXT1, EXT1)
    assert sim.calls == {}
    assert sim.events == []
