"""Simulator tests: answers have the shape of the documentation's examples.

Each test compares one answer with one example of ``tests/fixtures/uapi``
(skipped while the file is missing). Where the docs' own examples disagree,
the test says which example the simulator follows and why.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from voipnow_simulator import VoipNowSimulator

from .helpers import EXT1, EXT2, Api
from .shapes import load_example, shape_differences

CALLS = "/uapi/phoneCalls/@me"
# PhoneCall keys shown by one documented example and not by another.
CALL_EXTRAS = {
    "nonce": "PhoneCalls Resource: example and field table (never null)",
    "links": "PhoneCalls Resource: example",
    "flow": "PhoneCalls Resource: example and PhoneCallView table",
    "answered": "Getting Started and Transfer follow-up examples",
    "ringing": "PhoneCalls Resource: example",
}
# The documented default spells `callerId` and sends numbers as strings, as
# the Getting Started and Transfer examples do; the Resource page's example
# writes `callerID` and JSON numbers (the simulator's quirks mode).
RESOURCE_SPELLING: dict[str, Any] = {
    "aliases": {"callerID": "callerId"},
    "loose": frozenset({"flow", "status"}),
}


def assert_shape(example: Any, actual: Any, **exceptions: Any) -> None:
    """Fail with every shape difference between an example and an answer."""
    assert shape_differences(example, actual, **exceptions) == []


async def _answered_then_transferred(sim: VoipNowSimulator) -> str:
    """A call answered once, now ringing at another extension (the example)."""
    call_id = await sim.incoming_call(EXT1, "3332222", caller_name="John Doe")
    await sim.answer_call(call_id)
    await sim.transfer_call(call_id, EXT2, EXT1)
    return call_id


async def test_listed_call_like_the_resource_example(api: Api) -> None:
    """A listed call: PhoneCalls Resource example (answered call, views ringing)."""
    example = load_example("phonecall_resource_vnuapi30")
    await _answered_then_transferred(api.sim)
    [call] = (await api.get(f"{CALLS}/{EXT2}")).body["entry"]
    assert_shape(example, call, extras=CALL_EXTRAS, **RESOURCE_SPELLING)
    api.sim.quirks = True
    [call] = (await api.get(f"{CALLS}/{EXT2}")).body["entry"].values()
    # Quirks mode is the Resource example's spelling, except `link`: the
    # Transfer page's examples write `link`, the Resource page `links`.
    assert_shape(example, call, extras=CALL_EXTRAS, aliases={"links": "link"})


async def test_answered_call_like_getting_started(api: Api) -> None:
    """An answered call: the Getting Started example (strings, callerId)."""
    example = load_example("phonecall_getting_started_vnuapi30")
    call_id = await api.sim.incoming_call(EXT1, from_number=EXT2)
    await api.sim.answer_call(call_id)
    call = (await api.get(f"{CALLS}/{EXT1}/{call_id}")).body
    assert_shape(example, call, extras=CALL_EXTRAS)
    await api.sim.hold_call(call_id, EXT1)
    call = (await api.get(f"{CALLS}/{EXT1}/{call_id}")).body
    held = {
        "onHold": "PhoneCallView field table (Date); no example shows a hold",
        "holder": "PhoneCallView field table (Number, 1); no example either",
    }
    assert_shape(example, call, extras=CALL_EXTRAS | held)
    assert {"onHold", "holder"} <= set(call["phoneCallView"][1])


async def test_transfer_answers_like_the_transfer_page(api: Api) -> None:
    """Transfer: the page's 202 answer, and its follow-up GET of the call."""
    sim = api.sim
    call_id = await sim.incoming_call(EXT2, from_number=EXT1)
    await sim.answer_call(call_id)
    body = {
        "action": "Transfer",
        "sendCallTo": "3235742879",
        "transferFromNumber": EXT2,
        "transferNumber": EXT1,
    }
    sim.transfer_accepted_202 = True
    reply = await api.put(f"{CALLS}/{EXT1}/{call_id}", body)
    assert reply.status == 202
    assert_shape(load_example("phonecalls_transfer_response_vnuapi30"), reply.body)
    reply = await api.get(f"{CALLS}/{EXT1}/{call_id}")
    # The follow-up example writes `link`; the Resource page `links`.
    assert_shape(
        load_example("phonecalls_transfer_followup_get_vnuapi30"),
        reply.body,
        extras=CALL_EXTRAS,
        aliases={"link": "links"},
    )


