"""Simulator tests: List CDR's period, filters, order, paging, errors and modes."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from aiohttp import ClientSession
import pytest

from voipnow_simulator import VoipNowSimulator

from .helpers import EXT1, EXT2, Api

CDR = "/uapi/cdr/@me"
EVER = {"startDate": "2000-01-01T00:00:00"}
UTC = ZoneInfo("UTC")
T0 = datetime(2024, 5, 6, 9, 0, tzinfo=UTC)


def seed(sim: VoipNowSimulator) -> list[str]:
    """Seed five calls a minute apart, oldest first; return their ids."""
    records = [
        sim.add_cdr_record(EXT1, "5551234", started=T0),
        sim.add_cdr_record(
            EXT1, "5551234", started=T0 + timedelta(minutes=1), disposition=1
        ),
        sim.add_cdr_record(
            EXT2,
            "+40215550100",
            direction="outgoing",
            started=T0 + timedelta(minutes=2),
            answered=T0 + timedelta(minutes=2, seconds=5),
        ),
        sim.add_cdr_record(EXT2, "210", started=T0 + timedelta(minutes=3)),
        sim.add_cdr_record(
            EXT1, "5559876", started=T0 + timedelta(minutes=4), disposition=2
        ),
    ]
    return [r.id for r in records]


async def listed(api: Api, **params: str) -> list[str]:
    """Return the ids a CDR query lists, in order (everything since 2000)."""
    reply = await api.get(CDR, params={**EVER, **params})
    assert reply.status == 200, reply.body
    return list(reply.body["entry"])


async def test_default_period_is_this_month(api: Api) -> None:
    """Without dates: from the first of this month (server's zone) until now."""
    sim = api.sim
    sim.time_zone = "Pacific/Kiritimati"
    zone = ZoneInfo("Pacific/Kiritimati")
    month = datetime.now(zone).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    before = sim.add_cdr_record(EXT1, "5551234", started=month - timedelta(seconds=1))
    first = sim.add_cdr_record(EXT1, "5551234", started=month.replace(tzinfo=None))
    future = sim.add_cdr_record(EXT1, "5551234", started=month + timedelta(days=40))
    call_id = await sim.incoming_call(EXT1)
    await sim.ring_out(call_id)
    assert list((await api.get(CDR)).body["entry"]) == [call_id, first.id]
    assert before.id in await listed(api)
    assert future.id not in await listed(api)


async def test_dates_with_and_without_zone(api: Api) -> None:
    """startDate/endDate bound `published`, inclusive; zone-less is server time."""
    sim = api.sim
    ids = seed(sim)
    span = {"startDate": "2024-05-06T09:01:00Z", "endDate": "2024-05-06T09:03:00Z"}
    assert await listed(api, **span) == ids[3:0:-1]
    span = {"startDate": "2024-05-06T12:01:00+03:00", "endDate": "2024-05-06T09:02:00"}
    sim.time_zone = "UTC"
    assert await listed(api, **span) == [ids[2], ids[1]]
    sim.time_zone = "Asia/Tokyo"
    assert await listed(api, endDate="2024-05-06T18:00:30") == [ids[0]]
    assert await listed(api, endDate="2024-05-06T18:00:00.000") == [ids[0]]


async def test_save_dates(api: Api) -> None:
    """saveStartDate/saveEndDate bound when the record was saved (the call ended)."""
    sim = api.sim
    ids = seed(sim)
    call_id = await sim.incoming_call(EXT1)
    await sim.hangup_call(call_id)
    saved = sim.cdr[-1].saved.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert await listed(api, saveStartDate=saved) == [call_id]
    assert await listed(api, saveEndDate="2024-05-06T09:02:05Z") == ids[2::-1]


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"startDate": "2024-05-06"}, "cdr_start_date_invalid"),
        ({"startDate": "yesterday"}, "cdr_start_date_invalid"),
        ({"endDate": "2024-13-06T09:00:00"}, "cdr_end_date_invalid"),
        ({"saveStartDate": "2024-05-06 09:00"}, "cdr_save_start_date_invalid"),
        ({"saveEndDate": "x"}, "cdr_save_end_date_invalid"),
        (
            {"startDate": "2024-05-07T00:00:00", "endDate": "2024-05-06T00:00:00"},
            "cdr_invalid_date_parameters",
        ),
        (
            {
                "saveStartDate": "2024-05-07T00:00:00Z",
                "saveEndDate": "2024-05-06T00:00:00Z",
            },
            "cdr_invalid_date_parameters",
        ),
        ({"source": "John"}, "cdr_source_invalid"),
        ({"destination": "@self"}, "cdr_destination_invalid"),
        ({"flow": "3"}, "cdr_flow_invalid"),
        ({"flow": "in"}, "cdr_flow_invalid"),
        ({"disposition": "6"}, "cdr_disposition_invalid"),
        ({"disposition": "-1"}, "cdr_disposition_invalid"),
        ({"count": "0"}, "count_invalid"),
        ({"count": "5001"}, "count_invalid"),
        ({"startIndex": "5001"}, "startindex_invalid"),
        ({"filterBy": "duration", "filterValue": "5"}, "filterby_invalid"),
        ({"filterBy": "source"}, "cdr_invalid_filter_by_source"),
        (
            {"filterBy": "destination", "filterValue": "x"},
            "cdr_invalid_filter_by_destination",
        ),
        (
            {"filterBy": "published", "filterValue": "today"},
            "cdr_invalid_filter_by_published",
        ),
        ({"filterBy": "answered"}, "cdr_invalid_filter_by_answered"),
        (
            {"filterBy": "source", "filterOp": "contains", "filterValue": "5"},
            "filterop_invalid",
        ),
        ({"sortOrder": "newest"}, "sortorder_invalid"),
    ],
)
async def test_bad_queries(api: Api, params: dict[str, str], code: str) -> None:
    """Each invalid parameter gets its documented 400 code."""
    reply = await api.get(CDR, params=params)
    assert (reply.status, reply.body["error"]["code"]) == (400, code)


