"""Simulator tests: the server variants (modes) and how they are set."""

from __future__ import annotations

from datetime import datetime
import re
from zoneinfo import ZoneInfo

from aiohttp import ClientSession
import pytest

from voipnow_simulator import VoipNowSimulator
from voipnow_simulator.__main__ import parse_args

from .helpers import EXT1, EXT2, Api, Receiver

EVENTS = f"/uapi/extensions/@me/{EXT1}/phoneCallEvents"
HOOK = {"method": "1", "url": "https://a.example/cb"}
NAIVE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")


async def test_event_types_of_a_3x_server(api: Api) -> None:
    """A 3.x server numbers only 0-2: answer events are refused as documented."""
    api.sim.event_types = {0, 1, 2}
    for event_type in ("0", "1", "2"):
        assert (
            await api.post(f"{EVENTS}/", {**HOOK, "type": event_type})
        ).status == 200
    for event_type in ("3", "4"):
        reply = await api.post(f"{EVENTS}/", {**HOOK, "type": event_type})
        assert (reply.status, reply.body["error"]) == (
            400,
            {
                "code": "pcet_type_invalid",
                "message": "Value supplied in type parameter is missing or invalid."
                " The parameter must be set to one of the following value:"
                " 0 for DialIn, 1 for DialOut and 2 for Hangup.",
            },
        )
    assert VoipNowSimulator(event_types="0,2").event_types == frozenset({0, 2})
    for bad in ([], [5], "x", None):
        with pytest.raises((ValueError, TypeError)):
            VoipNowSimulator(event_types=bad)  # type: ignore[arg-type]


async def test_v5_subscription_path(api: Api) -> None:
    """A v5 server takes the type in the path of the create request."""
    sim = api.sim
    sim.subscription_path = "path"
    created = (await api.post(f"{EVENTS}/3", HOOK)).body
    assert (created["type"], created["method"]) == ("3", "1")
    assert (await api.post(f"{EVENTS}/2", {**HOOK, "type": "2"})).status == 200
    reply = await api.post(f"{EVENTS}/2", {**HOOK, "type": "0"})
    assert reply.body["error"]["code"] == "fields_invalid"
    sim.event_types = {0, 1, 2}
    reply = await api.post(f"{EVENTS}/4", HOOK)
    assert reply.body["error"]["code"] == "pcet_type_invalid"
    reply = await api.post(f"{EVENTS}/x", HOOK)
    assert reply.body["error"]["code"] == "pcet_type_invalid"
    assert (await api.get(f"{EVENTS}/3")).body["totalResults"] == 1


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (404, "not_found"),
        (405, "method_not_allowed"),
        (501, "request_not_implemented"),
        (400, "pcet_type_invalid"),
    ],
)
async def test_v5_refuses_a_create_without_type(
    api: Api, status: int, code: str
) -> None:
    """Each plausible refusal of the 3.x create by a v5 server (404 by default)."""
    assert api.sim.v5_refusal_status == 404
    api.sim.set_modes(subscription_path="path", v5_refusal_status=status)
    for path in (EVENTS, f"{EVENTS}/"):
        reply = await api.post(path, {**HOOK, "type": "0"})
        assert (reply.status, reply.body["error"]["code"]) == (status, code)
    assert not api.sim.subscriptions


async def test_naive_dates_and_time_zone(api: Api) -> None:
    """Dates in a chosen zone, with its offset or (naive mode) without a zone."""
    sim = api.sim
    sim.time_zone = "Asia/Tokyo"
    call_id = await sim.incoming_call(EXT1)
    published = sim.get_call(call_id).published
    tokyo = published.astimezone(ZoneInfo("Asia/Tokyo"))
    body = (await api.get(f"/uapi/phoneCalls/@me/{EXT1}/{call_id}")).body
    assert body["published"] == tokyo.isoformat()
    assert body["published"].endswith("+09:00")

    sim.naive_dates = True
    await api.post(f"{EVENTS}/", {**HOOK, "type": "0"})
    body = (await api.get(f"/uapi/phoneCalls/@me/{EXT1}/{call_id}")).body
    assert body["published"] == tokyo.replace(tzinfo=None).isoformat()
    dates = [body["published"], body["phoneCallView"][0]["ringing"]]
    dates.append((await api.get(EVENTS)).body["entry"][0]["modified"])
    presence = (await api.get(f"/uapi/extensions/@me/{EXT1}/presence")).body
    dates.append(presence["entry"][0]["registration"][0]["expire"])
    assert all(NAIVE.fullmatch(date) for date in dates), dates
    sim.quirks = True  # naive dates win over quirks' UTC "Z"
    body = (await api.get(f"/uapi/phoneCalls/@me/{EXT1}/{call_id}")).body
    assert NAIVE.fullmatch(body["published"])

    sim.set_modes(naive_dates=False, quirks=False, time_zone=None)
    body = (await api.get(f"/uapi/phoneCalls/@me/{EXT1}/{call_id}")).body
    assert datetime.fromisoformat(body["published"]) == published
    with pytest.raises(ValueError, match="time zone"):
        sim.time_zone = "Mars/Olympus"


