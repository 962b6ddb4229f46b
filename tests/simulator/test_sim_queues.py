"""Simulator tests: queue extensions and the QueueAgents service."""

from __future__ import annotations

from typing import Any

from aiohttp import ClientSession
import pytest

from voipnow_simulator import Queue, VoipNowSimulator
from voipnow_simulator.__main__ import DEMO_QUEUE, parse_args

from .helpers import EXT1, EXT2, Api

QUEUE = "0003*300"
REMOTE = "+40215550100"
AGENTS = f"/uapi/extensions/@me/{QUEUE}/queue/agents"


@pytest.fixture
def queue(sim: VoipNowSimulator) -> Queue:
    """A queue with a local agent online, one logged out and a remote one paused."""
    return sim.add_queue(QUEUE, "Sales", {EXT1: 1, "211": 0, REMOTE: 2})


def agent(sim: VoipNowSimulator, number: str, status: str) -> dict[str, Any]:
    """Return the documented QueueAgent of one agent."""
    url = f"{sim.url}{AGENTS}/{number}"
    return {"agentNumber": number, "status": status, "links": {"self": url}}


@pytest.mark.usefixtures("queue")
async def test_list_agents(api: Api) -> None:
    """The documented collection: agent numbers, status strings, self links."""
    sim = api.sim
    reply = await api.get(AGENTS)
    assert reply.status == 200
    assert reply.body == {
        "entry": [
            agent(sim, EXT1, "1"),
            agent(sim, EXT2, "0"),
            agent(sim, REMOTE, "2"),
        ],
        "startIndex": 0,
        "totalResults": 3,
        "itemsPerPage": 3,
    }
    for path in ("/uapi/extensions/12/300/queue/agents/", f"{AGENTS}/"):
        assert (await api.get(path)).body == reply.body
    for name in (EXT2, "211", f"{EXT2}/"):
        single = (await api.get(f"{AGENTS}/{name}")).body
        assert single["entry"] == [agent(sim, EXT2, "0")]
    assert (await api.get(f"{AGENTS}/{REMOTE}")).body["entry"][0]["status"] == "2"
    page = (await api.get(AGENTS, params={"count": "1", "startIndex": "1"})).body
    assert [a["agentNumber"] for a in page["entry"]] == [EXT2]
    assert set(page["paging"]) == {"next", "prev"}


@pytest.mark.usefixtures("queue")
@pytest.mark.parametrize(
    ("params", "numbers"),
    [
        ({"filterBy": "status", "filterValue": "0"}, [EXT2]),
        ({"filterBy": "status", "filterOp": "equals", "filterValue": "2"}, [REMOTE]),
        ({"filterBy": "agentNumber", "filterValue": EXT1}, [EXT1]),
        (
            {"filterBy": "agentNumber", "filterOp": "contains", "filterValue": "*21"},
            [EXT1, EXT2],
        ),
        (
            {"filterBy": "agentNumber", "filterOp": "startsWith", "filterValue": "+"},
            [REMOTE],
        ),
        (
            {"filterBy": "status", "filterOp": "inArray", "filterValue": "1,2"},
            [EXT1, REMOTE],
        ),
        ({"filterBy": "queue", "filterValue": QUEUE}, [EXT1, EXT2, REMOTE]),
        ({"filterBy": "queue", "filterValue": "0003*301"}, []),
        ({"filterBy": "status", "filterOp": "present"}, [EXT1, EXT2, REMOTE]),
        ({"sortOrder": "asc"}, [EXT2, EXT1, REMOTE]),
        ({"sortOrder": "desc"}, [REMOTE, EXT1, EXT2]),
        ({"sortOrder": "ascending"}, [EXT2, EXT1, REMOTE]),
    ],
)
async def test_filters_and_order(
    api: Api, params: dict[str, str], numbers: list[str]
) -> None:
    """A filterBy of agentNumber, status or queue with each filterOp; sortOrder."""
    reply = await api.get(AGENTS, params=params)
    assert [a["agentNumber"] for a in reply.body["entry"]] == numbers


@pytest.mark.usefixtures("queue")
async def test_fields(api: Api) -> None:
    """`fields` picks Agent fields; `type` has no documented values, so none."""
    reply = await api.get(
        f"{AGENTS}/{REMOTE}", params={"fields": "agentNumber,queue,identifier,type"}
    )
    assert reply.body["entry"] == [
        {"agentNumber": REMOTE, "queue": QUEUE, "identifier": REMOTE}
    ]