async def test_party_flow_and_disposition_filters(api: Api) -> None:
    """A record matches when one of its views passes every view filter at once."""
    sim = api.sim
    ids = seed(sim)
    assert await listed(api, source="5551234") == [ids[1], ids[0]]
    assert await listed(api, destination="210") == [ids[4], ids[1], ids[0]]
    assert await listed(api, source="210") == [ids[3]]
    assert await listed(api, destination="+40215550100") == [ids[2]]
    assert await listed(api, source=EXT2) == [ids[2]]
    # The local call 210 -> 211 has a view for each: 211 is a party of both.
    assert await listed(api, destination=EXT2, flow="2") == [ids[3]]
    assert await listed(api, flow="8") == [ids[4], ids[1], ids[0]]
    assert await listed(api, flow="4") == [ids[2]]
    assert await listed(api, disposition="1") == [ids[1]]
    assert await listed(api, disposition="3", destination=EXT1) == [ids[0]]
    assert await listed(api, disposition="3", flow="4") == []
    assert await listed(api, source="5550000") == []


async def test_filter_by(api: Api) -> None:
    """A filterBy of source, destination, published or answered, and filterValue."""
    sim = api.sim
    ids = seed(sim)
    by = "filterBy"
    assert await listed(api, **{by: "source", "filterValue": "210"}) == [ids[3]]
    assert await listed(api, **{by: "destination", "filterValue": EXT2}) == [ids[3]]
    value = "2024-05-06T09:01:00Z"
    assert await listed(api, **{by: "published", "filterValue": value}) == [ids[1]]
    value = "2024-05-06T12:02:05+03:00"
    assert await listed(api, **{by: "answered", "filterValue": value}) == [ids[2]]
    assert await listed(
        api, **{by: "source", "filterOp": "equals", "filterValue": "210"}
    ) == [ids[3]]


async def test_order_paging_and_stats(api: Api) -> None:
    """Newest first by default; asc; pages; stats count the whole filtered set."""
    sim = api.sim
    ids = seed(sim)
    assert await listed(api) == ids[::-1]
    assert await listed(api, sortOrder="asc") == ids
    assert await listed(api, sortOrder="descending") == ids[::-1]
    reply = await api.get(CDR, params={**EVER, "count": "2", "startIndex": "2"})
    body = reply.body
    assert list(body["entry"]) == [ids[2], ids[1]]
    assert (body["totalResults"], body["startIndex"], body["itemsPerPage"]) == (5, 2, 2)
    assert "startIndex=4" in body["paging"]["next"]
    assert "startIndex=0" in body["paging"]["prev"]
    assert (body["filtered"], body["sorted"]) == (True, True)
    assert body["phoneCallStat"] == [
        {
            "type": 0,
            "total": 3,
            "unanswered": "1",
            "busy": "1",
            "failed": "1",
            "unknown": 0,
            "unallowed": 0,
            "answered": "0",
        },
        {
            "type": 1,
            "total": 2,
            "unanswered": "1",
            "busy": "0",
            "failed": "0",
            "unknown": 0,
            "unallowed": 0,
            "answered": "1",
        },
    ]
    sim.page_size = 1
    assert len((await api.get(CDR, params=EVER)).body["entry"]) == 1


