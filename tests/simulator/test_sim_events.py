"""Simulator tests: PhoneCallEvents subscriptions and real HTTP callbacks."""

from __future__ import annotations

from datetime import datetime

from voipnow_simulator import VoipNowSimulator

from .helpers import EXT1, EXT2, Api, Receiver

EVENTS = f"/uapi/extensions/@me/{EXT1}/phoneCallEvents"
PARAMS = {
    "CallID",
    "CallerIDNum",
    "CallerIDName",
    "CalledDID",
    "CalledExtension",
    "CallerExtension",
    "CalledNumber",
    "CallFlow",
    "CallStatus",
}


async def _subscribe(
    api: Api, url: str, event_type: str, method: str = "1", ext: str = EXT1
) -> str:
    """Subscribe a callback and return the subscription id."""
    reply = await api.post(
        f"/uapi/extensions/@me/{ext}/phoneCallEvents/",
        {"type": event_type, "method": method, "url": url, "status": "1"},
    )
    assert reply.status == 200, reply.text
    return str(reply.body["id"])


async def test_subscription_crud(api: Api) -> None:
    """Create, list, get, update and delete subscriptions (documented shape)."""
    sim = api.sim
    body = {"type": "0", "method": "1", "url": "https://a.example/cb", "note": "n"}
    created = (await api.post(f"{EVENTS}/", body)).body
    assert {k: created[k] for k in ("type", "method", "url", "status", "note")} == {
        **body,
        "status": "1",
    }
    assert datetime.fromisoformat(created["modified"]).tzinfo is not None
    link = f"{sim.url}/uapi/extensions/@me/{EXT1}/phoneCallEvents/0/{created['id']}"
    assert created["links"] == {"self": link}
    assert "extension" not in created
    other = (await api.post(EVENTS, {"type": 2, "url": "http://b.example/cb"})).body
    assert (other["type"], other["method"], other["status"]) == ("2", "1", "1")
    assert other["id"] != created["id"]
    assert "note" not in other

    listing = (await api.get(EVENTS)).body
    assert [s["id"] for s in listing["entry"]] == [created["id"], other["id"]]
    assert listing["entry"][0] == created
    assert (await api.get(f"{EVENTS}/")).body["totalResults"] == 2
    assert [s["id"] for s in (await api.get(f"{EVENTS}/2")).body["entry"]] == [
        other["id"]
    ]
    reply = await api.get(f"{EVENTS}/0/{created['id']}")
    assert reply.body["url"] == "https://a.example/cb"
    all_mine = (await api.get("/uapi/extensions/@me/@self/phoneCallEvents")).body
    assert all_mine["totalResults"] == 2

    reply = await api.put(
        f"{EVENTS}/0/{created['id']}", {"url": "https://c.example/x", "status": "0"}
    )
    assert (reply.body["url"], reply.body["status"], reply.body["type"]) == (
        "https://c.example/x",
        "0",
        "0",
    )
    assert reply.body["modified"] >= created["modified"]
    reply = await api.delete(f"{EVENTS}/0/{created['id']}")
    # "Delete PhoneCallEvents": 200 with the deleted ids.
    assert (reply.status, reply.body) == (200, [{"id": created["id"]}])
    reply = await api.get(f"{EVENTS}/0/{created['id']}")
    assert (reply.status, reply.body["error"]["code"]) == (400, "pce_id_invalid")
    assert (await api.delete(f"{EVENTS}/0/{created['id']}")).status == 400
    reply = await api.delete(EVENTS)
    assert (reply.status, reply.body) == (200, [{"id": other["id"]}])
    assert (await api.delete(EVENTS)).status == 204
    assert (await api.get(EVENTS)).body["totalResults"] == 0


