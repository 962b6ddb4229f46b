"""Simulator tests: how calls end (CallStatus of hangups) and pickup."""

from __future__ import annotations

from aiohttp import ClientSession
import pytest

from voipnow_simulator import VoipNowSimulator

from .helpers import EXT1, EXT2, Api

EXT3 = "0003*212"
CALLS = "/uapi/phoneCalls/@me"


def hangups(sim: VoipNowSimulator) -> list[tuple[str, str]]:
    """Return (extension, CallStatus) of every hangup event so far."""
    return [(e.extension, e.params["CallStatus"]) for e in sim.events if e.type == 2]


async def test_hangup_statuses(sim: VoipNowSimulator) -> None:
    """hangup_call: ANSWER if answered, else CANCEL; or the status given."""
    answered = await sim.incoming_call(EXT1, from_number="211")
    await sim.answer_call(answered)
    await sim.hangup_call(answered)
    missed = await sim.incoming_call(EXT1)
    await sim.hangup_call(missed)
    given = await sim.outgoing_call(EXT2, "5550000")
    await sim.hangup_call(given, status="CHANUNAVAIL")
    assert hangups(sim) == [
        (EXT2, "ANSWER"),
        (EXT1, "ANSWER"),
        (EXT1, "CANCEL"),
        (EXT2, "CHANUNAVAIL"),
    ]
    call_id = await sim.incoming_call(EXT1)
    with pytest.raises(ValueError, match="hangup status"):
        await sim.hangup_call(call_id, status="EXPLODED")
    assert call_id in sim.calls


async def test_reject_ring_out_and_fail(sim: VoipNowSimulator) -> None:
    """reject_call is BUSY, ring_out NOANSWER, fail_call CONGESTION/CHANUNAVAIL."""
    rejected = await sim.incoming_call(EXT1, from_number="211")
    await sim.reject_call(rejected)
    rang_out = await sim.incoming_call(EXT1)
    await sim.ring_out(rang_out)
    congested = await sim.outgoing_call(EXT2, "5550000")
    await sim.fail_call(congested)
    unavailable = await sim.incoming_call(EXT2)
    await sim.answer_call(unavailable)
    await sim.fail_call(unavailable, status="CHANUNAVAIL")
    assert hangups(sim) == [
        (EXT2, "BUSY"),
        (EXT1, "BUSY"),
        (EXT1, "NOANSWER"),
        (EXT2, "CONGESTION"),
        (EXT2, "CHANUNAVAIL"),
    ]
    assert not sim.calls
    # Dial events keep saying CALLING.
    assert {e.params["CallStatus"] for e in sim.events if e.type in (0, 1)} == {
        "CALLING"
    }

    call_id = await sim.incoming_call(EXT1)
    with pytest.raises(ValueError, match="CONGESTION"):
        await sim.fail_call(call_id, status="BUSY")
    await sim.answer_call(call_id)
    for only_ringing in (sim.reject_call, sim.ring_out):
        with pytest.raises(ValueError, match="no longer rings"):
            await only_ringing(call_id)
    with pytest.raises(KeyError):
        await sim.ring_out("0123456789abcdef0123")


async def test_legacy_hangup_status(sim: VoipNowSimulator) -> None:
    """Legacy servers only tell ANSWER from UNKNOWN, whatever the ending."""
    sim.hangup_status = "legacy"
    rejected = await sim.incoming_call(EXT1)
    await sim.reject_call(rejected)
    answered = await sim.incoming_call(EXT1)
    await sim.answer_call(answered)
    await sim.fail_call(answered)
    # Answered once, then transferred and ringing again: still ANSWER.
    moved = await sim.incoming_call(EXT1)
    await sim.answer_call(moved)
    await sim.transfer_call(moved, EXT2, EXT1)
    await sim.ring_out(moved)
    assert hangups(sim) == [
        (EXT1, "UNKNOWN"),
        (EXT1, "ANSWER"),
        (EXT1, "ANSWER"),
        (EXT2, "ANSWER"),
    ]


async def test_transferred_ringing_call_that_rings_out(sim: VoipNowSimulator) -> None:
    """Documented mode: the new callee's leg ends as it really ended."""
    call_id = await sim.incoming_call(EXT1)
    await sim.answer_call(call_id)
    await sim.transfer_call(call_id, EXT2, EXT1)
    await sim.ring_out(call_id)
    assert hangups(sim) == [(EXT1, "ANSWER"), (EXT2, "NOANSWER")]


async def test_pickup(api: Api) -> None:
    """Another extension takes a ringing call: same id, the first one leaves."""
    sim = api.sim
    sim.add_extension(EXT3, name="Lab")
    call_id = await sim.incoming_call(EXT1, from_number="211")
    await sim.pickup_call(call_id, "212")
    assert sim.get_call(call_id).callee.number == EXT3
    assert [(e.type, e.extension, e.params["CallStatus"]) for e in sim.events] == [
        (1, EXT2, "CALLING"),
        (0, EXT1, "CALLING"),
        # The call was answered, just not by the extension that rang.
        (2, EXT1, "ANSWER"),
        (3, EXT3, "ANSWER"),
        (4, EXT2, "ANSWER"),
    ]
    assert sim.events[2].params["CalledExtension"] == EXT1
    assert sim.events[3].params["CalledExtension"] == EXT3
    reply = await api.get(f"{CALLS}/{EXT3}/{call_id}")
    views = {v["extension"]: v for v in reply.body["phoneCallView"]}
    assert set(views) == {EXT2, EXT3}
    assert views[EXT3]["status"] == "5"
    assert "answered" in views[EXT3]
    assert (await api.get(f"{CALLS}/{EXT1}")).body["totalResults"] == 0

    with pytest.raises(ValueError, match="can no longer be picked up"):
        await sim.pickup_call(call_id, EXT1)
    other = await sim.incoming_call(EXT1)
    with pytest.raises(ValueError, match="already takes part"):
        await sim.pickup_call(other, EXT1)
    with pytest.raises(KeyError):
        await sim.pickup_call(other, "0003*999")


async def test_control_endings(api: Api, http: ClientSession) -> None:
    """The control API's hangup takes a status; reject, ring_out, fail, pickup."""
    sim, base = api.sim, api.sim.url + "/_sim/calls"
    ids = [await sim.incoming_call(EXT1) for _ in range(5)]
    cases = [
        ("hangup", {"status": "BUSY"}),
        ("reject", None),
        ("ring_out", None),
        ("fail", {"status": "CHANUNAVAIL"}),
        ("pickup", {"extension": EXT2}),
    ]
    for call_id, (op, data) in zip(ids, cases, strict=True):
        async with http.post(f"{base}/{call_id}/{op}", json=data) as resp:
            assert resp.status == 200, op
    assert hangups(sim) == [
        (EXT1, "BUSY"),
        (EXT1, "BUSY"),
        (EXT1, "NOANSWER"),
        (EXT1, "CHANUNAVAIL"),
        (EXT1, "ANSWER"),
    ]
    picked, ringing = ids[-1], await sim.incoming_call(EXT1)
    for call_id, op, data, status in (
        (picked, "hangup", {"status": "LATER"}, 400),
        (picked, "reject", None, 400),
        (picked, "pickup", {"extension": EXT1}, 400),
        (ringing, "pickup", {}, 400),
        (ringing, "pickup", {"extension": "0003*999"}, 404),
        (ringing, "explode", None, 404),
    ):
        async with http.post(f"{base}/{call_id}/{op}", json=data) as resp:
            assert resp.status == status, (op, data)
    async with http.post(f"{base}/{ids[0]}/ring_out") as resp:
        assert resp.status == 404
