"""Typed models of the UnifiedAPI answers, parsed once at the boundary.

Field types follow the "PhoneCalls Resource", "PhoneCallEvents Resource" and
presence pages; `parse` holds the defensive readers they use. Dates without a
zone are read in the zone the client was given (the server's local time).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

from . import parse
from .const import (
    AgentStatus,
    CallbackMethod,
    CallFlow,
    CallStatus,
    Disposition,
    PresenceStatus,
    RegistrationStatus,
    SubscriptionEventType,
)
from .numbers import same_extension, split_caller_id

# Statuses that say a view's party is not talking yet.
_NOT_ANSWERED = frozenset({CallStatus.RINGING, CallStatus.OTHER_SIDE_RINGING})


@dataclass(frozen=True, slots=True, kw_only=True)
class PhoneCallView:
    """One party's view of a call.

    `ringing`, `on_hold`, `parked` and `recording` say whether the documented
    date is present; `answered` is the view's own answer (this party took the
    call), not the call's.
    """

    id: str
    extension: str | None
    source: tuple[str, ...]
    destination: tuple[str, ...]
    caller_id: str | None
    status: CallStatus
    flow: CallFlow
    answered: datetime | None = None
    is_answered: bool = False
    ringing: bool = False
    on_hold: bool = False
    # This party is the one that put the call on hold (`holder` = 1).
    holder: bool = False
    parked: bool = False
    recording: bool = False
    # How the call ended for this party (CDR records).
    disposition: Disposition | None = None

    @classmethod
    def from_dict(cls, raw: Any, zone: tzinfo = UTC) -> PhoneCallView:
        """Parse a PhoneCallView object."""
        data = parse.mapping(raw, "phoneCallView")
        caller_id = parse.optional_str(data, "callerId", "phoneCallView")
        if caller_id is None:
            caller_id = parse.optional_str(data, "callerID", "phoneCallView")
        status = parse.code(data, "status", CallStatus.UNKNOWN)
        answered = parse.date(data, "answered", zone)
        return cls(
            id=parse.optional_str(data, "id", "phoneCallView") or "",
            extension=parse.optional_str(data, "extension", "phoneCallView"),
            source=parse.str_list(data, "source", "phoneCallView"),
            destination=parse.str_list(data, "destination", "phoneCallView"),
            caller_id=caller_id,
            status=status,
            flow=parse.code(data, "flow", CallFlow.UNKNOWN),
            answered=answered,
            # A view on a call (status 5) has answered, dated or not. While the
            # status says it still rings or the other side rings, an `answered`
            # date is the source picking up its phone (a call made through the
            # API rings the caller first), not the call being answered.
            is_answered=status is CallStatus.ON_CALL
            or (parse.present(data, "answered") and status not in _NOT_ANSWERED),
            ringing=parse.present(data, "ringing"),
            on_hold=parse.present(data, "onHold"),
            holder=parse.loose_int(data.get("holder")) == 1,
            parked=parse.present(data, "parked"),
            recording=parse.present(data, "recording"),
            disposition=parse.code(data, "disposition", Disposition.UNKNOWN)
            if data.get("disposition") is not None
            else None,
        )

    @property
    def caller_name(self) -> str | None:
        """Name part of the caller id."""
        return split_caller_id(self.caller_id)[0]

    @property
    def caller_number(self) -> str | None:
        """Number part of the caller id."""
        return split_caller_id(self.caller_id)[1]


@dataclass(frozen=True, slots=True, kw_only=True)
class PhoneCall:
    """A call now in the system (or, in the CDR, one that was)."""

    id: str
    extension: str | None
    owner_id: str | None = None
    owner_name: str | None = None
    published: datetime | None = None
    # The call was answered, by any party (each view says whether it did).
    answered: datetime | None = None
    views: tuple[PhoneCallView, ...] = ()

    @classmethod
    def from_dict(cls, raw: Any, zone: tzinfo = UTC) -> PhoneCall:
        """Parse a PhoneCall object."""
        data = parse.mapping(raw, "phoneCall")
        raw_views = parse.items(data.get("phoneCallView"), "phoneCall.phoneCallView")
        return cls(
            id=parse.required_str(data, "id", "phoneCall"),
            extension=parse.optional_str(data, "extension", "phoneCall"),
            owner_id=parse.optional_str(data, "ownerId", "phoneCall"),
            owner_name=parse.optional_str(data, "ownerName", "phoneCall"),
            published=parse.date(data, "published", zone),
            answered=parse.date(data, "answered", zone),
            views=tuple(PhoneCallView.from_dict(view, zone) for view in raw_views),
        )

    def views_of(self, extension: str) -> tuple[PhoneCallView, ...]:
        """Return the views that belong to an extension."""
        return tuple(
            view
            for view in self.views
            if view.extension is not None and same_extension(view.extension, extension)
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Registration:
    """One device registration of an extension."""

    agent: str | None
    status: RegistrationStatus
    expires: datetime | None

    @classmethod
    def from_dict(cls, raw: Any, zone: tzinfo = UTC) -> Registration:
        """Parse a registration entry of the presence answer."""
        data = parse.mapping(raw, "registration")
        return cls(
            agent=parse.optional_str(data, "agent", "registration"),
            status=parse.code(data, "registration", RegistrationStatus.UNKNOWN),
            expires=parse.date(data, "expire", zone),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Extension:
    """An extension of the user, with its presence and registrations."""

    number: str
    status: PresenceStatus
    registrations: tuple[Registration, ...] = ()
    name: str | None = None

    @classmethod
    def from_dict(cls, raw: Any, zone: tzinfo = UTC) -> Extension:
        """Parse an entry of the presence answer."""
        data = parse.mapping(raw, "presence")
        raw_regs = parse.items(data.get("registration"), "presence.registration")
        name = parse.optional_str(data, "name", "presence")
        if name is None:
            name = parse.optional_str(data, "extensionName", "presence")
        return cls(
            number=parse.required_str(data, "extension", "presence"),
            status=parse.code(data, "status", PresenceStatus.UNKNOWN),
            registrations=tuple(Registration.from_dict(reg, zone) for reg in raw_regs),
            name=name or None,
        )

    @property
    def registered(self) -> bool:
        """Tell whether a device is registered (or needs no registration)."""
        return any(
            reg.status in (RegistrationStatus.REGISTERED, RegistrationStatus.NOT_NEEDED)
            for reg in self.registrations
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class CallEventSubscription:
    """A PhoneCallEvents subscription; its URL is a secret and stays out of repr."""

    id: str
    type: SubscriptionEventType | None
    method: CallbackMethod
    url: str = field(repr=False)
    active: bool
    note: str | None

    @classmethod
    def from_dict(cls, raw: Any, zone: tzinfo = UTC) -> CallEventSubscription:
        """Parse a PhoneCallEvent object."""
        data = parse.mapping(raw, "phoneCallEvent")
        raw_type = parse.loose_int(data.get("type"))
        status = data.get("status")
        return cls(
            id=parse.required_str(data, "id", "phoneCallEvent"),
            type=SubscriptionEventType(raw_type)
            if raw_type in list(SubscriptionEventType)
            else None,
            method=parse.code(data, "method", CallbackMethod.POST),
            url=parse.optional_str(data, "url", "phoneCallEvent") or "",
            # Subscriptions are active unless the PBX says otherwise.
            active=status is None or parse.loose_int(status) == 1,
            note=parse.optional_str(data, "note", "phoneCallEvent"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueAgent:
    """An agent of a call queue: an extension (or a remote number) and its status."""

    number: str
    # None when the PBX reports a status the documentation does not list.
    status: AgentStatus | None
    # The agent's id (v5): what addresses a remote agent.
    identifier: str | None = None

    @property
    def address(self) -> str:
        """What names the agent in a path: its extension, or a remote agent's id.

        "An extension number if the agent is local or an Id for remote
        agents": local agents are extensions (`0003*210`).
        """
        if self.identifier and "*" not in self.number:
            return self.identifier
        return self.number

    @classmethod
    def from_dict(cls, raw: Any, zone: tzinfo = UTC) -> QueueAgent:
        """Parse a QueueAgent object."""
        data = parse.mapping(raw, "queueAgent")
        status = parse.loose_int(data.get("status"))
        return cls(
            number=parse.required_str(data, "agentNumber", "queueAgent"),
            status=AgentStatus(status) if status in list(AgentStatus) else None,
            identifier=parse.optional_str(data, "identifier", "queueAgent"),
        )
