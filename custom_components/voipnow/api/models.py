"""Typed models of the UnifiedAPI answers, parsed once at the boundary.

Real VoipNow servers are inconsistent: numbers arrive as strings or integers,
`callerId` is sometimes spelled `callerID`, collections come as a list or as an
object keyed by id, and null fields are omitted. Everything here accepts all of
these and raises `VoipNowMalformedResponseError` for anything it cannot use,
never `KeyError` or `TypeError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum, StrEnum
import re
from typing import Any

from .exceptions import VoipNowMalformedResponseError

_CALLER_ID_RE = re.compile(r"^\s*\"?(?P<name>[^\"<]*?)\"?\s*<(?P<number>[^>]*)>\s*$")
_BARE_NUMBER_RE = re.compile(r"\+?[0-9*#]+")


class CallStatus(IntEnum):
    """Status of one party's view of a call."""

    UNKNOWN = 0
    OFF_HOOK = 1
    TRYING = 2
    RINGING = 3
    OTHER_SIDE_RINGING = 4
    ON_CALL = 5


class CallFlow(IntEnum):
    """Flow of a call view: local, outgoing to or incoming from the public network."""

    UNKNOWN = 0
    LOCAL = 2
    OUTGOING_PUBLIC = 4
    INCOMING_PUBLIC = 8


class PresenceStatus(IntEnum):
    """Presence of an extension."""

    UNKNOWN = 0
    ONLINE = 1
    RINGING = 2
    BUSY = 3


class RegistrationStatus(IntEnum):
    """SIP registration state of one device of an extension."""

    EXPIRED = -2
    NOT_REGISTERED = -1
    UNKNOWN = 0
    REGISTERED = 1
    NOT_NEEDED = 2


class CallEventType(IntEnum):
    """PhoneCallEvents subscription types."""

    DIAL_IN = 0
    DIAL_OUT = 1
    HANGUP = 2
    ANSWER_IN = 3
    ANSWER_OUT = 4


class CallEventMethod(IntEnum):
    """HTTP method VoipNow uses for a callback."""

    GET = 0
    POST = 1


class TransferAction(StrEnum):
    """PhoneCallAction values used for transfers."""

    TRANSFER = "Transfer"
    TO_VOICEMAIL = "TransferToVoicemail"


def _malformed(what: str) -> VoipNowMalformedResponseError:
    """Build the error for an answer that does not have the documented shape."""
    return VoipNowMalformedResponseError(f"Malformed answer: {what}")


def _mapping(value: Any, what: str) -> Mapping[str, Any]:
    """Return value when it is a JSON object."""
    if not isinstance(value, Mapping):
        raise _malformed(f"{what} is not an object")
    return value


def _required_str(data: Mapping[str, Any], key: str, what: str) -> str:
    """Read a required, non-empty string (numbers are accepted and converted)."""
    value = _optional_str(data, key, what)
    if not value:
        raise _malformed(f"{what} has no {key}")
    return value


def _optional_str(data: Mapping[str, Any], key: str, what: str) -> str | None:
    """Read an optional string; integers become strings, anything else is an error."""
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool):
        raise _malformed(f"{what}.{key} is not a string")
    if isinstance(value, int | str):
        return str(value).strip()
    raise _malformed(f"{what}.{key} is not a string")


