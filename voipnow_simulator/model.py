"""PBX state of the simulator: extensions, calls, subscriptions and call events."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
import re
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

# Actions documented for PUT /phoneCalls that the simulator does not implement.
UNIMPLEMENTED_ACTIONS = frozenset(
    {
        "Park",
        "UnPark",
        "PickUp",
        "BargeIn",
        "Whisper",
        "Monitor",
        "StartRecording",
        "StopRecording",
    }
)


class ApiError(Exception):
    """An UnifiedAPI error answer: HTTP status plus error code."""

    def __init__(self, status: int, code: str, message: str = "") -> None:
        """Store the HTTP status, the error code and a human readable message."""
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message or code


def now() -> datetime:
    """Return the current local time with its UTC offset."""
    return datetime.now().astimezone().replace(microsecond=0)


def is_valid_number(number: str) -> bool:
    """Tell whether a string matches the extension or public number grammar."""
    return bool(EXTENSION_RE.match(number) or PUBLIC_RE.match(number))


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

    def to_json(self) -> dict[str, Any]:
        """Return the documented JSON shape (strings, null fields omitted)."""
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
    """The view of a call from one local extension (PhoneCallView)."""

    id: str
    extension: str
    source: list[str]
    destination: list[str]
    caller_id: str
    status: int
    flow: int
    on_hold: bool
    answered: datetime | None


@dataclass
class CallEvent:
    """A call event of one extension, as sent to PhoneCallEvents callbacks."""

    type: int
    extension: str
    params: dict[str, str]


@dataclass
class SimCall:
    """A call now in the system, between a caller and a callee."""

    id: str
    caller: Party
    callee: Party
    published: datetime = field(default_factory=now)
    answered: datetime | None = None
    was_answered: bool = False
    on_hold: set[str] = field(default_factory=set)
    did: str = ""
    ringing_since: float = field(default_factory=time.monotonic)

    @property
    def extension(self) -> str:
        """Return the extension charged for the call (the local caller first)."""
        return self.caller.number if self.caller.local else self.callee.number

    @property
    def flow(self) -> int:
        """Return the documented call flow (2 local, 4 outgoing, 8 incoming)."""
        if self.caller.local and self.callee.local:
            return FLOW_LOCAL
        return FLOW_OUT if self.caller.local else FLOW_IN

    @property
    def ringing(self) -> bool:
        """Tell whether the call has not been answered yet."""
        return self.answered is None

    @property
    def local_extensions(self) -> list[str]:
        """Return the local extensions taking part in the call."""
        return [p.number for p in (self.caller, self.callee) if p.local]

    def parties(self) -> list[Party]:
        """Return caller and callee."""
        return [self.caller, self.callee]

    def views(self) -> list[SimCallView]:
        """Return one view per local party: caller is view "00", callee "01"."""
        result: list[SimCallView] = []
        for index, (me, other) in enumerate(
            ((self.caller, self.callee), (self.callee, self.caller))
        ):
            if not me.local:
                continue
            if self.answered is not None:
                status = STATUS_ON_CALL
            else:
                status = STATUS_OTHER_RINGING if index == 0 else STATUS_RINGING
            result.append(
                SimCallView(
                    id=f"{index:02d}",
                    extension=me.number,
                    source=[self.caller.number],
                    destination=[self.callee.number],
                    caller_id=other.caller_id,
                    status=status,
                    flow=self.flow,
                    on_hold=me.number in self.on_hold,
                    answered=self.answered,
                )
            )
        return result

    def view_of(self, extension: str) -> SimCallView | None:
        """Return the view of one extension, if it takes part in the call."""
        return next((v for v in self.views() if v.extension == extension), None)

    def party(self, number: str) -> Party | None:
        """Return the party with this (normalized) number, if any."""
        return next((p for p in self.parties() if p.number == number), None)

    def event_params(self, flow_in: bool, status: str) -> dict[str, str]:
        """Return the documented callback parameters for this call."""
        return {
            "CallID": self.id,
            "CallerIDNum": self.caller.number,
            "CallerIDName": self.caller.name,
            "CalledDID": self.did,
            "CalledExtension": self.callee.number if self.callee.local else "",
            "CallerExtension": self.caller.number if self.caller.local else "",
            "CalledNumber": self.callee.number,
            "CallFlow": "IN" if flow_in else "OUT",
            "CallStatus": status,
        }