async def test_subscription_errors(api: Api) -> None:
    """@self, bad type/method/url/status and bad users are refused."""
    good = {"type": "0", "method": "1", "url": "https://a.example/cb"}
    reply = await api.post("/uapi/extensions/@me/@self/phoneCallEvents/", good)
    assert reply.body["error"]["code"] == "extension_invalid"
    reply = await api.post("/uapi/extensions/@me/0003*999/phoneCallEvents/", good)
    assert reply.body["error"]["code"] == "extension_invalid"
    reply = await api.post("/uapi/extensions/7/210/phoneCallEvents/", good)
    assert reply.body["error"]["code"] == "user_invalid"
    for bad, code in (
        ({**good, "type": "5"}, "pcet_type_invalid"),
        ({**good, "type": "x"}, "pcet_type_invalid"),
        ({k: v for k, v in good.items() if k != "type"}, "pcet_type_invalid"),
        ({**good, "method": "2"}, "pce_method_invalid"),
        ({**good, "status": "3"}, "fields_invalid"),
        ({**good, "url": "ftp://a.example/"}, "fields_invalid"),
        ({**good, "url": "not a url"}, "fields_invalid"),
        ({**good, "url": "http://[::1"}, "fields_invalid"),
        ({**good, "url": 5}, "fields_invalid"),
        ({**good, "note": 5}, "fields_invalid"),
    ):
        reply = await api.post(f"{EVENTS}/", bad)
        assert (reply.status, reply.body["error"]["code"]) == (400, code), bad
    reply = await api.post(f"{EVENTS}/", {**good, "type": "9"})
    assert reply.body["error"]["message"] == (
        "Value supplied in type parameter is missing or invalid. The parameter must"
        " be set to one of the following value: 0 for DialIn, 1 for DialOut,"
        " 2 for Hangup, 3 for Answer incoming call and 4 for Answer outgoing call."
    )
    sub_id = (await api.post(f"{EVENTS}/", good)).body["id"]
    reply = await api.put(f"{EVENTS}/0/{sub_id}", {"type": "7"})
    # The Update page names this check differently from the Create page.
    assert reply.body["error"]["code"] == "pce_type_invalid"
    # 3.x creates without the type in the path; POST on the typed path is
    # an operation that path does not implement.
    reply = await api.post(f"{EVENTS}/1", good)
    assert (reply.status, reply.body["error"]["code"]) == (
        501,
        "request_not_implemented",
    )
    reply = await api.request("POST", f"{EVENTS}/", data="x")
    assert reply.body["error"]["code"] == "fields_invalid"


async def test_callbacks_arrive(api: Api, receiver: Receiver) -> None:
    """Dial-in, answer and hangup callbacks carry the documented parameters."""
    sim = api.sim
    for event_type in ("0", "2", "3"):
        await _subscribe(api, f"{receiver.url}/post/{event_type}", event_type)
    await _subscribe(api, f"{receiver.url}/get/0", "0", method="0")
    call_id = await sim.incoming_call(EXT1, "5551234", caller_name="John Doe")
    [posted] = receiver.on("/post/0")
    assert posted["method"] == "POST"
    assert posted["content_type"] == "application/x-www-form-urlencoded"
    form = posted["form"]
    assert set(form) == PARAMS
    assert form["CallID"] == call_id
    assert (form["CallerIDNum"], form["CallerIDName"]) == ("5551234", "John Doe")
    assert (form["CalledExtension"], form["CalledNumber"]) == (EXT1, EXT1)
    assert (form["CallerExtension"], form["CalledDID"]) == ("", "")
    assert (form["CallFlow"], form["CallStatus"]) == ("IN", "CALLING")
    [got] = receiver.on("/get/0")
    assert got["method"] == "GET"
    assert got["query"] == form

    await sim.answer_call(call_id)
    [answer] = receiver.on("/post/3")
    assert (answer["form"]["CallFlow"], answer["form"]["CallStatus"]) == (
        "IN",
        "ANSWER",
    )
    await sim.hangup_call(call_id)
    [hangup] = receiver.on("/post/2")
    assert hangup["form"]["CallStatus"] == "ANSWER"
    assert [c.result for c in sim.callbacks_sent] == [200] * 4
    assert sim.callbacks_sent[0].url == f"{receiver.url}/post/0"

    missed = await sim.incoming_call(EXT1, "5559999")
    await sim.hangup_call(missed)
    assert receiver.on("/post/2")[-1]["form"]["CallStatus"] == "CANCEL"