@pytest.mark.usefixtures("queue")
@pytest.mark.parametrize(
    ("path", "params", "code"),
    [
        ("/uapi/extensions/@me/@self/queue/agents", {}, "extension_invalid"),
        (f"/uapi/extensions/@me/{EXT1}/queue/agents", {}, "extension_invalid"),
        ("/uapi/extensions/@me/0003*399/queue/agents", {}, "extension_invalid"),
        ("/uapi/extensions/99/0003*300/queue/agents", {}, "user_invalid"),
        (f"{AGENTS}/0003*212", {}, "qag_agent_invalid"),
        (f"{AGENTS}/5550000", {}, "qag_agent_invalid"),
        (AGENTS, {"filterBy": "name", "filterValue": "x"}, "filterby_invalid"),
        (AGENTS, {"filterBy": "status", "filterOp": "like"}, "filterop_invalid"),
        (AGENTS, {"filterBy": "status"}, "filtervalue_invalid"),
        (
            AGENTS,
            {"filterBy": "status", "filterOp": "inArray", "filterValue": "1,"},
            "filtervalue_invalid",
        ),
        (AGENTS, {"fields": "agentNumber,penalty"}, "fields_invalid"),
        (AGENTS, {"sortOrder": "up"}, "sortorder_invalid"),
        (AGENTS, {"count": "0"}, "count_invalid"),
    ],
)
async def test_list_errors(
    api: Api, path: str, params: dict[str, str], code: str
) -> None:
    """@self, a phone terminal or an unknown number is no queue; agents checked."""
    reply = await api.get(path, params=params)
    assert (reply.status, reply.body["error"]["code"]) == (400, code)


async def test_update_agent(api: Api, queue: Queue) -> None:
    """PUT {"status": "1"} (string or number) logs in, out or pauses an agent."""
    sim = api.sim
    reply = await api.put(f"{AGENTS}/{EXT2}", {"status": "1"})
    assert (reply.status, reply.body) == (200, agent(sim, EXT2, "1"))
    assert queue.agents[EXT2] == 1
    reply = await api.put(f"{AGENTS}/{REMOTE}/", {"status": 0})
    assert reply.body == agent(sim, REMOTE, "0")
    assert (await api.put(f"{AGENTS}/210", {"status": "2"})).status == 200
    assert queue.agents == {EXT1: 2, EXT2: 1, REMOTE: 0}
    for body in (
        {"status": "3"},
        {"status": "x"},
        {"status": True},
        {},
        {"status": None},
    ):
        reply = await api.put(f"{AGENTS}/{EXT1}", body)
        assert (reply.status, reply.body["error"]["code"]) == (400, "status_invalid")
    reply = await api.request("PUT", f"{AGENTS}/{EXT1}", data="status=1")
    assert reply.body["error"]["code"] == "fields_invalid"
    reply = await api.put(f"{AGENTS}/0003*212", {"status": "1"})
    assert reply.body["error"]["code"] == "qag_agent_invalid"
    reply = await api.put(
        "/uapi/extensions/@me/@self/queue/agents/210", {"status": "1"}
    )
    assert reply.body["error"]["code"] == "extension_invalid"
    assert queue.agents == {EXT1: 2, EXT2: 1, REMOTE: 0}


@pytest.mark.usefixtures("queue")
async def test_answer_modes(api: Api) -> None:
    """queue_update_answer, queue_list and quirks (status as a number)."""
    sim = api.sim
    sim.queue_update_answer = "array"
    reply = await api.put(f"{AGENTS}/{EXT1}", {"status": "0"})
    assert reply.body == [agent(sim, EXT1, "0")]
    sim.queue_update_answer = "204"
    reply = await api.put(f"{AGENTS}/{EXT1}", {"status": "1"})
    assert (reply.status, reply.text) == (204, "")
    assert sim.queues[QUEUE].agents[EXT1] == 1
    sim.queue_list = "wrapped"
    reply = await api.get(AGENTS)
    assert isinstance(reply.body, list)
    assert reply.body[0]["totalResults"] == 3
    sim.set_modes(queue_list="object", queue_update_answer="object", quirks=True)
    assert (await api.get(f"{AGENTS}/{EXT1}")).body["entry"][0]["status"] == 1
    assert (await api.put(f"{AGENTS}/{EXT1}", {"status": 2})).body["status"] == 2
    with pytest.raises(ValueError):
        sim.queue_update_answer = 204
    with pytest.raises(ValueError):
        VoipNowSimulator(queue_list="array")
    assert VoipNowSimulator(queue_update_answer="204").queue_update_answer == "204"


@pytest.mark.usefixtures("queue")
async def test_queue_agent_alias_is_not_served(api: Api) -> None:
    """One overview page writes /queueAgent/; no other source does: 404 here."""
    reply = await api.get(f"/uapi/extensions/@me/{QUEUE}/queueAgent/{EXT1}")
    assert (reply.status, reply.body["error"]["code"]) == (404, "not_found")


