"""Answers the pages document: Delete PhoneCallEvents' ids, Presence's query."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from aiohttp import ClientSession
import pytest

from voipnow_simulator import VoipNowSimulator, __main__ as demo

from .helpers import EXT1, EXT2, Api

EXT3 = "0003*212"
HOOK = "http://127.0.0.1:9/hook"
PRESENCE = "/uapi/extensions/@me/@self/presence"


async def test_delete_events_answers_the_deleted_ids(
    sim: VoipNowSimulator, api: Api
) -> None:
    """200 with the ids deleted ("Delete PhoneCallEvents"), 204 when none matched."""
    first = sim.pbx.add_subscription(EXT1, 0, 1, HOOK, 1, None)
    second = sim.pbx.add_subscription(EXT1, 2, 1, HOOK, 1, None)
    other = sim.pbx.add_subscription(EXT2, 0, 1, HOOK, 1, None)
    events = f"/uapi/extensions/@me/{EXT1}/phoneCallEvents"

    one = await api.delete(f"{events}/0/{first.id}")
    rest = await api.delete(events)
    none = await api.delete(events)

    assert (one.status, one.body) == (200, [{"id": first.id}])
    assert (rest.status, rest.body) == (200, [{"id": second.id}])
    assert (none.status, none.text) == (204, "")
    assert list(sim.subscriptions) == [other.id]


async def test_delete_events_204_mode(sim: VoipNowSimulator, api: Api) -> None:
    """Mode "204": a server that deletes and answers no body."""
    sub = sim.pbx.add_subscription(EXT1, 0, 1, HOOK, 1, None)
    sim.set_modes(delete_events_answer="204")

    reply = await api.delete(f"/uapi/extensions/@me/{EXT1}/phoneCallEvents/0/{sub.id}/")

    assert (reply.status, reply.text) == (204, "")
    assert sim.subscriptions == {}


@pytest.fixture
def three(sim: VoipNowSimulator) -> VoipNowSimulator:
    """The simulator with a third extension: 0003*210, 0003*211, 0003*212."""
    sim.add_extension(EXT3, name="Support")
    return sim


def _numbers(body: dict[str, object]) -> list[str]:
    """Return the extensions a presence page lists, in order."""
    entries = body["entry"]
    assert isinstance(entries, list)
    return [item["extension"] for item in entries]


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ({}, [EXT1, EXT2, EXT3]),
        ({"sortOrder": "descending"}, [EXT3, EXT2, EXT1]),
        ({"sortOrder": "asc"}, [EXT1, EXT2, EXT3]),
        ({"filterBy": "extension", "filterValue": EXT2}, [EXT2]),
        (
            {"filterBy": "extension", "filterOp": "equals", "filterValue": EXT3},
            [EXT3],
        ),
        (
            {"filterBy": "extension", "filterOp": "contains", "filterValue": "*21"},
            [
                EXT1,
                EXT2,
                EXT3,
            ],
        ),
        (
            {"filterBy": "extension", "filterOp": "contains", "filterValue": "11"},
            [EXT2],
        ),
        (
            {
                "filterBy": "extension",
                "filterOp": "startsWith",
                "filterValue": "0003*21",
                "sortOrder": "descending",
            },
            [EXT3, EXT2, EXT1],
        ),
        (
            {"filterBy": "extension", "filterOp": "startsWith", "filterValue": "9"},
            [],
        ),
        (
            {
                "filterBy": "extension",
                "filterOp": "inArray",
                "filterValue": f"{EXT3},{EXT1}",
            },
            [EXT1, EXT3],
        ),
    ],
)
async def test_presence_filters_and_sorts(
    three: VoipNowSimulator, api: Api, query: dict[str, str], listed: list[str]
) -> None:
    """Presence keeps the extensions the documented operators select, in order."""
    reply = await api.get(PRESENCE, params=query)

    assert reply.status == 200, reply.text
    assert _numbers(reply.body) == listed
    assert reply.body["totalResults"] == len(listed)


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"filterBy": "status", "filterValue": "1"}, "filterby_invalid"),
        (
            {"filterBy": "extension", "filterOp": "present", "filterValue": "x"},
            "filterop_invalid",
        ),
        (
            {"filterBy": "extension", "filterOp": "lessThan", "filterValue": "x"},
            "filterop_invalid",
        ),
        ({"filterBy": "extension"}, "filtervalue_invalid"),
        ({"sortOrder": "sideways"}, "sortorder_invalid"),
    ],
)
async def test_presence_refuses_undocumented_queries(
    three: VoipNowSimulator, api: Api, query: dict[str, str], code: str
) -> None:
    """Other fields and operators get the documented 400, not a silent list."""
    reply = await api.get(PRESENCE, params=query)

    assert reply.status == 400
    assert reply.body["error"]["code"] == code


async def test_presence_sort_words_follow_the_mode(
    three: VoipNowSimulator, api: Api
) -> None:
    """A server taking only the v5 words refuses "descending" on presence too."""
    three.set_modes(sort_order_words="short")

    long = await api.get(PRESENCE, params={"sortOrder": "descending"})
    short = await api.get(PRESENCE, params={"sortOrder": "desc"})

    assert long.status == 400
    assert _numbers(short.body) == [EXT3, EXT2, EXT1]


async def test_made_call_rings_its_caller_first(
    sim: VoipNowSimulator, api: Api, http: ClientSession
) -> None:
    """MakeCall: the caller's view is status 3 with `ringing` until it answers.

    Then the callee is dialled (status 4 for the caller, with its `answered`
    date; 3 for the callee), then the call is on (5). The control API's
    ``answer_caller`` is the caller's phone picking up.
    """
    body = {
        "extension": EXT1,
        "phoneCallView": [{"source": [EXT1], "destination": [EXT2]}],
    }
    [made] = (await api.post("/uapi/phoneCalls/@me/simple", body)).body
    call_id = made["id"]

    async def views() -> list[dict[str, Any]]:
        reply = await api.get(f"/uapi/phoneCalls/@me/@self/{call_id}")
        return list(reply.body["phoneCallView"])

    async def control(op: str) -> int:
        async with http.post(f"{sim.url}/_sim/calls/{call_id}/{op}") as resp:
            return resp.status

    [caller] = await views()
    assert (caller["extension"], caller["status"]) == (EXT1, "3")
    assert "ringing" in caller
    assert "answered" not in caller
    assert (await api.get(f"/uapi/phoneCalls/@me/{EXT2}")).body["totalResults"] == 0
    assert [(e.type, e.extension) for e in sim.events] == [(1, EXT1)]
    presence = await api.get(f"/uapi/extensions/@me/{EXT1}/presence")
    assert presence.body["entry"][0]["status"] == "2"
    assert await control("answer") == 400  # the callee does not ring yet

    assert await control("answer_caller") == 200
    caller, callee = await views()
    assert (caller["status"], callee["status"]) == ("4", "3")
    assert "answered" in caller
    assert "ringing" not in caller
    assert "ringing" in callee
    assert [(e.type, e.extension) for e in sim.events] == [(1, EXT1), (0, EXT2)]
    assert await control("answer_caller") == 400  # once only

    assert await control("answer") == 200
    assert [v["status"] for v in await views()] == ["5", "5"]


async def test_made_call_to_outside_rings_its_caller_first(
    sim: VoipNowSimulator, api: Api
) -> None:
    """A call to an outside number: 3 (caller rings), then 4, then 5."""
    body = {
        "extension": EXT1,
        "phoneCallView": [{"source": [EXT1], "destination": ["5553333"]}],
    }
    [made] = (await api.post("/uapi/phoneCalls/@me/simple/", body)).body
    statuses = [made["phoneCallView"][0]["status"]]
    await sim.answer_caller(made["id"])
    path = f"/uapi/phoneCalls/@me/{EXT1}/{made['id']}/"
    statuses.append((await api.get(path)).body["phoneCallView"][0]["status"])
    await sim.answer_call(made["id"])
    statuses.append((await api.get(path)).body["phoneCallView"][0]["status"])

    assert statuses == ["3", "4", "5"]


async def test_demo_picks_up_the_caller_of_a_made_call(
    sim: VoipNowSimulator, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The demo answers the caller's phone, so the destination then rings."""
    monkeypatch.setattr(demo, "CALLER_PICKUP", 0.0)
    body = {
        "extension": EXT1,
        "phoneCallView": [{"source": [EXT1], "destination": [EXT2]}],
    }
    assert (await api.post("/uapi/phoneCalls/@me/simple", body)).status == 200
    picked = asyncio.Event()
    answer_caller = sim.answer_caller

    async def answer(call_id: str) -> None:
        await answer_caller(call_id)
        picked.set()

    monkeypatch.setattr(sim, "answer_caller", answer)
    loop = asyncio.create_task(demo.demo_loop(sim))
    try:
        await asyncio.wait_for(picked.wait(), 5)
    finally:
        loop.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await loop

    reply = await api.get(f"/uapi/phoneCalls/@me/{EXT2}")
    assert [v["status"] for v in reply.body["entry"][0]["phoneCallView"]] == ["4", "3"]