async def test_outgoing_callbacks(api: Api, receiver: Receiver) -> None:
    """Dial-out and answer of an outgoing call are OUT events of the caller."""
    await _subscribe(api, f"{receiver.url}/1", "1", ext=EXT2)
    await _subscribe(api, f"{receiver.url}/4", "4", ext=EXT2)
    await _subscribe(api, f"{receiver.url}/0", "0", ext=EXT1)
    call_id = await api.sim.incoming_call(EXT1, from_number="211")
    [dial_out] = receiver.on("/1")
    assert dial_out["form"]["CallFlow"] == "OUT"
    assert dial_out["form"]["CallerExtension"] == EXT2
    assert dial_out["form"]["CalledExtension"] == EXT1
    assert receiver.on("/0")[0]["form"]["CallFlow"] == "IN"
    await api.sim.answer_call(call_id)
    [answer] = receiver.on("/4")
    assert (answer["form"]["CallFlow"], answer["form"]["CallStatus"]) == (
        "OUT",
        "ANSWER",
    )


async def test_api_triggered_callbacks(api: Api, receiver: Receiver) -> None:
    """Transfers and hangups through the API deliver in the background."""
    sim = api.sim
    await _subscribe(api, f"{receiver.url}/hangup", "2")
    await _subscribe(api, f"{receiver.url}/dialin211", "0", ext=EXT2)
    call_id = await sim.incoming_call(EXT1, "5551234")
    reply = await api.put(
        f"/uapi/phoneCalls/@me/{EXT1}/{call_id}",
        {"action": "Transfer", "sendCallTo": EXT2, "transferFromNumber": EXT1},
    )
    assert reply.status == 200
    await sim.wait_callbacks()
    assert len(receiver.on("/hangup")) == 1
    assert receiver.on("/dialin211")[0]["form"]["CallID"] == call_id


async def test_inactive_blocked_and_failing_callbacks(
    api: Api, receiver: Receiver
) -> None:
    """Inactive (status 0) and blocked callbacks are not sent; failures are recorded."""
    sim = api.sim
    sub_id = await _subscribe(api, f"{receiver.url}/x", "0")
    await api.put(
        f"/uapi/extensions/@me/{EXT1}/phoneCallEvents/0/{sub_id}", {"status": "0"}
    )
    await sim.incoming_call(EXT1, "5551234")
    assert receiver.received == []
    await api.put(
        f"/uapi/extensions/@me/{EXT1}/phoneCallEvents/0/{sub_id}", {"status": "1"}
    )
    sim.block_callbacks(True)
    await sim.incoming_call(EXT1, "5551234")
    assert receiver.received == []
    assert len(sim.callbacks_dropped) == 1
    sim.block_callbacks(False)
    await sim.incoming_call(EXT1, "5551234")
    assert len(receiver.received) == 1

    receiver.status = 500
    await sim.incoming_call(EXT1, "5551234")
    assert sim.callbacks_sent[-1].result == 500
    await _subscribe(api, "http://127.0.0.1:1/closed", "0")
    await sim.incoming_call(EXT1, "5551234")
    failure = sim.callbacks_sent[-1]
    assert isinstance(failure.result, str)
    assert failure.url == "http://127.0.0.1:1/closed"


async def test_remove_extension_drops_subscriptions(api: Api) -> None:
    """Subscriptions belong to their extension."""
    await _subscribe(api, "https://a.example/cb", "0")
    await _subscribe(api, "https://a.example/cb", "0", ext=EXT2)
    api.sim.remove_extension(EXT1)
    assert [s.extension for s in api.sim.subscriptions.values()] == [EXT2]


async def test_callbacks_only_to_loopback(sim: VoipNowSimulator, api: Api) -> None:
    """A callback URL off this machine is refused (recorded, never contacted)."""
    await api.request(
        "POST",
        f"/uapi/extensions/@me/{EXT1}/phoneCallEvents/",
        json_body={
            "type": "0",
            "method": "1",
            "url": "http://192.0.2.1/hook",
            "status": "1",
        },
    )

    await sim.incoming_call(EXT1, from_number="5551234")

    [sent] = sim.callbacks_sent
    assert sent.result == "refused: not a loopback address"
