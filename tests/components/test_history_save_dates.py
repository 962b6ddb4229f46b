"""The call history misses no call: new records are read by the date they were saved.

A CDR record is written when its call ends. Reading new records by the calls'
start dates lost every call longer than the read's overlap; they are read by
`saveStartDate`/`saveEndDate` now. A PBX that refuses the save dates (an
error, or an answer that ignores them) is read by start dates, four hours
back, and that is remembered for its entry only. Query dates are written in
the PBX's zone, learnt from the offset its dates carry: a read spans minutes,
not the day and more a zone nobody knows needs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.voipnow.const import DOMAIN
from tests.conftest import (
    CLIENT_ID,
    CLIENT_SECRET,
    EXT_KITCHEN,
    EXT_OFFICE,
    simulator_entry,
)
from voipnow_simulator import VoipNowSimulator

from .helpers import async_poll
from .test_history import (
    CDR_PATH,
    OFFICE_LAST_CALL,
    async_history,
    async_history_refresh,
    missed,
)

# A fixed day in the middle of a month (the CDR's default period is the month).
DAY = "2026-06-17T12:00:00+00:00"
# The dates a query writes: local time, no zone.
FORMAT = "%Y-%m-%dT%H:%M:%S"
# How many records the first requests of a period reach (pages of 500).
READ_FIRST = 5500
SAVE_KEYS = {"saveStartDate", "saveEndDate"}
START_KEYS = {"startDate", "endDate"}


def cdr_queries(simulator: VoipNowSimulator) -> list[dict[str, str]]:
    """Return the query of every CDR request the PBX received, in order."""
    return [dict(r.query) for r in simulator.api_requests("GET", CDR_PATH)]


def dates(query: dict[str, str]) -> dict[str, str]:
    """Return the dates of a CDR query (without its paging)."""
    return {key: value for key, value in query.items() if key.endswith("Date")}


def span(query: dict[str, str]) -> timedelta:
    """Return how long a CDR query's period is."""
    low, high = sorted(dates(query).values())
    return datetime.fromisoformat(high) - datetime.fromisoformat(low)


def local(moment: datetime, zone: str | None = None) -> str:
    """Write a time as a query date in a zone (Home Assistant's by default)."""
    tz = ZoneInfo(zone) if zone else dt_util.get_default_time_zone()
    return moment.astimezone(tz).strftime(FORMAT)


@pytest.fixture
def setup_on(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, simulator: VoipNowSimulator
) -> Callable[..., Awaitable[MockConfigEntry]]:
    """Return a coroutine that sets up an entry of the simulator on a fixed day."""
    freezer.move_to(DAY)

    async def setup(**modes: Any) -> MockConfigEntry:
        simulator.set_modes(**modes)
        entry = simulator_entry(simulator)
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        return entry

    return setup


async def test_a_call_longer_than_the_overlap_is_counted_when_it_ends(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    setup_on: Any,
) -> None:
    """A call that rang for 20 hours is missed when its record is written."""
    await setup_on(time_zone="Europe/Istanbul")
    began = dt_util.utcnow() + timedelta(minutes=1)
    for _ in range(20):
        await async_poll(hass, freezer, timedelta(hours=1))
    simulator.add_cdr_record(
        EXT_OFFICE, "5551234", name="Long Caller", started=began, ended=dt_util.utcnow()
    )
    simulator.clear_requests()

    await async_history_refresh(hass, freezer)

    assert missed(hass) == "1"
    last = hass.states.get(OFFICE_LAST_CALL)
    assert last.attributes["caller_name"] == "Long Caller"
    assert last.attributes["outcome"] == "no_answer"
    [query] = cdr_queries(simulator)
    assert set(dates(query)) == SAVE_KEYS


