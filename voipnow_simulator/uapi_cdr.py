"""UnifiedAPI CDR service: the call history, filtered, sorted, paged, with stats."""

from __future__ import annotations

from collections.abc import Callable
import contextlib
from datetime import UTC, datetime
import re
from typing import Any

from aiohttp import web
from multidict import MultiMapping

from .cdr import (
    DISPOSITIONS,
    CdrRecord,
    CdrView,
    in_server_zone,
    phone_call_stats,
    server_zone,
)
from .model import FLOW_IN, FLOW_LOCAL, FLOW_OUT, ApiError, is_valid_number, now
from .modes import Modes
from .responses import error_response, json_response
from .uapi import MAX_COUNT, UapiHandlers, sort_order

# XML Schema dateTime, with or without a zone (zone-less: server local time).
DATE_RE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?")
FLOWS = (FLOW_LOCAL, FLOW_OUT, FLOW_IN)
FILTER_BY = ("source", "destination", "published", "answered")
MISSING_SERVICE = {
    404: ("not_found", "No resource at this path"),
    501: ("request_not_implemented", "The operation is not implemented"),
}
ViewTest = Callable[[CdrView], bool]


def _date(
    query: MultiMapping[str], key: str, code: str, modes: Modes
) -> datetime | None:
    """Return a date parameter (None if absent), else the documented 400."""
    raw = query.get(key)
    if raw is None:
        return None
    value = None
    if DATE_RE.fullmatch(raw):
        with contextlib.suppress(ValueError):
            value = datetime.fromisoformat(raw)
    if value is None:
        raise ApiError(
            400,
            code,
            f"The {key} parameter is invalid."
            " The format should be ISO 8601 YYYY-MM-DDThh:mm:ss.",
        )
    return in_server_zone(value, modes)


def _check_order(low: datetime | None, high: datetime | None) -> None:
    """Refuse a start date after the end date."""
    if low is not None and high is not None and low > high:
        raise ApiError(
            400,
            "cdr_invalid_date_parameters",
            "The start date parameter is greater than end date parameter.",
        )


def _published(record: CdrRecord) -> datetime:
    """Return what records are sorted by."""
    return record.published


def _party_test(field: str, number: str) -> ViewTest:
    """Return the test that a view's ``source`` or ``destination`` is ``number``."""
    return lambda view: bool(getattr(view, field) == number)


def _choice(raw: str | None, allowed: Any, code: str) -> int | None:
    """Return a numeric parameter among ``allowed`` (None if absent), else ``code``."""
    if raw is None:
        return None
    if not raw.isdigit() or int(raw) not in allowed:
        raise ApiError(400, code, f"The parameter value {raw!r} is invalid.")
    return int(raw)


