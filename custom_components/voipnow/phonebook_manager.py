"""One entry's phonebook: the options, a vCard file and a CardDAV address book.

The names of all three sources go into one index (the options win a number,
then the file, then the address book). Everything that blocks (parsing
numbers with libphonenumber's metadata, reading the file) runs in the
executor; a source that fails keeps its last good entries and raises a
repair issue. The file is checked at most once a minute, the address book
synced every 6 hours and by `voipnow.reload_phonebook`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.event import async_track_time_interval

from .const import CONF_CARDDAV, CONF_PHONEBOOK, CONF_PHONEBOOK_FILE, DOMAIN, LOGGER
from .errors import validation_error
from .issues import async_delete_issue, async_set_issue
from .phonebook.carddav import CardDavAuthError, CardDavClient, CardDavError
from .phonebook.file import FileStamp, PhonebookFileError, read_file, stamp
from .phonebook.index import (
    PhonebookEntry,
    PhonebookIndex,
    PhonebookSource,
    build_index,
)
from .phonebook.numbers import clean_number, warm_metadata
from .phonebook.vcard import parse_vcards

FILE_CHECK_INTERVAL: Final = timedelta(minutes=1)
CARDDAV_SYNC_INTERVAL: Final = timedelta(hours=6)
ISSUE_FILE: Final = "phonebook_file"
ISSUE_CARDDAV_AUTH: Final = "carddav_auth"


def options_entries(options: Any) -> list[PhonebookEntry]:
    """Read the entries the options flow stored."""
    return [
        PhonebookEntry(str(item["name"]), str(item["number"]), PhonebookSource.OPTIONS)
        for item in options.get(CONF_PHONEBOOK, ())
        if isinstance(item, dict) and item.get("name") and item.get("number")
    ]


def card_entries(texts: list[str], source: PhonebookSource) -> list[PhonebookEntry]:
    """Turn vCard texts into entries: one per number of each card."""
    return [
        PhonebookEntry(card.name, number, source)
        for text in texts
        for card in parse_vcards(text)
        for number in card.numbers
    ]


class VoipNowPhonebook:
    """Names for numbers, from every source of one entry."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry) -> None:
        """Set up an empty phonebook; `async_setup` reads the sources."""
        self.hass = hass
        self.entry = entry
        self.index = PhonebookIndex()
        self.region: str | None = hass.config.country
        self._options = options_entries(entry.options)
        self._file_path: str | None = entry.options.get(CONF_PHONEBOOK_FILE) or None
        self._file: list[PhonebookEntry] = []
        self._file_stamp: FileStamp | None = None
        self._carddav: list[PhonebookEntry] = []
        self._carddav_synced: datetime | None = None
        self._listeners: list[CALLBACK_TYPE] = []

    def name_of(self, number: str | None) -> str | None:
        """Return the phonebook's name of a number in any format (one dict read).

        The index is swapped whole when it is rebuilt: this reads the current one.
        """
        return self.index.names[number]  # type: ignore[index]

    def number_named(self, text: str) -> str:
        """Return the number a phonebook name stands for; a number stays as it is.

        Options entries win over the file's and the address book's. A name
        with several numbers (a card's mobile and home) is refused: the
        caller says which number.
        """
        if clean_number(text):
            return text
        entries = self.index.entries_named(text)
        preferred = [e for e in entries if e.source is PhonebookSource.OPTIONS]
        numbers = list(dict.fromkeys(e.number for e in preferred or entries))
        if len(numbers) > 1:
            raise validation_error(
                "phonebook_name_ambiguous",
                name=text[:64],
                numbers=", ".join(numbers[:5]),
            )
        return numbers[0] if numbers else text

    @callback
    def async_add_listener(self, listener: CALLBACK_TYPE) -> None:
        """Call `listener` whenever the names change."""
        self._listeners.append(listener)

    async def async_setup(self) -> None:
        """Read the options and the file now; sync the address book in the background."""
        await self.hass.async_add_executor_job(warm_metadata, self.region)
        if self._file_path:
            await self._async_read_file(force=True)
        await self._async_rebuild()
        self.entry.async_on_unload(
            async_track_time_interval(
                self.hass, self._async_check_file, FILE_CHECK_INTERVAL
            )
        )
        if self.entry.data.get(CONF_CARDDAV):
            self.entry.async_create_task(
                self.hass, self.async_sync_carddav(), f"{DOMAIN} phonebook sync"
            )
            self.entry.async_on_unload(
                async_track_time_interval(
                    self.hass, self._async_scheduled_sync, CARDDAV_SYNC_INTERVAL
                )
            )

    async def async_reload(self) -> None:
        """Read the file and the address book again (`voipnow.reload_phonebook`)."""
        changed = bool(self._file_path) and await self._async_read_file(force=True)
        synced = bool(self.entry.data.get(CONF_CARDDAV)) and await self._async_fetch()
        if changed or synced:
            await self._async_rebuild()

    async def _async_check_file(self, _now: datetime) -> None:
        """Read the file again when it changed (a stat, in the executor)."""
        if self._file_path and await self._async_read_file(force=False):
            await self._async_rebuild()

    async def _async_read_file(self, *, force: bool) -> bool:
        """Read the file if it changed (or `force`); True when its entries changed."""
        path = self._file_path or ""
        config_dir = self.hass.config.config_dir
        try:
            if not force and self._file_stamp is not None:
                current = await self.hass.async_add_executor_job(
                    stamp, config_dir, path
                )
                if current == self._file_stamp:
                    return False
            file_stamp, text = await self.hass.async_add_executor_job(
                read_file, config_dir, path
            )
            entries = await self.hass.async_add_executor_job(
                card_entries, [text], PhonebookSource.FILE
            )
        except PhonebookFileError as err:
            self._raise_issue(ISSUE_FILE, "phonebook_file_unreadable", err.reason)
            # Checked again in a minute; the last good entries stay.
            return False
        self._delete_issue(ISSUE_FILE)
        self._file_stamp = file_stamp
        old, self._file = self._file, entries
        await self.hass.async_add_executor_job(old.clear)
        return True

    async def _async_scheduled_sync(self, _now: datetime) -> None:
        """Sync the address book on schedule."""
        await self.async_sync_carddav()

    async def async_sync_carddav(self) -> None:
        """Fetch the address book and rebuild the index when it answered."""
        if await self._async_fetch():
            await self._async_rebuild()

    async def _async_fetch(self) -> bool:
        """Fetch the cards of the address book; False (last good kept) on failure."""
        settings = self.entry.data[CONF_CARDDAV]
        client = CardDavClient(
            async_get_clientsession(self.hass),
            settings["url"],
            settings["username"],
            settings["password"],
        )
        try:
            texts = await client.async_fetch_cards()
        except CardDavAuthError:
            self._raise_issue(ISSUE_CARDDAV_AUTH, "carddav_auth_failed", "")
            return False
        except CardDavError as err:
            LOGGER.warning("Could not read the CardDAV address book: %s", err)
            return False
        self._delete_issue(ISSUE_CARDDAV_AUTH)
        old, self._carddav = (
            self._carddav,
            await self.hass.async_add_executor_job(
                card_entries, texts, PhonebookSource.CARDDAV
            ),
        )
        await self.hass.async_add_executor_job(old.clear)
        self._carddav_synced = datetime.now().astimezone()
        return True

    async def _async_rebuild(self) -> None:
        """Build a new index in the executor, then swap it in."""
        entries = [*self._options, *self._file, *self._carddav]
        old, self.index = (
            self.index,
            await self.hass.async_add_executor_job(build_index, entries, self.region),
        )
        # Tens of thousands of objects: freed in the executor, not the loop.
        await self.hass.async_add_executor_job(old.clear)
        for listener in self._listeners:
            listener()

    @callback
    def _raise_issue(self, kind: str, key: str, reason: str) -> None:
        """Raise (or keep) a repair issue; the message never shows the content."""
        async_set_issue(
            self.hass,
            self.entry,
            kind,
            True,
            translation_key=key,
            path=self._file_path or "",
            reason=reason,
        )

    @callback
    def _delete_issue(self, kind: str) -> None:
        """Withdraw a repair issue: its source works again."""
        async_delete_issue(self.hass, self.entry.entry_id, kind)

    @callback
    def async_unload(self) -> None:
        """Withdraw the repair issues (a new load raises them again if needed)."""
        for kind in (ISSUE_FILE, ISSUE_CARDDAV_AUTH):
            self._delete_issue(kind)

    def as_diagnostics(self) -> dict[str, Any]:
        """Describe the phonebook without names or numbers."""
        return {
            "region": self.region,
            "entries": dict(self.index.counts),
            "file": bool(self._file_path),
            "carddav": bool(self.entry.data.get(CONF_CARDDAV)),
            "carddav_synced": self._carddav_synced.isoformat()
            if self._carddav_synced
            else None,
        }


type NameLookup = Callable[[str | None], str | None]