async def test_long_ids(api: Api) -> None:
    """Call and subscription ids of 200-255 alphanumeric characters work."""
    sim = api.sim
    sim.long_ids = True
    ids = [await sim.incoming_call(EXT1) for _ in range(3)]
    sub_id = (await api.post(f"{EVENTS}/", {**HOOK, "type": "2"})).body["id"]
    for object_id in [*ids, sub_id]:
        assert re.fullmatch(r"[A-Za-z0-9]{200,255}", object_id)
    assert len(set(ids)) == 3
    reply = await api.get(f"/uapi/phoneCalls/@me/{EXT1}/{ids[0]}")
    assert reply.body["id"] == ids[0]
    reply = await api.delete(f"/uapi/phoneCalls/@me/{EXT1}/{ids[0]}")
    assert reply.body == [{"id": ids[0]}]
    assert (await api.get(f"{EVENTS}/2/{sub_id}")).body["id"] == sub_id
    reply = await api.delete(f"{EVENTS}/2/{sub_id}")
    assert (reply.status, reply.body) == (200, [{"id": sub_id}])


async def test_callback_call_ids_differ(api: Api, receiver: Receiver) -> None:
    """CallID: an Asterisk-like id, stable per call and distinct per call."""
    sim = api.sim
    sim.callback_call_ids = "different"
    for event_type in ("0", "2", "3"):
        await api.post(f"{EVENTS}/", {**HOOK, "type": event_type, "url": receiver.url})
    first = await sim.incoming_call(EXT1)
    await sim.answer_call(first)
    await sim.hangup_call(first)
    second = await sim.incoming_call(EXT1)
    sent = [r["form"]["CallID"] for r in receiver.received]
    assert len(sent) == 4
    assert all(re.fullmatch(r"\d+\.\d+", call_id) for call_id in sent)
    assert len(set(sent[:3])) == 1
    assert sent[3] != sent[0]
    assert first not in sent
    assert second not in sent
    assert sim.get_call(second).callback_id == sent[3]


@pytest.mark.parametrize(("mode", "query"), [("kept", {"ha": "1"}), ("dropped", {})])
async def test_callback_query(
    api: Api, receiver: Receiver, mode: str, query: dict[str, str]
) -> None:
    """A PBX may call the subscribed URL without its query string."""
    api.sim.callback_query = mode
    url = f"{receiver.url}?ha=1"
    await api.post(f"{EVENTS}/", {**HOOK, "type": "0", "url": url})
    await api.sim.incoming_call(EXT1)
    [got] = receiver.received
    assert got["query"] == query
    assert got["form"]["CalledExtension"] == EXT1


async def test_caller_name_param(api: Api, receiver: Receiver) -> None:
    """One knowledge-base page spells the caller name parameter CallerIDNam."""
    sim = api.sim
    sim.caller_name_param = "CallerIDNam"
    await api.post(f"{EVENTS}/", {**HOOK, "type": "0", "url": receiver.url})
    await sim.incoming_call(EXT1, caller_name="John Doe")
    [got] = receiver.received
    assert got["form"]["CallerIDNam"] == "John Doe"
    assert "CallerIDName" not in got["form"]