async def test_made_call_like_the_resource_example(api: Api) -> None:
    """POST simple answers Array<PhoneCall>; a new call is not answered yet."""
    example = load_example("phonecall_resource_vnuapi30")
    request = load_example("phonecalls_simple_request_vnuapi30")
    # The documented request itself: two outside sources, charged to 210.
    reply = await api.post(f"{CALLS}/simple", request)
    assert reply.status == 200
    [documented] = reply.body
    assert (documented["extension"], documented["phoneCallView"]) == (EXT1, [])
    listed = (await api.get(f"{CALLS}/{EXT1}")).body["entry"]
    assert [c["id"] for c in listed] == [documented["id"]]
    # A call from the extension itself has a view to compare.
    view = {**request["phoneCallView"][0], "source": ["210"]}
    reply = await api.post(f"{CALLS}/simple", {**request, "phoneCallView": [view]})
    [call] = reply.body
    assert_shape(
        example,
        call,
        extras=CALL_EXTRAS,
        absent={"answered": "the example's call was answered; this one rings"},
        **RESOURCE_SPELLING,
    )


async def test_subscriptions_like_the_resource_example(api: Api) -> None:
    """Create, list and get answer the PhoneCallEvents Resource example."""
    example = load_example("phonecallevent_resource_vnuapi30")
    request = load_example("phonecallevents_create_request_vnuapi30")
    events = f"/uapi/extensions/@me/{EXT1}/phoneCallEvents"
    request = {**request, "url": "https://a.example/cb"}
    created = (await api.post(events, request)).body
    assert_shape(example, created)
    listed = (await api.get(events)).body["entry"][0]
    assert_shape(example, listed)
    got = (await api.get(f"{events}/0/{created['id']}")).body
    assert_shape(example, got)
    update = load_example("phonecallevents_update_request_vnuapi30")
    updated = (await api.put(f"{events}/0/{created['id']}", update)).body
    assert_shape(example, updated)


async def test_presence_like_the_resource_example(api: Api) -> None:
    """A presence entry: the Presence resource example."""
    example = load_example("presence_resource_vnuapi30")
    entry = (await api.get("/uapi/extensions/@me/@self/presence")).body["entry"][0]
    assert_shape(example, entry)


async def test_errors_like_the_documented_error(api: Api) -> None:
    """Error bodies: the 3.x example and the v5 format."""
    reply = await api.get(f"{CALLS}/@self", token="expired")
    for name in ("error_example_vnuapi30", "error_format_v5"):
        assert_shape(load_example(name), reply.body)
    assert reply.body["error"]["code"] == "access_denied"


async def test_actions_accept_the_documented_requests(api: Api) -> None:
    """The documented request bodies work (OnHold, OffHold, Transfer)."""
    sim = api.sim
    call_id = await sim.incoming_call(EXT1, from_number=EXT2)
    await sim.answer_call(call_id)
    path = f"{CALLS}/{EXT1}/{call_id}"
    for name in (
        "phonecalls_onhold_request_vnuapi30",
        "phonecalls_offhold_request_vnuapi30",
    ):
        reply = await api.put(path, load_example(name))
        assert reply.status == 200, name
    request = load_example("phonecalls_transfer_request_vnuapi30")
    request = {**request, "transferFromNumber": EXT2, "transferNumber": EXT1}
    assert (await api.put(path, request)).status == 200


# Keys a CDR record has beyond the documented one (the page elides the rest
# of each record with "...", so these come from the field tables).
CDR_EXTRAS = {
    "extension": "PhoneCalls Resource: the extension charged",
    "published": "PhoneCalls Resource: when the call entered the system",
    "answered": "PhoneCalls Resource: when the call was answered",
    "id": "PhoneCallView table: the view's id",
    "callerId": "PhoneCallView table",
    "flow": "PhoneCallView table and List CDR's flow filter",
    "disposition": "PhoneCallView table and List CDR's disposition filter",
    "next": "paging, as in every collection",
}


