"""Simulator tests: a CDR record is saved when its call ends; the save dates select it.

`published` is when the call came in; `saveStartDate`/`saveEndDate` ("Date
when the call was saved to the database") bound when the record was written.
Modes play a server that refuses the save dates, one that ignores them, and
one that writes its dates in UTC (`Z`) while running in another zone.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from .helpers import EXT1, Api, Reply

CDR = "/uapi/cdr/@me"


def ids(reply: Reply) -> list[str]:
    """Return the ids a CDR answer lists (none for an empty one)."""
    assert reply.status in (200, 204), reply.body
    return list((reply.body or {}).get("entry") or [])


def when(moment: datetime) -> str:
    """Write a query date in UTC."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def test_a_long_call_is_published_when_it_began_and_saved_when_it_ended(
    api: Api,
) -> None:
    """Save dates find a call that began long before; start dates do not."""
    sim = api.sim
    began = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=20)
    call_id = await sim.incoming_call(EXT1)
    sim.get_call(call_id).published = began
    await sim.hangup_call(call_id)
    record = sim.cdr[-1]
    assert record.published == began
    assert datetime.now(UTC) - record.saved < timedelta(minutes=1)
    recent = {"saveStartDate": when(datetime.now(UTC) - timedelta(minutes=10))}

    reply = await api.get(CDR, params=recent)

    assert ids(reply) == [call_id]
    published = datetime.fromisoformat(reply.body["entry"][call_id]["published"])
    assert published == began
    by_start = {"startDate": when(datetime.now(UTC) - timedelta(minutes=10))}
    assert ids(await api.get(CDR, params=by_start)) == []


async def test_a_seeded_record_is_saved_when_it_ended(api: Api) -> None:
    """`ended` dates the record's save; it cannot come before the call began."""
    sim = api.sim
    now = datetime.now(UTC).replace(microsecond=0)
    record = sim.add_cdr_record(
        EXT1, "5551234", started=now - timedelta(hours=5), ended=now
    )
    assert record.saved == now
    with pytest.raises(ValueError, match="ends after"):
        sim.add_cdr_record(EXT1, "5551234", started=now, ended=now - timedelta(1))


@pytest.mark.parametrize(
    ("mode", "status", "listed"),
    [("filtered", 200, 1), ("ignored", 200, 2), ("refused", 400, 0)],
)
async def test_save_date_modes(api: Api, mode: str, status: int, listed: int) -> None:
    """Refused: the documented 400; ignored: the default month is listed."""
    sim = api.sim
    now = datetime.now(UTC).replace(microsecond=0)
    month = now.replace(day=1, hour=0, minute=0, second=0)
    sim.add_cdr_record(EXT1, "5551234", started=month, ended=month)
    sim.add_cdr_record(EXT1, "5551234", started=now - timedelta(seconds=2), ended=now)
    sim.time_zone = "UTC"
    sim.cdr_save_dates = mode

    reply = await api.get(
        CDR, params={"saveStartDate": when(now - timedelta(seconds=1))}
    )

    assert reply.status == status
    if status == 400:
        assert reply.body["error"]["code"] == "cdr_save_start_date_invalid"
    else:
        assert len(ids(reply)) == (listed if now > month else 1)


async def test_utc_dates_with_a_local_clock(api: Api) -> None:
    """A server at UTC+3 writing `Z` still reads zone-less dates at UTC+3."""
    sim = api.sim
    sim.time_zone = "Europe/Istanbul"
    sim.utc_dates = True
    started = datetime(2024, 5, 6, 9, 0, tzinfo=UTC)
    record = sim.add_cdr_record(EXT1, "5551234", started=started)

    wall_utc = {"startDate": "2024-05-06T09:00:00", "endDate": "2024-05-06T09:00:00"}
    wall_local = {"startDate": "2024-05-06T12:00:00", "endDate": "2024-05-06T12:00:00"}
    assert ids(await api.get(CDR, params=wall_utc)) == []
    reply = await api.get(CDR, params=wall_local)

    assert ids(reply) == [record.id]
    assert reply.body["entry"][record.id]["published"] == "2024-05-06T09:00:00Z"
