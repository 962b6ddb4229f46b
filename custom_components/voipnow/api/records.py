"""Reading the call records (CDR): which form of the path the server takes, every page.

The 3.x pages write `/uapi/cdr/@me`; the v5 CDR page names no `@me` ("If
missing, userId will be taken from the authorization token") and 4PSA's own
client sends `/uapi/cdr/`. A server that refuses `@me` (`user_invalid`, or
404) is asked without a user, then with the owner id the calls listing
gives; the form that worked is kept.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
import logging
from typing import Final

from . import requests
from .auth import TokenSource
from .const import DEFAULT_USER_ID
from .exceptions import VoipNowMalformedResponseError, VoipNowResponseError
from .models import PhoneCall
from .numbers import validate_user_id
from .transport import Transport

_LOGGER = logging.getLogger(__package__)
# Any server's local time is within this of any other zone's.
ZONE_MARGIN: Final = timedelta(hours=14)
# A busy period is read in at most this many narrowing requests of pages.
MAX_CDR_READS: Final = 20
# Answers that mean "not this form of the path".
_WRONG_USER: Final = frozenset({"user_invalid"})


class CallRecords:
    """Read one server's CDR."""

    def __init__(
        self, transport: Transport[TokenSource], page_size: int, zone: tzinfo
    ) -> None:
        """Read through `transport`; the path's form is learnt on first use."""
        self._transport = transport
        self._page_size = page_size
        self._zone = zone
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
        self, *, since: datetime, until: datetime, user_id: str
    ) -> list[PhoneCall]:
        """List the calls that started between two times (all pages)."""
        forms = self._forms(user_id)
        for form in forms:
            try:
                records = await self._async_read(f"cdr/{form}", since, until)
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

    async def _async_read(
        self, path: str, since: datetime, until: datetime
    ) -> list[PhoneCall]:
        """Read every record of a period, narrowing it while it is too dense.

        Times are sent in the server's local time without a zone, as 4PSA's
        own client does. Which zone that is can only be guessed, and the
        pages disagree on which date the server filters on: the PBX is asked
        for a wider window, and records outside the one wanted are dropped
        by their own (zoned) start time.
        """
        params = requests.period(since, until, self._zone, ZONE_MARGIN)
        found: dict[str, PhoneCall] = {}
        for _ in range(MAX_CDR_READS):
            entries, complete = await self._transport.async_collection_part(
                path, params, self._page_size
            )
            records = [PhoneCall.from_dict(entry, self._zone) for entry in entries]
            for record in records:
                found.setdefault(record.id or f"#{len(found)}", record)
            if complete:
                return [
                    record
                    for record in found.values()
                    if record.published is None or since <= record.published <= until
                ]
            params = requests.period_after(
                params, [record.published for record in records]
            )
        raise VoipNowMalformedResponseError("Too many call records to read")