def first_entry(collection: dict[str, Any]) -> dict[str, Any]:
    """Key a CDR collection's first record alike: the ids differ, not the shape."""
    first = next(iter(collection["entry"].values()))
    return {**collection, "entry": {"first": first}}


async def test_cdr_like_the_cdr_resource_example(api: Api) -> None:
    """List CDR: entry keyed by id, string parties, mixed-type phoneCallStat."""
    sim = api.sim
    example = load_example("cdr_list_vnuapi30")
    # The example's first record: one outside caller, two extensions' views.
    call_id = await sim.incoming_call(EXT1, from_number="14141555")
    await sim.pickup_call(call_id, EXT2)
    await sim.hangup_call(call_id)
    sim.add_cdr_record(EXT1, "14141555", started=datetime(2024, 5, 6, 9, 0, tzinfo=UTC))
    params = {"count": "1", "startDate": "2000-01-01T00:00:00"}
    body = (await api.get("/uapi/cdr/@me", params=params)).body
    assert list(body["entry"]) == [call_id]
    assert_shape(first_entry(example), first_entry(body), extras=CDR_EXTRAS)
    # The PhoneCallStat example alone: strings, no type (the list's has one,
    # and writes total, unknown and unallowed as numbers).
    assert_shape(
        load_example("cdr_phonecallstat_vnuapi30"),
        body["phoneCallStat"][0],
        extras={"type": "CDR Resource: field table and the list example"},
        loose=frozenset({"total", "unknown", "unallowed"}),
    )
    sim.quirks = True
    body = (await api.get("/uapi/cdr/@me", params=params)).body
    # Quirks: the field table's Numbers and callerID, as the live views.
    assert_shape(
        first_entry(example),
        first_entry(body),
        extras=CDR_EXTRAS | {"callerID": "PhoneCalls Resource example's spelling"},
        loose=frozenset({"unanswered", "busy", "failed", "answered"}),
    )


async def test_queue_agents_like_the_agent_resource_example(api: Api) -> None:
    """Listed, single and updated agents: the Agent Resource example."""
    sim = api.sim
    example = load_example("queueagent_resource_vnuapi30")
    request = load_example("queueagents_update_request_vnuapi30")
    sim.add_queue("0003*212", "Support", {EXT1: 0})
    agents = "/uapi/extensions/@me/0003*212/queue/agents"
    assert_shape(example, (await api.get(agents)).body["entry"][0])
    assert_shape(example, (await api.get(f"{agents}/{EXT1}")).body["entry"][0])
    # The documented update request, on the documented path.
    reply = await api.put(f"{agents}/{EXT1}", request)
    assert reply.status == 200
    assert_shape(example, reply.body)
    assert reply.body["status"] == "1"
    sim.quirks = True
    entry = (await api.get(agents)).body["entry"][0]
    assert_shape(example, entry, loose=frozenset({"status"}))


def test_shape_differences_reports_what_differs() -> None:
    """The comparison names missing keys, wrong types and undocumented keys."""
    example = {"a": "1", "b": [{"c": 1}], "d": {"e": "x"}}
    actual = {"a": 1, "b": [{"c": "1"}], "d": {"e": "x", "f": 2}, "g": None}
    assert shape_differences(example, actual) == [
        "$.a: number, documented string",
        "$.b[0].c: string, documented number",
        "$.d.f: not in the documented example",
        "$.g: not in the documented example",
    ]
    assert shape_differences({"x": 1}, {}) == ["$.x: missing"]
    assert shape_differences({"x": 1}, {"y": 1}, aliases={"x": "y"}) == []
    assert shape_differences({"x": 1}, {"x": "1"}, loose=frozenset({"x"})) == []
    assert shape_differences({"x": 1}, {}, absent={"x": "why"}) == []
    assert shape_differences({"x": [1]}, {"x": []}) == [
        "$.x: empty, documented with items"
    ]
