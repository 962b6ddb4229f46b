"""Simulator tests: every ended call leaves one CDR record; history can be seeded."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from aiohttp import ClientSession
import pytest

from voipnow_simulator import CdrRecord, CdrView, VoipNowSimulator
from voipnow_simulator.model import CLOCK

from .helpers import EXT1, EXT2, Api

CDR = "/uapi/cdr/@me"
# Far enough back for every record a test writes (the default is this month).
EVER = {"startDate": "2000-01-01T00:00:00"}
CALLER = "John Doe <5551234>"
Ending = Callable[[VoipNowSimulator, str], Awaitable[None]]


async def _answer_then_hang_up(sim: VoipNowSimulator, call_id: str) -> None:
    """Answer, then hang up."""
    await sim.answer_call(call_id)
    await sim.hangup_call(call_id)


async def _answer_then_fail(sim: VoipNowSimulator, call_id: str) -> None:
    """Answer, then lose the channel: still an answered call."""
    await sim.answer_call(call_id)
    await sim.fail_call(call_id, "CHANUNAVAIL")


async def _fail(sim: VoipNowSimulator, call_id: str) -> None:
    """Fail with congestion while ringing."""
    await sim.fail_call(call_id)


async def _unavailable(sim: VoipNowSimulator, call_id: str) -> None:
    """Fail: the callee's channel is unavailable."""
    await sim.fail_call(call_id, "CHANUNAVAIL")


async def _caller_gives_up(sim: VoipNowSimulator, call_id: str) -> None:
    """The caller hangs up while it rings (CANCEL)."""
    await sim.hangup_call(call_id)


async def _unknown(sim: VoipNowSimulator, call_id: str) -> None:
    """A hangup whose cause is not known."""
    await sim.hangup_call(call_id, "UNKNOWN")


@pytest.mark.parametrize(
    ("ending", "disposition"),
    [
        (_answer_then_hang_up, 0),
        (_answer_then_fail, 0),
        (VoipNowSimulator.reject_call, 1),
        (_fail, 2),
        (_unavailable, 2),
        (VoipNowSimulator.ring_out, 3),
        (_caller_gives_up, 3),
        (_unknown, 4),
    ],
)
async def test_each_ending_writes_its_disposition(
    api: Api, ending: Ending, disposition: int
) -> None:
    """Answered 0, busy 1, failed 2, no answer 3 (rang out or cancelled), unknown 4."""
    sim = api.sim
    call_id = await sim.incoming_call(EXT1, "5551234", caller_name="John Doe")
    published = sim.get_call(call_id).published
    assert sim.cdr == []
    await ending(sim, call_id)
    [record] = sim.cdr
    assert isinstance(record, CdrRecord)
    assert (record.id, record.extension, record.published) == (
        call_id,
        EXT1,
        published,
    )
    assert (record.disposition, record.outgoing) == (disposition, False)
    assert (record.answered is not None) == (disposition == 0)
    assert record.views == (CdrView(EXT1, "5551234", EXT1, CALLER, 8, disposition),)
    body = (await api.get(CDR, params=EVER)).body
    item = body["entry"][call_id]
    assert item == {
        "id": call_id,
        "extension": EXT1,
        "ownerId": "12",
        "published": published.isoformat(),
        **({"answered": record.answered.isoformat()} if record.answered else {}),
        "phoneCallView": [
            {
                "id": "00",
                "extension": EXT1,
                "source": "5551234",
                "destination": EXT1,
                "callerId": CALLER,
                "flow": "8",
                "disposition": str(disposition),
            }
        ],
    }


async def test_directions_and_local_calls(api: Api) -> None:
    """Outgoing calls: flow 4, charged to the caller; local calls have two views."""
    sim = api.sim
    out = await sim.outgoing_call(EXT1, "5559876")
    await sim.answer_call(out)
    await sim.hangup_call(out)
    local = await sim.outgoing_call(EXT2, "210")
    await sim.reject_call(local)
    first, second = sim.cdr
    assert (first.extension, first.outgoing, first.disposition) == (EXT1, True, 0)
    assert first.views == (CdrView(EXT1, EXT1, "5559876", f"Office <{EXT1}>", 4, 0),)
    assert (second.extension, second.outgoing, second.disposition) == (EXT2, True, 1)
    # Like a live call, a local call has a view per party, both the caller's id.
    assert second.views == (
        CdrView(EXT2, EXT2, EXT1, f"Sales <{EXT2}>", 2, 1),
        CdrView(EXT1, EXT2, EXT1, f"Sales <{EXT2}>", 2, 1),
    )
    entry = (await api.get(CDR, params=EVER)).body["entry"]
    assert [v["id"] for v in entry[local]["phoneCallView"]] == ["00", "01"]
    assert [v["flow"] for v in entry[out]["phoneCallView"]] == ["4"]


