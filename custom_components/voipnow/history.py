"""Call history from VoipNow's CDR: missed-call badges and each extension's last call.

One CDR request (paged when needed) covers every extension of the entry. It
runs every 5 minutes, and shortly after a call of the entry ends (a burst of
ended calls makes one request). The missed-call counts are kept across
restarts; at startup the CDR since the last sync brings in the calls missed
while Home Assistant was away. Each call counts once, whether it was learnt
from a call event or from the CDR.
"""

from __future__ import annotations

import asyncio
from bisect import insort
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.debounce import Debouncer
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.storage import Store
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from .api import VoipNowClient
from .call_event import signal_entry_call_event
from .call_records import HistoryCall, event_call, history_calls, same_call
from .const import DOMAIN, LOGGER
from .errors import update_errors
from .history_reads import NewRecords
from .refusals import refusals

HISTORY_INTERVAL: Final = timedelta(minutes=5)
# After a call ends, the CDR is read once the burst is over (and the PBX has
# written its record).
AFTER_CALL_DELAY: Final = 15.0
# Reads of the CDR an action may run at once per entry; others wait.
MAX_PARALLEL_READS: Final = 2
# What changed is written at most this long after (a busy PBX changes it
# every minute, and it holds up to 100 missed calls per extension).
SAVE_DELAY: Final = 300.0
# Missed calls remembered per extension (the count goes on beyond them).
MAX_REMEMBERED: Final = 100
STORE_VERSION: Final = 1


def _started(call: HistoryCall) -> datetime:
    """When a call started: what missed calls are ordered by."""
    return call.started


@dataclass(slots=True)
class ExtensionHistory:
    """What one extension's history shows: its missed calls and its last call."""

    cleared: datetime
    # In the order the calls started.
    missed: list[HistoryCall] = field(default_factory=list)
    # Missed calls counted beyond those remembered.
    overflow: int = 0
    last_call: HistoryCall | None = None
    # Calls whose event said `ended`, not `missed` (answered here or
    # elsewhere, sent on by Home Assistant, or made from here), and when it
    # came: no view of their CDR record makes them missed.
    handled: list[tuple[datetime, HistoryCall]] = field(default_factory=list)

    @property
    def missed_count(self) -> int:
        """How many incoming calls nobody answered since the badge was cleared."""
        return self.overflow + len(self.missed)

    @property
    def last_missed(self) -> HistoryCall | None:
        """The most recent missed call, if any is remembered."""
        # Kept in the order the calls started: read on every update of
        # every missed-calls sensor.
        return self.missed[-1] if self.missed else None

    def take(
        self, call: HistoryCall, *, from_cdr: bool, at: datetime | None = None
    ) -> None:
        """Count a finished call once; the CDR corrects what events guessed.

        `at` is when a call's event came (the call is handled if it said
        `ended`).
        """
        if call.handled:
            # Whatever its direction: the CDR may show another view of it
            # (a transfer makes the rung phone the caller of the next leg).
            self.handled = [
                *self.handled[1 - MAX_REMEMBERED :],
                (at or call.started, call),
            ]
        elif from_cdr and any(same_call(done, call) for _, done in self.handled):
            call = replace(call, handled=True)
        if self.last_call is None or call.started >= self.last_call.started:
            self.last_call = call
        known = next((m for m in self.missed if same_call(m, call)), None)
        if known is not None:
            self.missed.remove(known)
            if call.missed or not from_cdr:
                insort(self.missed, call if from_cdr else known, key=_started)
            return
        # Records are dated to the second: a call of the second the badge
        # was cleared in counts.
        if call.missed and call.started >= self.cleared.replace(microsecond=0):
            insort(self.missed, call, key=_started)
            while len(self.missed) > MAX_REMEMBERED:
                self.missed.pop(0)
                self.overflow += 1


type HistoryData = Mapping[str, ExtensionHistory]


