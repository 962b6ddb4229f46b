"""What the call-history actions do: clear the badges, read the CDR of a period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from homeassistant.util import dt as dt_util

from .actions import known_extension
from .call_records import HistoryCall
from .const import CallDirection, CallOutcome
from .errors import pbx_errors, validation_error
from .runtime import VoipNowRuntime

DEFAULT_PERIOD: Final = timedelta(hours=24)
MAX_LIMIT: Final = 200
# A period asked for lies in these bounds: each day costs PBX requests, and
# dates far off overflow the time arithmetic.
MAX_PERIOD: Final = timedelta(days=366)
EARLIEST: Final = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoryQuery:
    """Which finished calls `get_call_history` returns."""

    since: datetime | None = None
    until: datetime | None = None
    extension: str | None = None
    outcome: str = "any"
    direction: str = "any"
    limit: int = 20

    def wants(self, call: HistoryCall, extension: str | None) -> bool:
        """Tell whether a call answers the query."""
        if extension is not None and call.extension != extension:
            return False
        if self.direction != "any" and call.direction is not CallDirection(
            self.direction
        ):
            return False
        if self.outcome == "missed":
            return call.missed
        if self.outcome == "answered":
            return call.outcome is CallOutcome.ANSWERED
        return True


def _bounded(value: datetime | None, now: datetime) -> datetime | None:
    """Return a time of a period in UTC, or refuse one before 2000 or after tomorrow."""
    if value is None:
        return None
    try:
        utc = dt_util.as_utc(value)
    except OverflowError:
        utc = None
    latest = now + timedelta(days=1)
    if utc is None or not EARLIEST <= utc <= latest:
        raise validation_error(
            "period_out_of_range",
            value=str(value)[:64],
            earliest=EARLIEST.date().isoformat(),
            latest=latest.date().isoformat(),
        )
    return utc


def async_clear_missed_calls(runtime: VoipNowRuntime, extension: str | None) -> None:
    """Clear one extension's missed-call badge, or every extension's."""
    extensions = (
        [known_extension(runtime.calls, extension)]
        if extension is not None
        else list(runtime.calls.extensions)
    )
    runtime.history.async_clear(extensions)


async def async_get_call_history(
    runtime: VoipNowRuntime, query: HistoryQuery
) -> dict[str, Any]:
    """Read the CDR of a period: the calls that answer the query, newest first."""
    extension = (
        known_extension(runtime.calls, query.extension) if query.extension else None
    )
    now = dt_util.utcnow()
    until = _bounded(query.until, now) or now
    since = _bounded(query.since, now) or until - DEFAULT_PERIOD
    if since >= until:
        raise validation_error(
            "invalid_period", since=since.isoformat(), until=until.isoformat()
        )
    if until - since > MAX_PERIOD:
        raise validation_error(
            "period_too_long",
            since=since.isoformat(),
            until=until.isoformat(),
            days=str(MAX_PERIOD.days),
        )
    if not 1 <= query.limit <= MAX_LIMIT:
        raise validation_error(
            "invalid_field", field="limit", value=str(query.limit)[:64]
        )
    with pbx_errors(runtime.calls):
        calls = await runtime.history.async_read(since, until)
    found = sorted(
        (call for call in calls if query.wants(call, extension)),
        key=lambda call: call.started,
        reverse=True,
    )
    return {"calls": [call.as_dict() for call in found[: query.limit]]}