async def test_sort_order_words(api: Api) -> None:
    """v5 pages write asc/desc, OpenSocial and 4PSA's client ascending/descending."""
    sim = api.sim
    seed(sim)
    for words, good, bad in (
        ("short", "asc", "ascending"),
        ("long", "descending", "desc"),
    ):
        sim.sort_order_words = words
        assert (await api.get(CDR, params={**EVER, "sortOrder": good})).status == 200
        reply = await api.get(CDR, params={**EVER, "sortOrder": bad})
        assert reply.body["error"]["code"] == "sortorder_invalid"


async def test_paths(api: Api) -> None:
    """v5 leaves the user out; 4PSA's client ends the path with /; users checked."""
    ids = seed(api.sim)
    for path in ("/uapi/cdr", "/uapi/cdr/", "/uapi/cdr/12", "/uapi/cdr/@viewer/"):
        reply = await api.get(path, params=EVER)
        assert list(reply.body["entry"]) == ids[::-1], path
    reply = await api.get("/uapi/cdr/99", params=EVER)
    assert reply.body["error"]["code"] == "user_invalid"


async def test_entry_parties_order_and_quirks_modes(api: Api) -> None:
    """cdr_entry, cdr_parties, cdr_sort_default and quirks change the answer."""
    sim = api.sim
    ids = seed(sim)
    sim.set_modes(cdr_entry="list", cdr_parties="list", cdr_sort_default="asc")
    body = (await api.get(CDR, params=EVER)).body
    assert [item["id"] for item in body["entry"]] == ids
    view = body["entry"][0]["phoneCallView"][0]
    assert (view["source"], view["destination"]) == (["5551234"], [EXT1])
    sim.set_modes(cdr_entry="object", cdr_parties="string", quirks=True)
    body = (await api.get(CDR, params=EVER)).body
    view = body["entry"][ids[0]]["phoneCallView"][0]
    assert (view["flow"], view["disposition"], view["callerID"]) == (8, 3, "<5551234>")
    assert body["entry"][ids[0]]["published"] == "2024-05-06T09:00:00Z"
    assert body["phoneCallStat"][0]["answered"] == 0
    assert body["phoneCallStat"][1]["unanswered"] == 1


async def test_answered_date_mode(api: Api) -> None:
    """cdr_date_field="answered": the dates bound answers; unanswered calls vanish."""
    sim = api.sim
    ids = seed(sim)
    sim.cdr_date_field = "answered"
    assert await listed(api) == [ids[2]]
    assert await listed(api, startDate="2024-05-06T09:02:01Z") == [ids[2]]
    assert await listed(api, endDate="2024-05-06T09:02:04Z") == []


@pytest.mark.parametrize(
    ("status", "code"), [(404, "not_found"), (501, "request_not_implemented")]
)
async def test_pbx_without_cdr(api: Api, status: int, code: str) -> None:
    """cdr_available=False: the route answers 404 (default) or 501."""
    sim = api.sim
    sim.set_modes(cdr_available=False, cdr_missing_status=status)
    for path in (CDR, "/uapi/cdr"):
        reply = await api.get(path)
        assert (reply.status, reply.body["error"]["code"]) == (status, code)
    call_id = await sim.incoming_call(EXT1)
    await sim.hangup_call(call_id)
    # The PBX still keeps its history; only the API does not serve it.
    assert [r.id for r in sim.cdr] == [call_id]
    assert len(sim.api_requests("GET", "/uapi/cdr")) == 2


async def test_modes_from_constructor(http: ClientSession) -> None:
    """Every CDR mode is a constructor keyword, validated."""
    sim = VoipNowSimulator(
        cdr_available=False,
        cdr_missing_status=501,
        cdr_entry="list",
        cdr_parties="list",
        cdr_sort_default="asc",
        cdr_date_field="answered",
        sort_order_words="short",
    )
    assert (sim.cdr_available, sim.cdr_missing_status, sim.cdr_entry) == (
        False,
        501,
        "list",
    )
    assert (sim.cdr_parties, sim.cdr_sort_default, sim.cdr_date_field) == (
        "list",
        "asc",
        "answered",
    )
    for bad in (
        {"cdr_missing_status": 500},
        {"cdr_entry": "dict"},
        {"cdr_available": "no"},
        {"cdr_date_field": "ended"},
        {"sort_order_words": "both"},
    ):
        with pytest.raises((ValueError, TypeError)):
            VoipNowSimulator(**bad)
