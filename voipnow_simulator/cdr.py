"""Call history (CDR): the record every ended call leaves, and its disposition."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from .model import (
    FLOW_IN,
    FLOW_LOCAL,
    FLOW_OUT,
    HANGUP_ANSWER,
    HANGUP_BUSY,
    HANGUP_CANCEL,
    HANGUP_NOANSWER,
    CallLeg,
    Party,
    SimCall,
)
from .modes import Modes

# Dispositions (List CDR and the PhoneCallView table).
ANSWERED, BUSY, FAILED, NO_ANSWER, UNKNOWN, NOT_ALLOWED = range(6)
DISPOSITIONS = range(6)

# How a call's end (the CallStatus of its hangup) becomes a disposition:
#   ANSWER      -> 0 ANSWERED
#   BUSY        -> 1 BUSY        the callee refused ("answered with a busy tone")
#   CONGESTION  -> 2 FAILED      the network could not carry the call
#   CHANUNAVAIL -> 2 FAILED      the callee's channel could not be reached
#   NOANSWER    -> 3 NO ANSWER   it rang until it gave up
#   CANCEL      -> 3 NO ANSWER   the caller gave up while it rang: for the
#                                callee it is a call nobody answered (Asterisk,
#                                which VoipNow runs on, writes NO ANSWER too)
#   UNKNOWN     -> 4 UNKNOWN
# 5 NOT ALLOWED (refused by the system) has no hangup status: only
# `add_cdr_record` writes it. A call answered at any time stays ANSWERED,
# even if it then failed or was sent on to someone who did not answer.
DISPOSITION_OF_STATUS = {
    HANGUP_ANSWER: ANSWERED,
    HANGUP_BUSY: BUSY,
    "CONGESTION": FAILED,
    "CHANUNAVAIL": FAILED,
    HANGUP_NOANSWER: NO_ANSWER,
    HANGUP_CANCEL: NO_ANSWER,
    "UNKNOWN": UNKNOWN,
}
DIRECTIONS = ("incoming", "outgoing")


def server_zone(modes: Modes) -> tzinfo | None:
    """Return the server's zone (None: this machine's local time)."""
    return ZoneInfo(modes.time_zone) if modes.time_zone else None


def in_server_zone(value: datetime, modes: Modes) -> datetime:
    """Read a zone-less date as the server's local time (aware ones as given)."""
    if value.tzinfo is not None:
        return value
    zone = server_zone(modes)
    return value.astimezone() if zone is None else value.replace(tzinfo=zone)


def whole_seconds(value: datetime, modes: Modes) -> datetime:
    """Return a date of the server's records: aware, to the second."""
    return in_server_zone(value, modes).replace(microsecond=0)


@dataclass(frozen=True)
class CdrView:
    """One local party's view of one leg of an ended call."""

    extension: str
    source: str
    destination: str
    caller_id: str
    flow: int
    disposition: int


@dataclass(frozen=True)
class CdrRecord:
    """The history record of one ended call (a PhoneCall in the CDR service)."""

    id: str
    # The extension charged for the call.
    extension: str
    # When the call entered the system, and when anyone answered it.
    published: datetime
    answered: datetime | None
    # When the record was saved (the call ended): saveStartDate/saveEndDate.
    saved: datetime
    # How the call as a whole ended (what phoneCallStat counts).
    disposition: int
    # Made by a local extension (PhoneCallStat type 1) or received (type 0).
    outgoing: bool
    views: tuple[CdrView, ...]

    def to_json(self) -> dict[str, Any]:
        """Return the control API's view of the record."""
        return {
            "id": self.id,
            "extension": self.extension,
            "published": self.published.isoformat(),
            "answered": self.answered.isoformat() if self.answered else None,
            "saved": self.saved.isoformat(),
            "disposition": self.disposition,
            "outgoing": self.outgoing,
            "views": [vars(view) for view in self.views],
        }


