"""The PBX's clock: which zone its query dates are read in, learnt from its own dates.

The CDR takes its dates as local times without a zone (4PSA's own client
sends them so), read in the PBX's zone, which nothing in the API names.
Until the PBX writes a date with its offset (`2012-06-27T16:08:55+03:00`),
a period is widened by the largest gap between two zones. A date written
with `Z` names no local zone (a server may write UTC whatever zone it
runs in), and a zone-less one none at all: neither teaches anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone, tzinfo
import re
from typing import Any, Final

from . import requests

# Any server's local time is within this of any other zone's.
ZONE_MARGIN: Final = timedelta(hours=14)
# A learnt fixed offset may be off by a daylight-saving change since.
DST_MARGIN: Final = timedelta(hours=1)
# Only dates this close to now teach the offset (an older one may predate
# a daylight-saving change).
FRESH: Final = timedelta(hours=24)
# A date and time with a numeric offset (`Z` and zone-less dates do not match).
_ZONED: Final = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?[+-]\d\d:\d\d")


class PbxClock:
    """Write the CDR's query dates in the PBX's zone, once its offset is known."""

    def __init__(self, assumed: tzinfo) -> None:
        """Start from `assumed` (Home Assistant's zone), widened by ZONE_MARGIN."""
        self._assumed = assumed
        # The offset the PBX writes its dates with, and when it was seen.
        self.offset: timedelta | None = None
        self._seen: datetime | None = None

    def learn(self, values: Iterable[Any], now: datetime | None = None) -> None:
        """Learn the PBX's offset from the freshest zoned date among `values`."""
        now = now or datetime.now(UTC)
        freshest: datetime | None = None
        for value in values:
            if not isinstance(value, str) or not _ZONED.fullmatch(value.strip()):
                continue
            try:
                moment = datetime.fromisoformat(value.strip())
            except ValueError:
                continue
            if abs(moment - now) <= FRESH and (freshest is None or moment > freshest):
                freshest = moment
        if freshest is not None and (self._seen is None or freshest >= self._seen):
            self.offset = freshest.utcoffset()
            self._seen = freshest

    def _follows_assumed(self) -> bool:
        """Tell whether the PBX's offset is that of the assumed zone, when seen."""
        return (
            self._seen is not None
            and self._seen.astimezone(self._assumed).utcoffset() == self.offset
        )

    @property
    def zone(self) -> tzinfo:
        """Return the zone the PBX reads query dates in (as far as known)."""
        if self.offset is None or self._follows_assumed():
            # Home Assistant's own zone follows daylight saving.
            return self._assumed
        return timezone(self.offset)

    @property
    def margin(self) -> timedelta:
        """Return how far off `zone` may be."""
        if self.offset is None:
            return ZONE_MARGIN
        return timedelta(0) if self._follows_assumed() else DST_MARGIN

    def period(
        self,
        since: datetime,
        until: datetime,
        keys: tuple[str, str] = requests.PERIOD_KEYS,
    ) -> dict[str, str]:
        """Build a CDR period that covers `since` to `until` in the PBX's clock."""
        return requests.period(since, until, self.zone, self.margin, keys)