class CdrApi(UapiHandlers):
    """``GET /uapi/cdr[/{userId}]``: List CDR."""

    def add_routes(self, router: web.UrlDispatcher) -> None:
        """Register the CDR routes: v5 may leave out the user, 4PSA's client adds /."""
        for path in (
            "/uapi/cdr",
            "/uapi/cdr/",
            "/uapi/cdr/{user}",
            "/uapi/cdr/{user}/",
        ):
            router.add_get(path, self.list_cdr)

    async def list_cdr(self, request: web.Request) -> web.Response:
        """List the user's call records of a period, with per-type stats."""
        sim = self.sim
        modes = sim.modes
        if not modes.cdr_available:
            code, message = MISSING_SERVICE[modes.cdr_missing_status]
            return error_response(modes.cdr_missing_status, code, message)
        if "user" in request.match_info:
            self.check_user(request)
            if request.match_info["user"] == "@me" and not modes.cdr_me:
                raise ApiError(400, "user_invalid", "Unknown user '@me'")
        start_index = request.query.get("startIndex", "0")
        if start_index.isdigit() and int(start_index) > MAX_COUNT:
            raise ApiError(400, "startindex_invalid", "startIndex must be 0..5000")
        wanted = self._record_test(request.query)
        order = sort_order(request, modes.sort_order_words) or modes.cdr_sort_default
        # Always by `published` (List CDR); equal dates in the order they
        # ended (the sort is stable), the other way round when descending.
        records = sorted((r for r in sim.pbx.cdr if wanted(r)), key=_published)
        if order == "desc":
            records.reverse()
        body = sim._page(request, records, self.record_json)
        # Every listing is restricted to a period (by default the current
        # month) and ordered by `published`.
        body["filtered"] = body["sorted"] = True
        body["phoneCallStat"] = phone_call_stats(records, modes.quirks)
        if modes.cdr_entry == "object":
            body["entry"] = {item["id"]: item for item in body["entry"]}
        return json_response(body)

    def _period(self, query: MultiMapping[str]) -> tuple[datetime, datetime] | None:
        """Return the period asked (startDate, endDate), by default this month.

        Without dates: from the first day of the month, server time, until
        now (4PSA's client documents these defaults); save dates alone
        bound the period by themselves.
        """
        modes = self.sim.modes
        start = _date(query, "startDate", "cdr_start_date_invalid", modes)
        end = _date(query, "endDate", "cdr_end_date_invalid", modes)
        _check_order(start, end)
        saved_only = modes.cdr_save_dates == "filtered" and (
            "saveStartDate" in query or "saveEndDate" in query
        )
        if start is None and end is None and saved_only:
            return None
        if start is None:
            local = now().astimezone(server_zone(modes))
            start = local.replace(day=1, hour=0, minute=0, second=0)
        return start, end or now()

    def _saved(self, query: MultiMapping[str]) -> tuple[datetime, datetime]:
        """Return the save period asked (saveStartDate, saveEndDate)."""
        modes = self.sim.modes
        if modes.cdr_save_dates == "refused" and "saveStartDate" in query:
            raise ApiError(
                400, "cdr_save_start_date_invalid", "The saveStartDate is invalid."
            )
        low = _date(query, "saveStartDate", "cdr_save_start_date_invalid", modes)
        high = _date(query, "saveEndDate", "cdr_save_end_date_invalid", modes)
        _check_order(low, high)
        if modes.cdr_save_dates == "ignored":
            low = high = None
        return (
            low or datetime.min.replace(tzinfo=UTC),
            high or datetime.max.replace(tzinfo=UTC),
        )

    def _record_test(self, query: MultiMapping[str]) -> Callable[[CdrRecord], bool]:
        """Validate the query and return the test a record must pass."""
        modes = self.sim.modes
        if query.get("filterOp", "equals") != "equals":
            # List CDR documents no filterOp: only the default is taken.
            raise ApiError(400, "filterop_invalid", "Parameter filterOp is invalid.")
        period = self._period(query)
        save_start, save_end = self._saved(query)
        views = self._view_tests(query)
        by = query.get("filterBy")
        record_tests: list[Callable[[CdrRecord], bool]] = []
        if by in ("published", "answered"):
            value = _date(query, "filterValue", f"cdr_invalid_filter_by_{by}", modes)
            if value is None:
                raise ApiError(
                    400, f"cdr_invalid_filter_by_{by}", "filterValue missing"
                )
            record_tests.append(lambda r: getattr(r, by) == value)

        def test(record: CdrRecord) -> bool:
            """Tell whether a record is in the period and passes every filter."""
            # The pages say the dates are the answered date; by default the
            # simulator bounds `published` (see the `cdr_date_field` mode).
            date = getattr(record, modes.cdr_date_field)
            if period and (date is None or not period[0] <= date <= period[1]):
                return False
            if not save_start <= record.saved <= save_end:
                return False
            if not all(check(record) for check in record_tests):
                return False
            # One view must pass every view filter (its own party, flow...).
            return not views or any(
                all(check(view) for check in views) for view in record.views
            )

        return test

    def _view_tests(self, query: MultiMapping[str]) -> list[ViewTest]:
        """Return the tests of source, destination, flow and disposition."""
        tests: list[ViewTest] = []
        by = query.get("filterBy")
        if by is not None and by not in FILTER_BY:
            raise ApiError(400, "filterby_invalid", "Parameter filterBy is invalid.")
        wanted = [
            (query.get("source"), "source", "cdr_source_invalid"),
            (query.get("destination"), "destination", "cdr_destination_invalid"),
        ]
        if by in ("source", "destination"):
            code = f"cdr_invalid_filter_by_{by}"
            wanted.append((query.get("filterValue", ""), by, code))
        for raw, field, code in wanted:
            if raw is None:
                continue
            if not is_valid_number(raw.strip()):
                raise ApiError(400, code, f"The {field} parameter is invalid.")
            tests.append(_party_test(field, self.sim.pbx.normalize(raw)))
        flow = _choice(query.get("flow"), FLOWS, "cdr_flow_invalid")
        if flow is not None:
            tests.append(lambda v: v.flow == flow)
        disposition = _choice(
            query.get("disposition"), DISPOSITIONS, "cdr_disposition_invalid"
        )
        if disposition is not None:
            tests.append(lambda v: v.disposition == disposition)
        return tests

    def record_json(self, record: CdrRecord) -> dict[str, Any]:
        """Return a record as the CDR service writes it (null fields omitted)."""
        sim, render = self.sim, self.sim.render
        data: dict[str, Any] = {
            "id": record.id,
            "extension": record.extension,
            "ownerId": sim.user_id,
            "published": render.ts(record.published),
        }
        if record.answered is not None:
            data["answered"] = render.ts(record.answered)
        listed = sim.modes.cdr_parties == "list"
        data["phoneCallView"] = [
            {
                "id": f"{index:02d}",
                **(
                    {"extension": view.extension}
                    if sim.modes.cdr_view_extension
                    else {}
                ),
                "source": [view.source] if listed else view.source,
                "destination": [view.destination] if listed else view.destination,
                "callerID" if sim.quirks else "callerId": view.caller_id,
                "flow": render.num(view.flow),
                "disposition": render.num(view.disposition),
            }
            for index, view in enumerate(record.views)
        ]
        return data