def _views(legs: list[tuple[CallLeg, int]]) -> tuple[CdrView, ...]:
    """Return one view per local party of each leg, in the order of the legs."""
    views: list[CdrView] = []
    for leg, disposition in legs:
        caller, callee = leg.caller, leg.callee
        if caller.local and callee.local:
            flow = FLOW_LOCAL
        else:
            flow = FLOW_OUT if caller.local else FLOW_IN
        views.extend(
            CdrView(
                party.number,
                caller.number,
                callee.number,
                caller.caller_id,
                flow,
                disposition,
            )
            for party in (caller, callee)
            if party.local
        )
    return tuple(views)


def record_of_call(call: SimCall, status: str | None, saved: datetime) -> CdrRecord:
    """Return the record a call leaves when it ends with this hangup status.

    Each leg is one pairing (a pickup or transfer starts the next): the
    earlier ones were answered or left ringing (NO ANSWER), the last one
    ended as ``status`` says (None: ANSWER if answered, else CANCEL).
    """
    legs = call.legs()
    final = DISPOSITION_OF_STATUS[status or HANGUP_CANCEL]
    dispositions = [ANSWERED if leg.answered else NO_ANSWER for leg in legs]
    dispositions[-1] = ANSWERED if legs[-1].answered else final
    first = legs[0]
    charged = call.charged or (
        first.caller.number if first.caller.local else first.callee.number
    )
    return CdrRecord(
        id=call.id,
        extension=charged,
        published=call.published,
        answered=call.answered,
        saved=saved,
        disposition=ANSWERED if call.was_answered else dispositions[-1],
        outgoing=first.caller.local,
        views=_views(list(zip(legs, dispositions, strict=True))),
    )


def seeded_record(
    call_id: str,
    local: Party,
    other: Party,
    direction: str,
    started: datetime,
    answered: datetime | None,
    disposition: int | None,
    ended: datetime | None = None,
) -> CdrRecord:
    """Return a record of a call that ended before the simulator knew of it.

    Its record was saved when it ended (by default when it was answered, or
    came in).
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}, not {direction!r}")
    if disposition is None:
        disposition = NO_ANSWER if answered is None else ANSWERED
    if isinstance(disposition, bool) or disposition not in DISPOSITIONS:
        raise ValueError(f"disposition must be 0-5, not {disposition!r}")
    if (answered is not None) != (disposition == ANSWERED):
        raise ValueError("an answered time goes with disposition 0, and only with it")
    if ended is not None and ended < (answered or started):
        raise ValueError("a call ends after it began and was answered")
    caller, callee = (other, local) if direction == "incoming" else (local, other)
    leg = CallLeg(caller, callee, answered)
    return CdrRecord(
        id=call_id,
        extension=local.number,
        published=started,
        answered=answered,
        saved=ended or answered or started,
        disposition=disposition,
        outgoing=caller.local,
        views=_views([(leg, disposition)]),
    )


def phone_call_stats(records: list[CdrRecord], quirks: bool) -> list[dict[str, Any]]:
    """Return phoneCallStat: per type (0 incoming, 1 outgoing) counts.

    The list example mixes numbers (``total``, ``unknown``, ``unallowed``)
    and strings (the rest); quirks mode writes numbers only, as the field
    table types them. Local calls count as outgoing: a local extension made
    them. The two types together count every record once.
    """
    stats: list[dict[str, Any]] = []
    for call_type, outgoing in ((0, False), (1, True)):
        chosen = [r.disposition for r in records if r.outgoing == outgoing]
        counts = {
            "total": len(chosen),
            "unanswered": chosen.count(NO_ANSWER),
            "busy": chosen.count(BUSY),
            "failed": chosen.count(FAILED),
            "unknown": chosen.count(UNKNOWN),
            "unallowed": chosen.count(NOT_ALLOWED),
            "answered": chosen.count(ANSWERED),
        }
        as_text = () if quirks else ("unanswered", "busy", "failed", "answered")
        stats.append(
            {"type": call_type}
            | {key: str(v) if key in as_text else v for key, v in counts.items()}
        )
    return stats