class VoipNowHistory(DataUpdateCoordinator[HistoryData]):
    """Read the CDR and keep each extension's missed calls and last call."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        client: VoipNowClient,
        extensions: Callable[[], Iterable[str]],
        name_of: Callable[[str | None], str | None] = lambda number: None,
    ) -> None:
        """Set up the history of an entry; nothing is read yet."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} history {client.host}",
            update_interval=HISTORY_INTERVAL,
            request_refresh_debouncer=Debouncer(
                hass, LOGGER, cooldown=AFTER_CALL_DELAY, immediate=False
            ),
            always_update=False,
        )
        self.client = client
        self._extensions = extensions
        self._name_of = name_of
        self._store: Store[dict[str, Any]] = Store(
            hass, STORE_VERSION, _store_key(entry.entry_id)
        )
        self._histories: dict[str, ExtensionHistory] = {}
        self._synced: datetime | None = None
        # What reads the new records (and how this entry's PBX takes it).
        self.reads = NewRecords(client)
        self._started = dt_util.utcnow()
        # Extensions whose history changed since entities last saw it.
        self._changed: set[str] = set()
        self._show: asyncio.Handle | None = None
        self._reads = asyncio.Semaphore(MAX_PARALLEL_READS)
        entry.async_on_unload(self._async_cancel_show)
        # Written before the entry unloads: a reload reads it back at once,
        # and a removed entry's file must not be written again afterwards.
        entry.async_on_unload(self._async_write_now)
        self._unsaved = False

    async def async_load(self) -> None:
        """Read what was kept across restarts; listen to the entry's call events."""
        stored = await self._store.async_load() or {}
        self._synced = _parse(stored.get("synced"))
        self.reads.load(stored.get("read"))
        for number, data in (stored.get("extensions") or {}).items():
            history = ExtensionHistory(
                cleared=_parse(data.get("cleared")) or self._started,
                overflow=int(data.get("overflow") or 0),
                last_call=HistoryCall.from_store(data.get("last_call") or {}),
            )
            history.missed = sorted(
                (
                    call
                    for item in data.get("missed") or []
                    if (call := HistoryCall.from_store(item)) is not None
                ),
                key=_started,
            )
            history.handled = [
                (_parse(item.get("at")) or self._started, replace(call, handled=True))
                for item in data.get("handled") or []
                if isinstance(item, dict)
                and (call := HistoryCall.from_store(item)) is not None
            ]
            self._histories[number] = history
        if self.config_entry is not None:
            # The integration's own signal: a `voipnow_call_event` fired on
            # the bus by someone else counts nothing.
            self.config_entry.async_on_unload(
                async_dispatcher_connect(
                    self.hass,
                    signal_entry_call_event(self.config_entry.entry_id),
                    self._async_on_call_event,
                )
            )

    def _history(self, extension: str) -> ExtensionHistory:
        """Return (or start) one extension's history; it counts from now on."""
        if extension not in self._histories:
            self._histories[extension] = ExtensionHistory(cleared=self._started)
        return self._histories[extension]

    async def _async_update_data(self) -> HistoryData:
        """Read the CDR since the last sync and count what it shows."""
        now = dt_util.utcnow()
        extensions = list(self._extensions())
        with (
            update_errors("history_failed"),
            refusals(self, ("call_records",), HISTORY_INTERVAL),
        ):
            records = await self.reads.async_read(self._synced, now)
        for call in sorted(
            history_calls(records, extensions, self._name_of),
            key=lambda call: call.started,
        ):
            self._history(call.extension).take(call, from_cdr=True)
        self._synced = now
        # A handled call is kept while a read can return its record (it was
        # written when the call ended, before its event came).
        oldest = now - self.reads.remember
        for history in self._histories.values():
            if history.handled and history.handled[0][0] < oldest:
                history.handled = [
                    (at, call) for at, call in history.handled if at >= oldest
                ]
        self._async_save()
        return self._snapshot(extensions)

    def _snapshot(self, extensions: Iterable[str]) -> dict[str, ExtensionHistory]:
        """Return copies of the histories, for entities to compare and read."""
        snapshot: dict[str, ExtensionHistory] = {}
        for number in extensions:
            history = self._history(number)
            snapshot[number] = ExtensionHistory(
                cleared=history.cleared,
                missed=list(history.missed),
                overflow=history.overflow,
                last_call=history.last_call,
            )
        return snapshot

    @callback
    def _async_on_call_event(self, data: Mapping[str, Any]) -> None:
        """Count a call that ended now, and read the CDR once the burst is over."""
        if data.get("type") not in ("ended", "missed"):
            return
        call = event_call(data)
        if call is None:
            return
        self._history(call.extension).take(call, from_cdr=False, at=dt_util.utcnow())
        self._async_save()
        # A poll can end hundreds of calls at once: they show together, on
        # the next turn of the loop, and ask for one read of the CDR.
        self._changed.add(call.extension)
        if self._show is None:
            self._show = self.hass.loop.call_soon(self._async_show_ended)

    @callback
    def _async_show_ended(self) -> None:
        """Show the calls that just ended, then read the CDR once the burst is over."""
        self._show = None
        self._async_show(self._changed)
        self._changed = set()
        self.hass.async_create_task(self.async_request_refresh(), eager_start=True)

    @callback
    def _async_cancel_show(self) -> None:
        """Drop a pending show: the entry is unloading."""
        if self._show is not None:
            self._show.cancel()
            self._show = None

    @callback
    def _async_show(self, extensions: Iterable[str]) -> None:
        """Show what changed now, without moving the next read of the CDR.

        Only the changed extensions are copied. (`async_set_updated_data`
        would cancel the read a finished call asked for, and put the next one
        off by five minutes.)
        """
        if self.data is not None:
            changed = [number for number in extensions if number in self.data]
            self.data = {**self.data, **self._snapshot(changed)}
            self.async_update_listeners()

    @callback
    def async_clear(self, extensions: Iterable[str]) -> None:
        """Clear the missed-call badges of some extensions, as a phone does."""
        now = dt_util.utcnow()
        extensions = list(extensions)
        for extension in extensions:
            history = self._history(extension)
            history.cleared = now
            history.missed.clear()
            history.overflow = 0
        # What the user did is written at once.
        self._async_save(delay=0)
        self._async_show(extensions)

    async def async_read(self, since: datetime, until: datetime) -> list[HistoryCall]:
        """Read the CDR of a period for the `get_call_history` action.

        At most `MAX_PARALLEL_READS` run at once; the others wait their turn.
        """
        async with self._reads:
            records = await self.client.async_list_call_records(
                since=since, until=until
            )
        return history_calls(records, self._extensions(), self._name_of)

    def as_diagnostics(self) -> dict[str, Any]:
        """Describe the history without who called."""
        return {
            "last_update_success": self.last_update_success,
            "synced": self._synced.isoformat() if self._synced else None,
            "by_save_dates": self.reads.by_save,
            "missed_counts": {
                number: history.missed_count
                for number, history in self._histories.items()
            },
        }

    @callback
    def _async_save(self, delay: float = SAVE_DELAY) -> None:
        """Keep the counts across restarts: written at most `delay` later.

        The first change after a write asks for the next one; later changes
        join it (asking again would put it off while calls keep ending), or
        bring it forward. Home Assistant writes a pending one when it stops,
        and an unloading entry writes at once. The calls a crash loses, the
        CDR since the last sync written brings back.
        """
        if not self._unsaved or delay < SAVE_DELAY:
            self._unsaved = True
            self._store.async_delay_save(self._to_store_pending, delay)

    def _to_store_pending(self) -> dict[str, Any]:
        """Return what is kept, as the delayed write takes it."""
        self._unsaved = False
        return self._to_store()

    async def _async_write_now(self) -> None:
        """Write what waits to be written (the entry unloads)."""
        if self._unsaved:
            await self._store.async_save(self._to_store_pending())

    def _to_store(self) -> dict[str, Any]:
        """Return what is kept across restarts."""
        return {
            "synced": self._synced.isoformat() if self._synced else None,
            "read": self.reads.to_store(),
            "extensions": {
                number: {
                    "cleared": history.cleared.isoformat(),
                    "overflow": history.overflow,
                    "missed": [call.to_store() for call in history.missed],
                    "handled": [
                        {**call.to_store(), "at": at.isoformat()}
                        for at, call in history.handled
                    ],
                    "last_call": history.last_call.to_store()
                    if history.last_call
                    else None,
                }
                for number, history in self._histories.items()
            },
        }


async def async_remove_history(hass: HomeAssistant, entry_id: str) -> None:
    """Forget the history kept for an entry that is removed."""
    await Store[dict[str, Any]](
        hass, STORE_VERSION, _store_key(entry_id)
    ).async_remove()


def _store_key(entry_id: str) -> str:
    """Name the file that keeps one entry's history."""
    return f"{DOMAIN}.history.{entry_id}"


def _parse(value: Any) -> datetime | None:
    """Read a kept time."""
    return dt_util.parse_datetime(value) if isinstance(value, str) else None
