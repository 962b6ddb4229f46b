"""The periodic read of the CDR: the records written since the last sync, each once.

A record is written when its call ends, so it is read by its save date
(`saveStartDate`/`saveEndDate`): a call that began long before the last read
is still among the new records. A PBX that refuses the save dates (or ignores
them) is read by the calls' dates instead, `START_OVERLAP` back; that choice
is kept for the entry until it is reloaded.

Periods are read a little wider than asked (the PBX's zone may be uncertain),
so the same record can come back: ids read recently are remembered, and a
record is handed on only the first time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Final

from .api import PhoneCall, VoipNowClient, VoipNowSaveDatesRefusedError
from .const import LOGGER

# Each sync reads the records saved since the last one, and again this far
# back: records can be written late.
OVERLAP: Final = timedelta(minutes=10)
# A PBX that refuses the save dates is read by the calls' dates: a call is
# read if it began at most this long before the last read.
START_OVERLAP: Final = timedelta(hours=4)
# However long Home Assistant was away, one sync reads at most this much.
MAX_WINDOW: Final = timedelta(days=31)
# The first sync of an entry reads back this far, for each extension's last
# call (its missed calls count from the entry's first day on).
FIRST_LOOKBACK: Final = timedelta(hours=24)
# A record read at one sync comes back while later reads start before it:
# for their overlap, and twice the margin of the PBX's zone (a period is
# widened by it at both ends); a little longer, for reads that run late.
REMEMBER_SLACK: Final = timedelta(minutes=10)


class NewRecords:
    """Read the records the CDR wrote since the last sync, each once."""

    def __init__(self, client: VoipNowClient) -> None:
        """Read through `client`; save dates first."""
        self.client = client
        # False once this entry's PBX refused the save dates (until a reload).
        self.by_save = True
        # Ids of the records read lately, and when (a POSIX time).
        self._read: dict[str, float] = {}

    def load(self, stored: Any) -> None:
        """Take back the ids read before a restart."""
        if isinstance(stored, dict):
            self._read = {
                str(key): float(value)
                for key, value in stored.items()
                if isinstance(value, int | float)
            }

    def to_store(self) -> dict[str, float]:
        """Return the ids read lately, to keep across restarts."""
        return dict(self._read)

    async def async_read(
        self, synced: datetime | None, now: datetime
    ) -> list[PhoneCall]:
        """Return the records written since `synced` that were not read yet."""
        records = await self._async_read(synced, now)
        if synced is not None:
            oldest = (synced - self.remember).timestamp()
            self._read = {key: at for key, at in self._read.items() if at >= oldest}
        new = [record for record in records if record.id not in self._read]
        stamp = now.timestamp()
        self._read.update((record.id, stamp) for record in records if record.id)
        return new

    @property
    def remember(self) -> timedelta:
        """How long the id of a record read is kept: while a read may return it."""
        overlap = OVERLAP if self.by_save else START_OVERLAP
        return overlap + 2 * self.client.cdr_margin + REMEMBER_SLACK

    async def _async_read(
        self, synced: datetime | None, now: datetime
    ) -> list[PhoneCall]:
        """Read by save date, or by start date from a PBX that refuses them."""
        if self.by_save:
            try:
                return await self.client.async_list_call_records(
                    since=_since(synced, now, OVERLAP), until=now, by_save=True
                )
            except VoipNowSaveDatesRefusedError as err:
                LOGGER.info("The CDR refuses save dates (%s): reading by start", err)
                self.by_save = False
        return await self.client.async_list_call_records(
            since=_since(synced, now, START_OVERLAP), until=now
        )


def _since(synced: datetime | None, now: datetime, overlap: timedelta) -> datetime:
    """Return where a read of new records starts."""
    start = synced - overlap if synced else now - FIRST_LOOKBACK
    return max(start, now - MAX_WINDOW)
