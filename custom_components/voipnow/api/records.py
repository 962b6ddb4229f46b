"""Reading the call records (CDR): which form of the path the server takes, every page.

The 3.x pages write `/uapi/cdr/@me`; the v5 CDR page names no `@me` ("If
missing, userId will be taken from the authorization token") and 4PSA's own
client sends `/uapi/cdr/`. A server that refuses `@me` (`user_invalid`, or
404) is asked without a user, then with the owner id the calls listing
gives; the form that worked is kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta, tzinfo
import logging
from typing import Any, Final

from . import requests
from .auth import TokenSource
from .const import DEFAULT_USER_ID
from .exceptions import (
    VoipNowMalformedResponseError,
    VoipNowResponseError,
    VoipNowSaveDatesRefusedError,
)
from .models import PhoneCall
from .numbers import validate_user_id
from .pbx_clock import PbxClock
from .transport import Transport

_LOGGER = logging.getLogger(__package__)
# A busy period is read in at most this many narrowing requests of pages.
MAX_CDR_READS: Final = 20
# Answers that mean "not this form of the path".
_WRONG_USER: Final = frozenset({"user_invalid"})
# Answers that refuse the save dates (the v5 error codes).
_SAVE_REFUSED: Final = frozenset(
    {"cdr_save_start_date_invalid", "cdr_save_end_date_invalid"}
)
# A record saved in a period began at most this long before it: an older
# one shows a server that ignored the save dates (and listed its default,
# the current month).
LONGEST_CALL: Final = timedelta(days=1)
# A period of save dates is not split below this.
_SHORTEST: Final = timedelta(seconds=2)


class CallRecords:
    """Read one server's CDR."""

    def __init__(
        self, transport: Transport[TokenSource], page_size: int, zone: tzinfo
    ) -> None:
        """Read through `transport`; the path's form is learnt on first use."""
        self._transport = transport
        self._page_size = page_size
        self._zone = zone
        # The PBX's zone, learnt from the dates it writes.
        self.clock = PbxClock(zone)
        # The user part that worked: "@me", "" (none) or the owner id.
        self.user_form: str | None = None
        # The App's user id, as the calls listing gives it (`ownerId`).
        self.owner_id: str | None = None

    def _forms(self, user_id: str) -> list[str]:
        """Return the user parts to try, the one that worked first."""
        if user_id != DEFAULT_USER_ID:
            return [validate_user_id(user_id)]
        if self.user_form is not None:
            return [self.user_form]
        forms = [DEFAULT_USER_ID, ""]
        if self.owner_id:
            forms.append(validate_user_id(self.owner_id))
        return forms

    async def async_list(
        self, *, since: datetime, until: datetime, user_id: str, by_save: bool = False
    ) -> list[PhoneCall]:
        """List the calls that started (or, `by_save`, were saved) in a period.

        `by_save` reads the records the PBX wrote between two times: a call
        that began long before is among them. A server that refuses the save
        dates, or ignores them, raises `VoipNowSaveDatesRefusedError`.
        """
        forms = self._forms(user_id)
        read = self._async_read_saved if by_save else self._async_read
        for form in forms:
            try:
                records = await read(f"cdr/{form}", since, until)
            except VoipNowResponseError as err:
                refused = err.code in _WRONG_USER or err.status == 404
                if not refused or form == forms[-1]:
                    raise
                _LOGGER.debug("The CDR refused the user %r (%s)", form, err.code)
                continue
            if user_id == DEFAULT_USER_ID:
                self.user_form = form
            return records
        raise VoipNowMalformedResponseError(
            "No form of the CDR path"
        )  # pragma: no cover

    def _parse(self, entries: list[Any]) -> list[PhoneCall]:
        """Parse records, learning the PBX's offset from their dates."""
        self.clock.learn(
            entry.get("published") for entry in entries if isinstance(entry, Mapping)
        )
        return [PhoneCall.from_dict(entry, self._zone) for entry in entries]

    async def _async_read(
        self, path: str, since: datetime, until: datetime
    ) -> list[PhoneCall]:
        """Read every record of a period, narrowing it while it is too dense.

        Times are sent in the PBX's local time without a zone, as 4PSA's
        own client does. Until the PBX's zone is known it is guessed, and the
        pages disagree on which date the server filters on: the PBX is asked
        for a wider window, and records outside the one wanted are dropped
        by their own (zoned) start time.
        """
        params = self.clock.period(since, until)
        found: dict[str, PhoneCall] = {}
        for _ in range(MAX_CDR_READS):
            entries, complete = await self._transport.async_collection_part(
                path, params, self._page_size
            )
            records = self._parse(entries)
            for record in records:
                found.setdefault(record.id or f"#{len(found)}", record)
            if complete:
                return [
                    record
                    for record in found.values()
                    if record.published is None or since <= record.published <= until
                ]
            params = requests.period_after(
                params,
                [record.published for record in records],
                self.clock.zone,
                self.clock.margin,
            )
        raise VoipNowMalformedResponseError("Too many call records to read")

    async def _async_read_saved(
        self, path: str, since: datetime, until: datetime
    ) -> list[PhoneCall]:
        """Read every record saved in a period, halving it while it is too dense.

        Only the save dates are sent (the v5 page: given with `startDate`,
        only `startDate` is used). Records carry no save date to narrow by:
        a period too dense is split in two halves of the PBX's own clock,
        which cover it exactly whatever its zone.
        """
        requests.period(since, until, self.clock.zone)  # checks the period
        margin, zone = self.clock.margin, self.clock.zone
        periods = [(since - margin, until + margin)]
        found: dict[str, PhoneCall] = {}
        for _ in range(MAX_CDR_READS):
            if not periods:
                return list(found.values())
            low, high = periods.pop()
            params = {
                requests.SAVE_KEYS[0]: requests.query_date(low, zone),
                requests.SAVE_KEYS[1]: requests.query_date(high, zone),
            }
            try:
                entries, complete = await self._transport.async_collection_part(
                    path, params, self._page_size
                )
            except VoipNowResponseError as err:
                if err.code in _SAVE_REFUSED:
                    raise VoipNowSaveDatesRefusedError(
                        err.message, status=err.status, code=err.code
                    ) from err
                raise
            records = self._parse(entries)
            if any(
                record.published is not None and record.published < low - LONGEST_CALL
                for record in records
            ):
                raise VoipNowSaveDatesRefusedError(
                    "The CDR ignored the save dates", status=200
                )
            for record in records:
                found.setdefault(record.id or f"#{len(found)}", record)
            if not complete:
                if high - low < _SHORTEST:
                    raise VoipNowMalformedResponseError("Too many call records saved")
                middle = (low + (high - low) / 2).replace(microsecond=0)
                periods += [(middle, high), (low, middle)]
        if not periods:
            return list(found.values())
        raise VoipNowMalformedResponseError("Too many call records to read")
