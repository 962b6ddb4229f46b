"""The call history (List CDR) read by the client, however many records a period has.

"List CDR" documents `count` and `startIndex` up to 5000 each: by offset, one
period shows at most 5000 + one page of records. The client reads the rest by
narrowing the period, whichever way the server sorts, and never sends a start
index the server refuses.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from custom_components.voipnow.api import (
    VoipNowInvalidInputError,
    VoipNowMalformedResponseError,
    requests,
)
from voipnow_simulator import VoipNowSimulator

from .conftest import EXT_OFFICE, make_client

CDR_PATH = "/uapi/cdr"
PAGE = 1000
# More than offsets reach with pages of 1000 (0, 1000, ... 5000).
RECORDS = 6500


def seed(sim: VoipNowSimulator, count: int, every: timedelta) -> datetime:
    """Seed `count` missed calls of the office, `every` apart, ending an hour ago."""
    last = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    for index in range(count):
        sim.add_cdr_record(EXT_OFFICE, f"555{index:05d}", started=last - every * index)
    return last - every * count


def cdr_queries(sim: VoipNowSimulator) -> list[dict[str, str]]:
    """Return the query of every CDR request, in order."""
    return [dict(r.query) for r in sim.api_requests("GET", CDR_PATH)]


@pytest.mark.parametrize("order", ["desc", "asc"])
async def test_a_period_with_more_records_than_offsets_reach(
    sim: VoipNowSimulator, session: aiohttp.ClientSession, order: str
) -> None:
    """Every record once, newest or oldest first, no start index over 5000."""
    sim.set_modes(cdr_sort_default=order)
    first = seed(sim, RECORDS, timedelta(seconds=5))
    client = make_client(session, sim.url, page_size=PAGE)

    records = await client.async_list_call_records(
        since=first - timedelta(minutes=1), until=datetime.now(UTC)
    )

    assert len(records) == RECORDS
    assert len({record.id for record in records}) == RECORDS
    queries = cdr_queries(sim)
    assert max(int(q.get("startIndex", "0")) for q in queries) <= 5000
    # Six pages by offset, then the period narrowed on the side not read yet.
    original, narrowed = queries[0], queries[6:]
    assert [q.get("startIndex", "0") for q in queries[:6]] == [
        str(index * PAGE) for index in range(6)
    ]
    assert all(q["startDate"] == original["startDate"] for q in queries[:6])
    assert narrowed
    if order == "desc":
        assert all(q["startDate"] == original["startDate"] for q in narrowed)
        assert all(q["endDate"] < original["endDate"] for q in narrowed)
    else:
        assert all(q["startDate"] > original["startDate"] for q in narrowed)
        assert all(q["endDate"] == original["endDate"] for q in narrowed)


async def test_too_many_records_in_one_hour_is_an_error(
    sim: VoipNowSimulator, session: aiohttp.ClientSession
) -> None:
    """When narrowing cannot move past an hour of records, the read fails cleanly."""
    first = seed(sim, RECORDS, timedelta(milliseconds=500))
    client = make_client(session, sim.url, page_size=PAGE)

    with pytest.raises(VoipNowMalformedResponseError, match="one hour"):
        await client.async_list_call_records(
            since=first - timedelta(minutes=1), until=datetime.now(UTC)
        )

    assert max(int(q.get("startIndex", "0")) for q in cdr_queries(sim)) <= 5000


def test_records_without_dates_leave_nothing_to_narrow_by() -> None:
    """Past the offsets, records without a date cannot be read on."""
    with pytest.raises(VoipNowMalformedResponseError, match="without dates"):
        requests.period_after({"startDate": "a", "endDate": "b"}, [None, None], UTC)


@pytest.mark.parametrize(
    ("since", "until"),
    [
        # A time without a zone: which one is meant?
        (datetime(2026, 1, 1), datetime(2026, 1, 2, tzinfo=UTC)),  # noqa: DTZ001
        (datetime(2026, 1, 2, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)),
    ],
    ids=["naive", "since_after_until"],
)
async def test_a_bad_period_sends_nothing(
    sim: VoipNowSimulator,
    session: aiohttp.ClientSession,
    since: datetime,
    until: datetime,
) -> None:
    """A period without a zone, or backwards, is refused before any request."""
    client = make_client(session, sim.url)

    with pytest.raises(VoipNowInvalidInputError):
        await client.async_list_call_records(since=since, until=until)

    assert cdr_queries(sim) == []
