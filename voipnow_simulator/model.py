"""The simulator's data: extensions, subscriptions, calls and their views."""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field
from datetime import datetime, timedelta
import re
import secrets
import time
from typing import Any

EXTENSION_RE = re.compile(r"^[0-9*]+$")
PUBLIC_RE = re.compile(r"^\+?[0-9]+$")

EVENT_DIAL_IN = 0
EVENT_DIAL_OUT = 1
EVENT_HANGUP = 2
EVENT_ANSWER_IN = 3
EVENT_ANSWER_OUT = 4

FLOW_LOCAL = 2
FLOW_OUT = 4
FLOW_IN = 8

STATUS_RINGING = 3
STATUS_OTHER_RINGING = 4
STATUS_ON_CALL = 5

# CallStatus of hangup callbacks, as the Call Events page lists them.
HANGUP_ANSWER = "ANSWER"
HANGUP_BUSY = "BUSY"
HANGUP_NOANSWER = "NOANSWER"
HANGUP_CANCEL = "CANCEL"
FAILURE_STATUSES = frozenset({"CONGESTION", "CHANUNAVAIL"})
HANGUP_STATUSES = frozenset(
    {HANGUP_ANSWER, HANGUP_BUSY, HANGUP_NOANSWER, HANGUP_CANCEL, "UNKNOWN"}
    | FAILURE_STATUSES
)


class ApiError(Exception):
    """An UnifiedAPI error answer: HTTP status plus error code."""

    def __init__(self, status: int, code: str, message: str = "") -> None:
        """Store the HTTP status, the error code and a human readable message."""
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message or code


class WallClock:
    """The PBX's wall clock: the machine's, moved by `POST /_sim/clock`.

    A benchmark that moves Home Assistant's clock by hours in minutes moves
    the clock of a simulator in another process along, so that the times
    the PBX writes (calls, CDR records and their save dates) are those of
    the simulated day. One per process: a simulator process is one PBX.
    """

    def __init__(self) -> None:
        """Start on the machine's time."""
        self.offset = timedelta(0)

    def set(self, moment: datetime) -> None:
        """Make it `moment` now (zoned); it runs on from there."""
        self.offset = moment - datetime.now().astimezone()

    def reset(self) -> None:
        """Go back to the machine's time."""
        self.offset = timedelta(0)


CLOCK = WallClock()


def now() -> datetime:
    """Return the PBX's current local time with its UTC offset."""
    moment = datetime.now().astimezone()
    if CLOCK.offset:
        moment = (moment + CLOCK.offset).astimezone()
    return moment.replace(microsecond=0)


def is_valid_number(number: str) -> bool:
    """Tell whether a string matches the extension or public number grammar."""
    return bool(EXTENSION_RE.match(number) or PUBLIC_RE.match(number))


def known_number(raw: str, org_prefix: str, known: Container[str]) -> str | None:
    """Return which of `known` a number means (``210`` or ``0003*210``), else None."""
    raw = str(raw).strip()
    if raw in known:
        return raw
    extended = f"{org_prefix}*{raw}"
    return extended if "*" not in raw and extended in known else None


@dataclass
class Extension:
    """A phone terminal extension of the simulated user."""

    number: str
    name: str = ""
    registered: bool = True
    agent: str = "Yealink T46U"


@dataclass
class Subscription:
    """A PhoneCallEvents subscription (HTTP callback) of one extension and type."""

    id: str
    extension: str
    type: int
    method: int
    url: str
    status: int = 1
    note: str | None = None
    modified: datetime = field(default_factory=now)

    def to_json(self) -> dict[str, Any]:
        """Return the control API's view (the API answers through `Renderer`)."""
        data: dict[str, Any] = {
            "id": self.id,
            "extension": self.extension,
            "type": str(self.type),
            "method": str(self.method),
            "url": self.url,
            "status": str(self.status),
        }
        if self.note is not None:
            data["note"] = self.note
        return data


@dataclass
class Party:
    """One side of a call: a local extension or an outside number."""

    number: str
    name: str = ""
    local: bool = False

    @property
    def caller_id(self) -> str:
        """Return the caller id string: ``John Doe <5551234>`` or ``<5551234>``."""
        return f"{self.name} <{self.number}>" if self.name else f"<{self.number}>"


@dataclass
class SimCallView:
    """The view of a call from one local extension (PhoneCallView).

    Dates are set when the view has that state and None otherwise.
    """

    id: str
    extension: str
    source: list[str]
    destination: list[str]
    caller_id: str
    status: int
    flow: int
    ringing: datetime | None
    answered: datetime | None
    on_hold: datetime | None
    holder: bool
    parked: datetime | None = None
    parked_by: str | None = None
    parked_pos: int | None = None
    recording: datetime | None = None


@dataclass
class CallEvent:
    """A call event of one extension, as sent to PhoneCallEvents callbacks."""

    type: int
    extension: str
    params: dict[str, str]


@dataclass
class CallLeg:
    """One caller-callee pairing of a call; a transfer or pickup starts the next."""

    caller: Party
    callee: Party
    # When this callee answered; None if it never did.
    answered: datetime | None


