"""Simulator tests: answers have the shape of the documentation's examples.

Each test compares one answer with one example of ``tests/fixtures/uapi``
(skipped while the file is missing). Where the docs' own examples disagree,
the test says which example the simulator follows and why.
"""

from __future__ import annotations

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
