"""The CDR read by save dates, and the PBX's zone learnt from the dates it writes.

A period of save dates too dense for the offsets is split in halves of the
PBX's own clock (records carry no save date to narrow by). A server that
refuses or ignores the save dates says so with its own error. Query dates
are written in the zone whose offset the PBX's fresh dates carry.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from custom_components.voipnow.api import (
    VoipNowClient,
    VoipNowMalformedResponseError,
    VoipNowResponseError,
    VoipNowSaveDatesRefusedError,
)
from custom_components.voipnow.api.pbx_clock import DST_MARGIN, ZONE_MARGIN, PbxClock
from voipnow_simulator import VoipNowSimulator

from .conftest import EXT_OFFICE, make_client

CDR_PATH = "/uapi/cdr"
PAGE = 1000


def cdr_queries(sim: VoipNowSimulator) -> list[dict[str, str]]:
    """Return the query of every CDR request, in order."""
    return [dict(r.query) for r in sim.api_requests("GET", CDR_PATH)]


def seed_saved(sim: VoipNowSimulator, count: int, every: timedelta) -> datetime:
    """Seed `count` calls of a day ago, saved `every` apart up to now."""
    now = datetime.now(UTC).replace(microsecond=0)
    for index in range(count):
        sim.add_cdr_record(
            EXT_OFFICE,
            f"555{index:05d}",
            started=now - timedelta(days=1) + every * index / 2,
            ended=now - every * index,
        )
    return now - every * count


async def teach_zone(sim: VoipNowSimulator, client: VoipNowClient) -> None:
    """Show a fresh call in a listing: its date teaches the PBX's zone."""
    call_id = await sim.incoming_call(EXT_OFFICE)
    await client.async_list_calls()
    await sim.hangup_call(call_id)


async def test_a_dense_save_period_is_read_in_halves(
    sim: VoipNowSimulator, session: aiohttp.ClientSession
) -> None:
    """Every record once; only save dates sent; the halves tile the period."""
    sim.set_modes(time_zone="UTC")
    first = seed_saved(sim, 6500, timedelta(seconds=1))
    client = make_client(session, sim.url, page_size=PAGE)
    await teach_zone(sim, client)

    records = await client.async_list_call_records(
        since=first - timedelta(minutes=1), until=datetime.now(UTC), by_save=True
    )

    assert len({record.id for record in records}) == len(records) == 6501
    queries = cdr_queries(sim)
    assert all("startDate" not in q and "endDate" not in q for q in queries)
    assert max(int(q.get("startIndex", "0")) for q in queries) <= 5000
    halves = [q for q in queries if q.get("startIndex", "0") == "0"][1:]
    assert halves[0]["saveEndDate"] == halves[1]["saveStartDate"]
    assert halves[0]["saveStartDate"] == queries[0]["saveStartDate"]


async def test_too_many_records_saved_in_two_seconds(
    sim: VoipNowSimulator, session: aiohttp.ClientSession
) -> None:
    """A period that cannot be split any further fails cleanly."""
    sim.set_modes(time_zone="UTC")
    seed_saved(sim, 6500, timedelta(0))
    client = make_client(session, sim.url, page_size=PAGE)
    await teach_zone(sim, client)
    now = datetime.now(UTC)

    with pytest.raises(VoipNowMalformedResponseError, match="Too many call records"):
        await client.async_list_call_records(
            since=now - timedelta(minutes=1), until=now, by_save=True
        )


@pytest.mark.parametrize("mode", ["refused", "ignored"])
async def test_refused_or_ignored_save_dates(
    sim: VoipNowSimulator, session: aiohttp.ClientSession, mode: str
) -> None:
    """A 400 on the save dates, or records of days before them, is a refusal."""
    now = datetime.now(UTC).replace(microsecond=0)
    month = now.replace(day=1, hour=0, minute=0, second=0)
    if now - month < timedelta(days=3):
        month = now - timedelta(minutes=5)  # early in a month: nothing to show
    sim.add_cdr_record(EXT_OFFICE, "5550000", started=month)
    sim.set_modes(cdr_save_dates=mode, time_zone="UTC")
    client = make_client(session, sim.url)

    read = client.async_list_call_records(
        since=now - timedelta(minutes=10), until=now, by_save=True
    )
    if mode == "ignored" and now - month < timedelta(days=3):
        assert len(await read) == 1
        return
    with pytest.raises(VoipNowSaveDatesRefusedError):
        await read


async def test_other_errors_are_not_a_refusal(
    sim: VoipNowSimulator, session: aiohttp.ClientSession
) -> None:
    """`@me` refused: the form without a user is asked, with the save dates."""
    sim.set_modes(cdr_me=False)
    client = make_client(session, sim.url)
    now = datetime.now(UTC)

    assert (
        await client.async_list_call_records(
            since=now - timedelta(minutes=10), until=now, by_save=True
        )
        == []
    )
    assert [r.path for r in sim.api_requests("GET", CDR_PATH)] == [
        "/uapi/cdr/@me",
        "/uapi/cdr/",
    ]
    sim.set_modes(cdr_available=False)
    with pytest.raises(VoipNowResponseError) as err:
        await client.async_list_call_records(
            since=now - timedelta(minutes=10), until=now, by_save=True
        )
    assert not isinstance(err.value, VoipNowSaveDatesRefusedError)


def test_the_clock_learns_only_from_fresh_dates_with_an_offset() -> None:
    """`Z`, zone-less, invalid or old dates teach nothing; the freshest wins."""
    now = datetime(2026, 6, 17, 12, 0, tzinfo=UTC)
    pacific = ZoneInfo("US/Pacific")
    clock = PbxClock(pacific)
    clock.learn(
        [
            "2026-06-17T12:00:00Z",
            "2026-06-17T12:00:00",
            "2026-13-45T12:00:00+03:00",
            "2026-06-10T12:00:00+05:00",
            None,
            42,
        ],
        now,
    )
    assert (clock.offset, clock.zone, clock.margin) == (None, pacific, ZONE_MARGIN)

    clock.learn(["2026-06-17T14:59:00+03:00", "2026-06-17T15:00:00+03:00"], now)
    assert clock.zone == timezone(timedelta(hours=3))
    assert clock.margin == DST_MARGIN
    # An older date does not undo a fresher one.
    clock.learn(["2026-06-17T12:30:00+01:00"], now)
    assert clock.offset == timedelta(hours=3)
    # The offset of Home Assistant's own zone: its zone, daylight saving and all.
    clock.learn(["2026-06-17T05:00:30-07:00"], now)
    assert (clock.zone, clock.margin) == (pacific, timedelta(0))