@dataclass
class SimCall:
    """A call now in the system, between a caller and a callee."""

    id: str
    caller: Party
    callee: Party
    # What callbacks call CallID when it is not the PhoneCall id.
    callback_id: str = ""
    nonce: str = field(default_factory=lambda: secrets.token_hex(16))
    published: datetime = field(default_factory=now)
    # The call was answered (by anyone, at any time): stays set.
    answered: datetime | None = None
    # When the present callee answered; None while it rings.
    connected: datetime | None = None
    # When the present callee started ringing.
    ringing_at: datetime = field(default_factory=now)
    # Hold is a call-level fact: since when, and by which extension if known.
    held_at: datetime | None = None
    held_by: str | None = None
    did: str = ""
    # The extension charged when it is not a party (a call made between two
    # outside numbers on an extension's behalf).
    charged: str = ""
    ringing_since: float = field(default_factory=time.monotonic)
    # The pairings the call went through before the present one: its CDR
    # record shows a view per local party of each.
    earlier_legs: list[CallLeg] = field(default_factory=list)
    # Park: since when, by which extension, in which slot, until when
    # (monotonic); recording: since when, in which format.
    parked_at: datetime | None = None
    parked_by: str | None = None
    parked_pos: int | None = None
    park_until: float | None = None
    recording_at: datetime | None = None
    recording_format: str | None = None
    # Supervisors listening in: (mode, extension, private).
    listeners: list[tuple[str, str, bool]] = field(default_factory=list)
    # A call made through the API (MakeCall) rings the caller's own phone
    # first: since when, until it answers (then when it did); only then is
    # the callee dialled. None for calls dialled on a phone.
    caller_ringing_at: datetime | None = None
    caller_answered_at: datetime | None = None

    @property
    def extension(self) -> str:
        """Return the extension charged for the call (the local caller first)."""
        if self.charged:
            return self.charged
        return self.caller.number if self.caller.local else self.callee.number

    @property
    def flow(self) -> int:
        """Return the documented call flow (2 local, 4 outgoing, 8 incoming)."""
        if self.caller.local and self.callee.local:
            return FLOW_LOCAL
        return FLOW_OUT if self.caller.local else FLOW_IN

    @property
    def ringing(self) -> bool:
        """Tell whether the present callee has not answered yet."""
        return self.connected is None

    @property
    def was_answered(self) -> bool:
        """Tell whether anyone ever answered the call."""
        return self.answered is not None

    @property
    def on_hold(self) -> set[str]:
        """Return the extensions holding the call (all local ones if unknown)."""
        if self.held_at is None:
            return set()
        return {self.held_by} if self.held_by else set(self.local_extensions)

    @property
    def local_extensions(self) -> list[str]:
        """Return the local extensions taking part in the call.

        While a MakeCall rings its caller, the callee is not dialled yet.
        """
        parties = [self.caller] if self.caller_ringing_at else self.parties()
        return [p.number for p in parties if p.local]

    def legs(self) -> list[CallLeg]:
        """Return every pairing so far, the present one last."""
        return [*self.earlier_legs, CallLeg(self.caller, self.callee, self.connected)]

    def close_leg(self) -> None:
        """Remember the present pairing before a party is replaced."""
        self.earlier_legs.append(CallLeg(self.caller, self.callee, self.connected))
        self.caller_ringing_at = self.caller_answered_at = None

    def parties(self) -> list[Party]:
        """Return caller and callee."""
        return [self.caller, self.callee]

    def views(self) -> list[SimCallView]:
        """Return one view per local party: caller is view "00", callee "01".

        Every view carries the caller's caller id: the docs' example of an
        outgoing call shows the caller's own id on both views.
        """
        result: list[SimCallView] = []
        for index, me in enumerate((self.caller, self.callee)):
            if me.number not in self.local_extensions:
                continue
            if index == 0 and (self.caller_ringing_at or self.caller_answered_at):
                result.append(self._made_call_view(me))
                continue
            if self.connected is not None:
                status = STATUS_ON_CALL
            else:
                status = STATUS_OTHER_RINGING if index == 0 else STATUS_RINGING
            result.append(
                self._view(
                    f"{index:02d}",
                    me,
                    status=status,
                    ringing=self.ringing_at if self.connected is None else None,
                    answered=self.connected,
                )
            )
        return result

    def _made_call_view(self, me: Party) -> SimCallView:
        """Return the caller's view of a MakeCall: its phone rings, then it dials.

        The PhoneCall resource's example shows a made call's sources with
        status 3 and a `ringing` date: the PBX rings them first. Once the
        caller answered, its view carries that `answered` date while the
        callee rings (status 4), then the call is on (status 5).
        """
        if self.caller_ringing_at is not None:
            status, ringing = STATUS_RINGING, self.caller_ringing_at
        else:
            status = STATUS_ON_CALL if self.connected else STATUS_OTHER_RINGING
            ringing = None
        return self._view(
            "00", me, status=status, ringing=ringing, answered=self.caller_answered_at
        )

    def _view(
        self,
        view_id: str,
        me: Party,
        *,
        status: int,
        ringing: datetime | None,
        answered: datetime | None,
    ) -> SimCallView:
        """Return one party's view: the call's own state, with that party's status."""
        return SimCallView(
            id=view_id,
            extension=me.number,
            source=[self.caller.number],
            destination=[self.callee.number],
            caller_id=self.caller.caller_id,
            status=status,
            flow=self.flow,
            ringing=ringing,
            answered=answered,
            on_hold=self.held_at,
            holder=self.held_at is not None and self.held_by == me.number,
            parked=self.parked_at,
            parked_by=self.parked_by,
            parked_pos=self.parked_pos,
            recording=self.recording_at,
        )

    def view_of(self, extension: str) -> SimCallView | None:
        """Return the view of one extension, if it takes part in the call."""
        return next((v for v in self.views() if v.extension == extension), None)

    def party(self, number: str) -> Party | None:
        """Return the party with this (normalized) number, if any."""
        return next((p for p in self.parties() if p.number == number), None)