async def test_legacy_callbacks_leave_records_alone(sim: VoipNowSimulator) -> None:
    """A legacy server's hangups say UNKNOWN; its CDR still says busy."""
    sim.hangup_status = "legacy"
    call_id = await sim.incoming_call(EXT1)
    await sim.reject_call(call_id)
    assert sim.events[-1].params["CallStatus"] == "UNKNOWN"
    assert sim.cdr[0].disposition == 1


async def test_pickup_and_transfers_add_views(sim: VoipNowSimulator) -> None:
    """A view per leg, as the documented record's two views of one caller.

    A pickup ends nothing: the ringing extension's view is no answer, the
    one that took it answered. A transfer to an extension that rings out
    keeps the call answered, its new leg no answer.
    """
    picked = await sim.incoming_call(EXT1, "14141555")
    await sim.pickup_call(picked, EXT2)
    assert sim.cdr == []
    await sim.hangup_call(picked)
    moved = await sim.incoming_call(EXT1, "14141555")
    await sim.answer_call(moved)
    await sim.transfer_call(moved, EXT2, EXT1)
    assert len(sim.cdr) == 1
    await sim.ring_out(moved)
    first, second = sim.cdr
    assert [(v.extension, v.destination, v.disposition) for v in first.views] == [
        (EXT1, EXT1, 3),
        (EXT2, EXT2, 0),
    ]
    assert [(v.extension, v.destination, v.disposition) for v in second.views] == [
        (EXT1, EXT1, 0),
        (EXT2, EXT2, 3),
    ]
    assert {first.disposition, second.disposition} == {0}
    assert all(v.source == "14141555" for v in first.views + second.views)


async def test_transfer_out_of_the_system_and_voicemail(api: Api) -> None:
    """A transfer that leaves no local party ends the call; so does voicemail."""
    sim = api.sim
    away = await sim.incoming_call(EXT1, "5551234")
    await sim.answer_call(away)
    await sim.transfer_call(away, "5559876", EXT1)
    assert away not in sim.calls
    [record] = sim.cdr
    # The second leg joins two outside numbers: no local party, no view.
    assert [(v.extension, v.disposition) for v in record.views] == [(EXT1, 0)]
    assert (record.extension, record.disposition) == (EXT1, 0)
    ringing = await sim.incoming_call(EXT1, "5551234")
    body = {
        "action": "TransferToVoicemail",
        "sendCallTo": EXT2,
        "transferNumber": "5551234",
    }
    assert (await api.put(f"/uapi/phoneCalls/@me/{EXT1}/{ringing}", body)).status == 200
    assert (sim.cdr[-1].id, sim.cdr[-1].disposition) == (ringing, 3)
    hung_up = await sim.incoming_call(EXT2)
    assert (await api.delete(f"/uapi/phoneCalls/@me/{EXT2}/{hung_up}")).status == 200
    assert (sim.cdr[-1].id, sim.cdr[-1].disposition) == (hung_up, 3)


async def test_seeded_history(api: Api) -> None:
    """add_cdr_record: calls from before, at chosen times (zone-less: server's)."""
    sim = api.sim
    sim.time_zone = "Asia/Tokyo"
    tokyo = ZoneInfo("Asia/Tokyo")
    # Zone-less on purpose: the server's local time, here Tokyo's.
    naive = datetime(2024, 5, 6, 8, 30, 15, 9)  # noqa: DTZ001
    missed = sim.add_cdr_record(EXT1, "5551234", name="John Doe", started=naive)
    start = datetime(2024, 5, 6, 1, 0, tzinfo=ZoneInfo("UTC"))
    made = sim.add_cdr_record(
        "211",
        "5559876",
        direction="outgoing",
        started=start,
        answered=start + timedelta(seconds=7),
    )
    refused = sim.add_cdr_record(EXT1, "5550199", started=start, disposition=5)
    assert sim.cdr == [missed, made, refused]
    assert missed.published == datetime(2024, 5, 6, 8, 30, 15, tzinfo=tokyo)
    assert (missed.disposition, missed.answered, missed.outgoing) == (3, None, False)
    assert missed.views == (CdrView(EXT1, "5551234", EXT1, CALLER, 8, 3),)
    assert (made.extension, made.disposition, made.outgoing) == (EXT2, 0, True)
    assert made.views[0].flow == 4
    assert refused.disposition == 5
    entry = (await api.get(CDR, params=EVER)).body["entry"]
    assert entry[missed.id]["published"] == "2024-05-06T08:30:15+09:00"
    assert entry[made.id]["answered"] == "2024-05-06T10:00:07+09:00"
    # The seeded call ended: asking PhoneCalls for it finds nothing (204).
    reply = await api.get(f"/uapi/phoneCalls/@me/{EXT1}/{missed.id}")
    assert reply.status == 204
    with pytest.raises(KeyError):
        sim.add_cdr_record("0003*999", "5551234")
    for bad in (
        {"direction": "sideways"},
        {"disposition": 6},
        {"disposition": True},
        {"disposition": 0},
        {"disposition": 3, "answered": start},
    ):
        with pytest.raises(ValueError):
            sim.add_cdr_record(EXT1, "5551234", started=start, **bad)
    assert len(sim.cdr) == 3