async def test_modes_control_api(api: Api, http: ClientSession) -> None:
    """GET/POST /_sim/modes read and set modes, all or none."""
    sim, url = api.sim, api.sim.url + "/_sim/modes"
    async with http.get(url) as resp:
        modes = await resp.json()
    assert modes == {
        "event_types": [0, 1, 2, 3, 4],
        "subscription_path": "body",
        "v5_refusal_status": 404,
        "hangup_status": "documented",
        "naive_dates": False,
        "time_zone": None,
        "long_ids": False,
        "callback_call_ids": "same",
        "callback_query": "kept",
        "caller_name_param": "CallerIDName",
        "quirks": False,
        "transfer_accepted_202": False,
        "empty_listing_204": False,
        "presence_names": False,
        "loopback_callbacks_only": True,
        "sort_order_words": "any",
        "cdr_available": True,
        "cdr_missing_status": 404,
        "cdr_entry": "object",
        "cdr_parties": "string",
        "cdr_view_extension": True,
        "cdr_me": True,
        "remote_agent_ids": False,
        "cdr_sort_default": "desc",
        "cdr_date_field": "published",
        "cdr_save_dates": "filtered",
        "utc_dates": False,
        "queue_list": "object",
        "queue_update_answer": "object",
        "lists_recording": True,
        "delete_events_answer": "ids",
    }
    change = {"event_types": [0, 1, 2], "hangup_status": "legacy", "quirks": True}
    async with http.post(url, json=change) as resp:
        assert resp.status == 200
        assert (await resp.json())["event_types"] == [0, 1, 2]
    assert (sim.event_types, sim.hangup_status, sim.quirks) == (
        frozenset({0, 1, 2}),
        "legacy",
        True,
    )
    for bad in (
        {"hangup_status": "documented", "naive_dates": "yes"},
        {"v5_refusal_status": 418},
        {"warp_drive": True},
        ["quirks"],
    ):
        async with http.post(url, json=bad) as resp:
            assert resp.status == 400, bad
    assert sim.hangup_status == "legacy"


def test_command_line_modes() -> None:
    """Every mode has a command-line option; the defaults are documented."""
    args = parse_args([])
    assert (args.event_types, args.subscription_path, args.v5_refusal_status) == (
        frozenset(range(5)),
        "body",
        404,
    )
    args = parse_args(
        [
            "--event-types",
            "0,1,2",
            "--subscription-path",
            "path",
            "--v5-refusal-status",
            "501",
            "--hangup-status",
            "legacy",
            "--naive-dates",
            "--time-zone",
            "Europe/Bucharest",
            "--long-ids",
            "--callback-call-ids",
            "different",
            "--caller-name-param",
            "CallerIDNam",
        ]
    )
    assert args.event_types == frozenset({0, 1, 2})
    assert (args.subscription_path, args.v5_refusal_status) == ("path", 501)
    assert (args.hangup_status, args.naive_dates, args.long_ids) == (
        "legacy",
        True,
        True,
    )
    assert (args.time_zone, args.callback_call_ids, args.caller_name_param) == (
        "Europe/Bucharest",
        "different",
        "CallerIDNam",
    )
    with pytest.raises(SystemExit):
        parse_args(["--event-types", "0,7"])


def test_command_line_cdr_and_queue_modes() -> None:
    """The CDR and QueueAgents variants have options; defaults are documented."""
    names = (
        "sort_order_words",
        "cdr_available",
        "cdr_missing_status",
        "cdr_entry",
        "cdr_parties",
        "cdr_sort_default",
        "cdr_date_field",
        "queue_list",
        "queue_update_answer",
        "lists_recording",
    )
    defaults = VoipNowSimulator().modes.to_json()
    args = parse_args([])
    assert {name: getattr(args, name) for name in names} == {
        name: defaults[name] for name in names
    }
    args = parse_args(
        [
            "--sort-order-words",
            "long",
            "--no-cdr",
            "--cdr-missing-status",
            "501",
            "--cdr-entry",
            "list",
            "--cdr-parties",
            "list",
            "--cdr-sort-default",
            "asc",
            "--cdr-date-field",
            "answered",
            "--queue-list",
            "wrapped",
            "--queue-update-answer",
            "204",
            "--no-recording-dates",
        ]
    )
    assert [getattr(args, name) for name in names] == [
        "long",
        False,
        501,
        "list",
        "list",
        "asc",
        "answered",
        "wrapped",
        "204",
        False,
    ]
    for bad in (["--cdr-missing-status", "500"], ["--queue-list", "array"]):
        with pytest.raises(SystemExit):
            parse_args(bad)


async def test_presence_names_mode(sim: VoipNowSimulator, api: Api) -> None:
    """`presence_names` adds each extension's name to its presence entry."""
    listing = (await api.get("/uapi/extensions/@me/@self/presence")).body
    assert all("name" not in item for item in listing["entry"])

    sim.set_modes(presence_names=True)
    assert VoipNowSimulator(presence_names=True).presence_names is True
    listing = (await api.get("/uapi/extensions/@me/@self/presence")).body

    assert {item["extension"]: item["name"] for item in listing["entry"]} == {
        EXT1: "Office",
        EXT2: "Sales",
    }