def _loose_int(value: Any) -> int | None:
    """Return a number sent as an integer or a numeric string, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def _enum[E: IntEnum](data: Mapping[str, Any], key: str, unknown: E) -> E:
    """Read a numeric code (number or string), tolerating values we do not know.

    A state the PBX reports in a way we do not understand is `unknown`: one
    odd field must not make a whole listing unreadable.
    """
    raw = _loose_int(data.get(key))
    if raw is None:
        return unknown
    try:
        return type(unknown)(raw)
    except ValueError:
        return unknown


def _flag(data: Mapping[str, Any], key: str) -> bool:
    """Read a boolean sent as true/false, 0/1 or "0"/"1"/"true"."""
    value = data.get(key)
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes"}
    return bool(value)


def _datetime(data: Mapping[str, Any], key: str) -> datetime | None:
    """Read an ISO 8601 date; an unparsable one is treated as absent.

    A date without `Z` or an offset cannot be placed in time (the PBX's zone
    is unknown) and is absent too: every date returned is timezone-aware.
    """
    value = data.get(key)
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _str_list(data: Mapping[str, Any], key: str, what: str) -> tuple[str, ...]:
    """Read a list of numbers, accepting a single string too."""
    value = data.get(key)
    if value is None:
        return ()
    if isinstance(value, str | int) and not isinstance(value, bool):
        return (str(value),)
    if isinstance(value, list):
        items: list[str] = []
        for item in value:
            if isinstance(item, bool) or not isinstance(item, str | int):
                raise _malformed(f"{what}.{key} holds a non-string")
            items.append(str(item))
        return tuple(items)
    raise _malformed(f"{what}.{key} is not a list")


def _items(value: Any, what: str) -> list[Any]:
    """Return the items of a list, of an object keyed by id, or of a lone object.

    An object whose values are all objects is keyed by id (one CDR example
    does that); any other object is a single item sent without its list.
    """
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, Mapping):
        values = list(value.values())
        if values and all(isinstance(item, Mapping) for item in values):
            return values
        return [value] if value else []
    raise _malformed(f"{what} is neither a list nor an object")


def collection_entries(payload: Any, what: str) -> list[Any]:
    """Return the items of a collection answer (`entry` as a list or keyed object).

    A bare list is accepted too; an object without `entry` has no items (a
    collection omits it when empty, an action may answer with the resource).
    """
    if isinstance(payload, list):
        return payload
    return _items(_mapping(payload, what).get("entry"), f"{what}.entry")


def split_caller_id(caller_id: str | None) -> tuple[str | None, str | None]:
    """Split `John Doe <3334444>` into (name, number).

    A bare value is a number when it looks like one (`3334444`, `+4021`,
    `0003*210`), else a name (`Anonymous`).
    """
    if not caller_id or not isinstance(caller_id, str):
        return None, None
    if match := _CALLER_ID_RE.match(caller_id):
        return (match["name"].strip() or None), (match["number"].strip() or None)
    bare = caller_id.strip()
    if not bare:
        return None, None
    if _BARE_NUMBER_RE.fullmatch(bare):
        return None, bare
    return bare, None


def short_extension(number: str) -> str:
    """Return the part after the organization prefix: `0003*210` -> `210`."""
    return number.rsplit("*", 1)[-1]


def same_extension(left: str, right: str) -> bool:
    """Tell whether two extension numbers name the same extension.

    `0003*210` and `210` match; two extended numbers must match exactly.
    """
    if not left or not right:
        return False
    if left == right:
        return True
    if "*" in left and "*" in right:
        return False
    return short_extension(left) == short_extension(right)


@dataclass(frozen=True, slots=True, kw_only=True)
class PhoneCallView:
    """One party's view of a call."""

    id: str
    extension: str | None
    source: tuple[str, ...]
    destination: tuple[str, ...]
    caller_id: str | None
    status: CallStatus
    flow: CallFlow
    answered: datetime | None
    is_answered: bool
    ringing: bool
    on_hold: bool
    parked: bool

    @classmethod
    def from_dict(cls, raw: Any) -> PhoneCallView:
        """Parse a PhoneCallView object."""
        data = _mapping(raw, "phoneCallView")
        caller_id = _optional_str(data, "callerId", "phoneCallView")
        if caller_id is None:
            caller_id = _optional_str(data, "callerID", "phoneCallView")
        answered = _datetime(data, "answered")
        status = _enum(data, "status", CallStatus.UNKNOWN)
        return cls(
            id=_optional_str(data, "id", "phoneCallView") or "",
            extension=_optional_str(data, "extension", "phoneCallView"),
            source=_str_list(data, "source", "phoneCallView"),
            destination=_str_list(data, "destination", "phoneCallView"),
            caller_id=caller_id,
            status=status,
            flow=_enum(data, "flow", CallFlow.UNKNOWN),
            answered=answered,
            is_answered=answered is not None
            or data.get("answered") not in (None, "", "0", 0, False),
            ringing=_flag(data, "ringing"),
            on_hold=_flag(data, "onHold"),
            parked=_flag(data, "parked"),
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
    """A call now in the system."""

    id: str
    extension: str | None
    owner_id: str | None = None
    owner_name: str | None = None
    published: datetime | None = None
    answered: datetime | None = None
    views: tuple[PhoneCallView, ...] = ()

    @classmethod
    def from_dict(cls, raw: Any) -> PhoneCall:
        """Parse a PhoneCall object."""
        data = _mapping(raw, "phoneCall")
        raw_views = _items(data.get("phoneCallView"), "phoneCall.phoneCallView")
        call_id = _required_str(data, "id", "phoneCall")
        return cls(
            id=call_id,
            extension=_optional_str(data, "extension", "phoneCall"),
            owner_id=_optional_str(data, "ownerId", "phoneCall"),
            owner_name=_optional_str(data, "ownerName", "phoneCall"),
            published=_datetime(data, "published"),
            answered=_datetime(data, "answered"),
            views=tuple(PhoneCallView.from_dict(view) for view in raw_views),
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
    def from_dict(cls, raw: Any) -> Registration:
        """Parse a registration entry of the presence answer."""
        data = _mapping(raw, "registration")
        return cls(
            agent=_optional_str(data, "agent", "registration"),
            status=_enum(data, "registration", RegistrationStatus.UNKNOWN),
            expires=_datetime(data, "expire"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Extension:
    """An extension of the user, with its presence and registrations."""

    number: str
    status: PresenceStatus
    registrations: tuple[Registration, ...] = ()
    name: str | None = None

    @classmethod
    def from_dict(cls, raw: Any) -> Extension:
        """Parse an entry of the presence answer."""
        data = _mapping(raw, "presence")
        raw_regs = _items(data.get("registration"), "presence.registration")
        name = _optional_str(data, "name", "presence")
        if name is None:
            name = _optional_str(data, "extensionName", "presence")
        return cls(
            number=_required_str(data, "extension", "presence"),
            status=_enum(data, "status", PresenceStatus.UNKNOWN),
            registrations=tuple(Registration.from_dict(reg) for reg in raw_regs),
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
    type: CallEventType | None
    method: CallEventMethod
    url: str = field(repr=False)
    active: bool
    note: str | None

    @classmethod
    def from_dict(cls, raw: Any) -> CallEventSubscription:
        """Parse a PhoneCallEvent object."""
        data = _mapping(raw, "phoneCallEvent")
        raw_type = _loose_int(data.get("type"))
        status = data.get("status")
        return cls(
            id=_required_str(data, "id", "phoneCallEvent"),
            type=CallEventType(raw_type) if raw_type in list(CallEventType) else None,
            method=_enum(data, "method", CallEventMethod.POST),
            url=_optional_str(data, "url", "phoneCallEvent") or "",
            # Subscriptions are active unless the PBX says otherwise.
            active=status is None or _loose_int(status) == 1,
            note=_optional_str(data, "note", "phoneCallEvent"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class CallEventPayload:
    """The parameters VoipNow sends to a PhoneCallEvents callback."""

    call_id: str | None
    caller_number: str | None
    caller_name: str | None
    called_did: str | None
    called_extension: str | None
    caller_extension: str | None
    called_number: str | None
    flow: str | None
    status: str | None

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> CallEventPayload:
        """Parse callback parameters (form, query or JSON), ignoring key case."""
        lowered: dict[str, str] = {}
        for key, value in params.items():
            if isinstance(value, str | int) and not isinstance(value, bool):
                lowered[str(key).lower()] = str(value).strip()

        def get(name: str) -> str | None:
            return lowered.get(name.lower()) or None

        flow = get("CallFlow")
        status = get("CallStatus")
        return cls(
            call_id=get("CallID"),
            caller_number=get("CallerIDNum"),
            caller_name=get("CallerIDName"),
            called_did=get("CalledDID"),
            called_extension=get("CalledExtension"),
            caller_extension=get("CallerExtension"),
            called_number=get("CalledNumber"),
            flow=flow.upper() if flow else None,
            status=status.upper() if status else None,
        )

    def extensions(self) -> Iterable[str]:
        """Return the extensions this callback names."""
        return tuple(
            ext for ext in (self.called_extension, self.caller_extension) if ext
        )