async def test_cdr_requests_are_logged(api: Api) -> None:
    """Tests count CDR requests in the request log."""
    await api.get(CDR)
    await api.get("/uapi/cdr", params={"count": "5"})
    await api.get("/uapi/phoneCalls/@me/@self")
    requests = api.sim.api_requests("GET", "/uapi/cdr")
    assert [(r.path, r.query) for r in requests] == [
        (CDR, {}),
        ("/uapi/cdr", {"count": "5"}),
    ]


async def test_control_api_seeds_and_shows_history(
    api: Api, http: ClientSession
) -> None:
    """POST /_sim/cdr seeds a record; GET /_sim/state shows the history."""
    sim, base = api.sim, api.sim.url + "/_sim"
    seed = {
        "extension": "210",
        "number": "5551234",
        "name": "Jo",
        "started": "2024-05-06T08:30:00+00:00",
    }
    async with http.post(f"{base}/cdr", json=seed) as resp:
        assert resp.status == 200
        seeded = await resp.json()
    assert seeded["published"] == "2024-05-06T08:30:00+00:00"
    assert seeded["views"][0]["caller_id"] == "Jo <5551234>"
    async with http.post(f"{base}/cdr", json={**seed, "extension": "9"}) as resp:
        assert resp.status == 404
    async with http.post(f"{base}/cdr", json={**seed, "disposition": 9}) as resp:
        assert resp.status == 400
    several = [{**seed, "number": "5550001"}, {**seed, "extension": EXT2}]
    async with http.post(f"{base}/cdr", json=several) as resp:
        assert resp.status == 200
        listed = await resp.json()
    assert [r["extension"] for r in listed] == [seeded["extension"], EXT2]
    assert [r.id for r in sim.cdr[-2:]] == [r["id"] for r in listed]
    del sim.cdr[-2:]
    call_id = await sim.incoming_call(EXT1)
    await sim.ring_out(call_id)
    async with http.get(f"{base}/state") as resp:
        state = await resp.json()
    assert [r["id"] for r in state["cdr"]] == [seeded["id"], call_id]
    assert state["cdr"][1]["disposition"] == 3


async def test_control_api_moves_the_pbx_clock(api: Api, http: ClientSession) -> None:
    """POST /_sim/clock moves the times the PBX writes; a bad time changes nothing."""
    base = api.sim.url + "/_sim"
    ahead = datetime.now().astimezone() + timedelta(hours=30)
    try:
        for bad in ({}, {"now": "tomorrow"}, {"now": "2030-01-01T00:00:00"}):
            async with http.post(f"{base}/clock", json=bad) as resp:
                assert resp.status == 400, bad
                assert (await resp.json())["error"]["code"] == "invalid_clock"
        async with http.post(f"{base}/clock", json={"now": ahead.isoformat()}) as resp:
            assert resp.status == 200
            told = datetime.fromisoformat((await resp.json())["now"])
        assert abs(told - ahead) < timedelta(seconds=5)
        call_id = await api.sim.incoming_call(EXT1)
        await api.sim.ring_out(call_id)
        async with http.post(f"{base}/callbacks/wait") as resp:
            assert resp.status == 204
        record = api.sim.cdr[-1]
        assert record.id == call_id
        assert abs(record.saved - ahead) < timedelta(seconds=5)
    finally:
        CLOCK.reset()
    record = api.sim.add_cdr_record(EXT2, "5551234")
    assert abs(record.published - datetime.now().astimezone()) < timedelta(seconds=5)