@pytest.mark.usefixtures("queue")
async def test_a_queue_is_no_phone(api: Api) -> None:
    """Not in presence, not callable, not an extension for PhoneCalls."""
    sim = api.sim
    presence = (await api.get("/uapi/extensions/@me/@self/presence")).body
    assert [p["extension"] for p in presence["entry"]] == [EXT1, EXT2]
    reply = await api.get(f"/uapi/extensions/@me/{QUEUE}/presence")
    assert reply.body["error"]["code"] == "extension_invalid"
    for destination in (QUEUE, "300"):
        body = {"phoneCallView": [{"source": [EXT1], "destination": [destination]}]}
        reply = await api.post("/uapi/phoneCalls/@me/simple", body)
        assert reply.body["error"]["code"] == "pc_destination_invalid"
    with pytest.raises(ValueError, match="queue"):
        await sim.outgoing_call(EXT1, QUEUE)
    with pytest.raises(KeyError):
        await sim.incoming_call(QUEUE)
    assert not sim.calls


def test_python_api(sim: VoipNowSimulator) -> None:
    """add/remove queues and agents, set statuses; bad input refused."""
    queue = sim.add_queue("0003*301", agents={"210": 1})
    assert (queue.number, queue.name, queue.agents) == ("0003*301", "", {EXT1: 1})
    assert sim.queues == {"0003*301": queue}
    sim.add_agent("301", "211")
    sim.add_agent("0003*301", REMOTE, status=2)
    sim.set_agent_status("301", "211", 1)
    assert queue.agents == {EXT1: 1, EXT2: 1, REMOTE: 2}
    sim.remove_agent("301", EXT1)
    assert list(queue.agents) == [EXT2, REMOTE]
    for call, error in (
        (lambda: sim.set_agent_status("301", EXT1, 1), KeyError),
        (lambda: sim.set_agent_status("302", EXT2, 1), KeyError),
        (lambda: sim.set_agent_status("301", EXT2, 3), ValueError),
        (lambda: sim.set_agent_status("301", EXT2, True), ValueError),
        (lambda: sim.remove_agent("301", EXT1), KeyError),
        (lambda: sim.add_agent("301", "Bob"), ValueError),
        (lambda: sim.add_queue("300"), ValueError),
        (lambda: sim.add_queue(EXT1), ValueError),
        (lambda: sim.add_queue("0003*302", agents={EXT1: 5}), ValueError),
        (lambda: sim.add_extension("0003*301"), ValueError),
        (lambda: sim.remove_queue("0003*302"), KeyError),
    ):
        with pytest.raises(error):
            call()
    sim.remove_queue("301")
    assert sim.queues == {}


async def test_control_api(api: Api, http: ClientSession) -> None:
    """/_sim/queues adds and removes queues; agents change as feature codes do."""
    sim, base = api.sim, api.sim.url + "/_sim/queues"
    queue = {"number": QUEUE, "name": "Sales", "agents": {EXT1: 1, EXT2: 0}}
    async with http.post(base, json=queue) as resp:
        assert (resp.status, await resp.json()) == (200, queue)
    async with http.post(f"{base}/{QUEUE}/agents/{EXT2}", json={"status": 1}) as resp:
        assert resp.status == 200
        assert (await resp.json())["agents"] == {EXT1: 1, EXT2: 1}
    assert (await api.get(f"{AGENTS}/{EXT2}")).body["entry"][0]["status"] == "1"
    for url, data, status in (
        (f"{base}/{QUEUE}/agents/0003*212", {"status": 1}, 404),
        (f"{base}/0003*399/agents/{EXT1}", {"status": 1}, 404),
        (f"{base}/{QUEUE}/agents/{EXT1}", {"status": 7}, 400),
        (base, {"number": "300"}, 400),
    ):
        async with http.post(url, json=data) as resp:
            assert resp.status == status, url
    async with http.get(sim.url + "/_sim/state") as resp:
        assert (await resp.json())["queues"] == [
            {"number": QUEUE, "name": "Sales", "agents": {EXT1: 1, EXT2: 1}}
        ]
    async with http.delete(f"{base}/{QUEUE}/agents/{EXT1}") as resp:
        assert resp.status == 204
    async with http.delete(f"{base}/{QUEUE}/agents/{EXT1}") as resp:
        assert resp.status == 404
    async with http.delete(f"{base}/{QUEUE}") as resp:
        assert resp.status == 204
    async with http.delete(f"{base}/{QUEUE}") as resp:
        assert resp.status == 404
    assert sim.queues == {}


def test_command_line_queues() -> None:
    """--queue NUMBER:NAME:AGENT[=STATUS],... (repeatable); the demo's queue."""
    args = parse_args(
        ["--queue", "0003*300:Sales:0003*210=1,0003*211", "--queue", "0003*301::"]
    )
    assert args.queue == [
        ("0003*300", "Sales", {"0003*210": 1, "0003*211": 0}),
        ("0003*301", "", {}),
    ]
    assert DEMO_QUEUE == ("0003*300", "Sales", {"0003*210": 1, "0003*211": 0})
    for bad in (":Sales:0003*210", "0003*300:Sales:0003*210=4", "0003*300::210=x"):
        with pytest.raises(SystemExit):
            parse_args(["--queue", bad])