@pytest.mark.parametrize("refusal", ["refused", "ignored"])
async def test_a_pbx_refusing_save_dates_is_read_by_start_dates_four_hours_back(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    setup_on: Any,
    refusal: str,
) -> None:
    """Asked once per entry; then start dates, with at least four hours again."""
    # A call of three days ago, this month: what a server ignoring the save
    # dates lists (its default period is the month).
    simulator.add_cdr_record(
        EXT_OFFICE, "5550000", started=dt_util.utcnow() - timedelta(days=3)
    )
    other = VoipNowSimulator(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    other.add_extension(EXT_OFFICE, name="Office")
    await other.start(host="127.0.0.1", port=0)
    try:
        setup = dt_util.utcnow()
        await setup_on(cdr_save_dates=refusal)
        # A second entry, whose PBX takes the save dates.
        second = MockConfigEntry(
            domain=DOMAIN,
            title="other",
            unique_id="other-pbx",
            data=simulator_entry(other).data,
            options=simulator_entry(other).options,
            minor_version=2,
            entry_id="01JVOIPNOWTESTENTRY000002",
        )
        second.add_to_hass(hass)
        assert await hass.config_entries.async_setup(second.entry_id)
        await hass.async_block_till_done()

        wide = timedelta(hours=14)  # the PBX's zone is not known yet
        first = [dates(query) for query in cdr_queries(simulator)]
        assert first == [
            {
                "saveStartDate": local(setup - timedelta(hours=24) - wide),
                "saveEndDate": local(setup + wide),
            },
            {
                "startDate": local(setup - timedelta(hours=24) - wide),
                "endDate": local(setup + wide),
            },
        ]
        simulator.clear_requests()
        other.clear_requests()

        await async_history_refresh(hass, freezer)

        now = dt_util.utcnow()
        assert [dates(query) for query in cdr_queries(simulator)] == [
            {
                "startDate": local(setup - timedelta(hours=4) - wide),
                "endDate": local(now + wide),
            }
        ]
        assert [set(dates(query)) for query in cdr_queries(other)] == [SAVE_KEYS]
        # A call of three hours is read by its start date.
        for _ in range(3):
            await async_poll(hass, freezer, timedelta(hours=1))
        simulator.add_cdr_record(
            EXT_OFFICE,
            "5551234",
            started=now + timedelta(minutes=1),
            ended=dt_util.utcnow(),
        )
        simulator.clear_requests()
        await async_history_refresh(hass, freezer)
        assert missed(hass) == "1"
        assert [set(dates(query)) for query in cdr_queries(simulator)] == [START_KEYS]
    finally:
        await other.stop()


async def test_a_pbx_writing_utc_at_utc_plus_3_loses_nothing_when_narrowed(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    setup_on: Any,
) -> None:
    """More records than offsets reach; the narrowed bound is in the PBX's clock.

    The PBX runs at UTC+3 and writes `Z`: its zone cannot be learnt, and
    a bound written in the records' own clock (UTC) would skip three hours.
    """
    await setup_on(time_zone="Europe/Istanbul", utc_dates=True)
    now = dt_util.utcnow().replace(microsecond=0)
    newest = now - timedelta(hours=1)
    for index in range(6500):
        simulator.add_cdr_record(
            EXT_OFFICE,
            f"555{index:05d}",
            started=newest - timedelta(seconds=15 * index),
        )
    # Pages of 500 up to a start index of 5000: the 5,500 newest are read
    # first. This one is an hour older than them: a bound written in UTC
    # (read at UTC+3) would stop two hours short of the oldest one read.
    oldest_read = newest - timedelta(seconds=15 * (READ_FIRST - 1))
    simulator.add_cdr_record(
        EXT_KITCHEN, "5559876", started=oldest_read - timedelta(hours=1, seconds=7)
    )
    simulator.clear_requests()

    calls = await async_history(
        hass,
        extension=EXT_KITCHEN,
        since=(now - timedelta(hours=30)).isoformat(),
        until=now.isoformat(),
    )

    assert [call["remote_number"] for call in calls] == ["5559876"]
    queries = cdr_queries(simulator)
    assert len({q["endDate"] for q in queries}) == 2  # narrowed once
    assert max(int(q.get("startIndex", "0")) for q in queries) <= 5000


# A PBX whose offset is learnt, and how far its periods are widened each side.
LEARNT_ZONES = pytest.mark.parametrize(
    ("zone", "margin"),
    [
        # Home Assistant's own zone: exact.
        ("US/Pacific", timedelta(0)),
        # Another one, fixed: an hour either side for daylight saving.
        ("Europe/Istanbul", timedelta(hours=1)),
    ],
)


@LEARNT_ZONES
async def test_once_the_offset_is_learnt_a_read_spans_minutes(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    setup_on: Any,
    zone: str,
    margin: timedelta,
) -> None:
    """The `published` of a fresh call teaches the PBX's offset."""
    longest = 2 * margin + timedelta(minutes=16)
    assert str(dt_util.get_default_time_zone()) == "US/Pacific"
    entry = await setup_on(time_zone=zone)
    [first] = cdr_queries(simulator)
    # Nothing taught the zone yet: 24 hours, widened by 14 on each side.
    assert span(first) == timedelta(hours=24 + 28)
    call_id = await simulator.incoming_call(EXT_OFFICE, "5551234", "John Doe")
    await entry.runtime_data.calls.async_refresh()
    await simulator.hangup_call(call_id)
    await async_history_refresh(hass, freezer)
    simulator.clear_requests()

    await async_history_refresh(hass, freezer)

    [query] = cdr_queries(simulator)
    assert set(dates(query)) == SAVE_KEYS
    assert timedelta(minutes=15) <= span(query) <= longest
    if zone == "US/Pacific":
        assert query["saveEndDate"] == local(dt_util.utcnow(), zone)
    assert missed(hass) == "1"


@LEARNT_ZONES
async def test_a_record_read_is_remembered_while_a_read_can_return_it(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    setup_on: Any,
    zone: str,
    margin: timedelta,
) -> None:
    """Ids of records read are kept while reads overlap them, not for a day.

    They are written to disk with the history: a busy PBX wrote 19 hours of
    them.
    """
    # The 10-minute overlap, the margin on each side, and 10 minutes more.
    kept = 2 * margin + timedelta(minutes=20)
    entry = await setup_on(time_zone=zone)
    reads = entry.runtime_data.history.reads
    call_id = await simulator.incoming_call(EXT_OFFICE, "5551234", "John Doe")
    await entry.runtime_data.calls.async_refresh()
    await simulator.hangup_call(call_id)
    saved = dt_util.utcnow()
    await async_history_refresh(hass, freezer)
    assert call_id in reads.to_store()
    assert reads.remember == kept

    # Read again while reads overlap the record, then kept `kept` longer.
    while call_id in reads.to_store():
        assert await async_history_refresh(hass, freezer) == "1"
        assert dt_util.utcnow() - saved <= 2 * kept + timedelta(minutes=10)
    assert dt_util.utcnow() - saved > kept
    assert await async_history_refresh(hass, freezer) == "1"


@LEARNT_ZONES
async def test_a_handled_call_is_kept_while_a_read_can_return_its_record(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
    simulator: VoipNowSimulator,
    setup_on: Any,
    zone: str,
    margin: timedelta,
) -> None:
    """A call that ended (not missed) is remembered while its record can come.

    No view of its record may count it as missed, but it was kept until 100
    such calls per extension had ended: a day of a busy PBX, in memory and
    on disk.
    """
    kept = 2 * margin + timedelta(minutes=20)
    entry = await setup_on(time_zone=zone)
    key = f"{DOMAIN}.history.{entry.entry_id}"
    call_id = await simulator.incoming_call(EXT_OFFICE, "5551234", "John Doe")
    await entry.runtime_data.calls.async_refresh()
    await simulator.answer_call(call_id)
    await entry.runtime_data.calls.async_refresh()
    await simulator.hangup_call(call_id)
    await entry.runtime_data.calls.async_refresh()
    await hass.async_block_till_done()
    ended = dt_util.utcnow()

    def handled() -> list[str]:
        """Return the handled calls the history file holds for the Office."""
        office = hass_storage[key]["data"]["extensions"][EXT_OFFICE]
        return [call["id"] for call in office["handled"]]

    async def async_reload() -> None:
        """Reload the entry: it writes its history as it unloads."""
        assert await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done()

    await async_history_refresh(hass, freezer)
    await async_reload()
    assert handled() == [call_id]
    # Kept across the reload, and for as long as reads may return its record.
    while dt_util.utcnow() - ended < kept:
        await async_reload()
        assert handled() == [call_id]
        assert await async_history_refresh(hass, freezer) == "0"
    await async_history_refresh(hass, freezer)
    await async_reload()
    assert handled() == []
    assert missed(hass) == "0"
