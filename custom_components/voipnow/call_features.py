"""The table of the actions on the extension's own view of a call.

Many actions of one kind are a table: each `CallFeature` row says the
action's name, its schema, which PhoneCallAction it sends with which
fields, and who may call it; `call_actions.async_call_feature` is the one
handler that reads it. A new PhoneCall action is a new row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from homeassistant.helpers import config_validation as cv

from .api import DEFAULT_PARKING, MAX_PARKING, MIN_PARKING, CallAction, RecordingFormat
from .const import (
    ATTR_CALLER_ID,
    ATTR_FORMAT,
    ATTR_MAX_IN_PARKING,
    ATTR_MODE,
    ATTR_PRIVATE,
    ATTR_SEND_CALL_TO,
    ATTR_WAIT_FOR_PICKUP,
)
from .validation import CALL_SCHEMA, number, vol

LISTEN_MODES: dict[str, CallAction] = {
    "monitor": CallAction.MONITOR,
    "whisper": CallAction.WHISPER,
    "barge_in": CallAction.BARGE_IN,
}
_WAIT = vol.All(vol.Coerce(int), vol.Range(min=1, max=300))
_CALLER_ID = vol.All(cv.string, vol.Length(min=1, max=128))
_CONNECT_SCHEMA = CALL_SCHEMA.extend(
    {
        vol.Required(ATTR_SEND_CALL_TO): number,
        vol.Optional(ATTR_WAIT_FOR_PICKUP): _WAIT,
        vol.Optional(ATTR_CALLER_ID): _CALLER_ID,
    }
)


def _connect_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of an action that rings an extension (send_call_to aside)."""
    return {
        "caller_id": data.get(ATTR_CALLER_ID),
        "wait_for_pickup": data.get(ATTR_WAIT_FOR_PICKUP),
    }


@dataclass(frozen=True, slots=True, kw_only=True)
class CallFeature:
    """One action on a view of a call: what it takes, sends and fires."""

    service: str
    schema: vol.Schema
    action: Callable[[Mapping[str, Any]], CallAction]
    fields: Callable[[Mapping[str, Any]], dict[str, Any]] = field(
        default=lambda data: {}
    )
    # What the logbook says was done (None: nothing, as for hold).
    event: str | None = None
    # The extension no longer has the call afterwards (its end is no missed call).
    takes_call_away: bool = False
    # Without an id, the call is the parked one (its parker may list none).
    parked_call: bool = False
    # Listening in: an administrator's option, never for others, logged.
    listen_in: bool = False
    # The 3.x pages say only an App of a User account may send it: a refusal
    # is this action's error, not a sign of revoked credentials.
    user_app_only: bool = True


def _hold_feature(service: str, action: CallAction) -> CallFeature:
    """Hold or unhold: only the call's id, nothing logged, any App may send it."""
    return CallFeature(
        service=service,
        schema=CALL_SCHEMA,
        action=lambda data: action,
        user_app_only=False,
    )


CALL_FEATURES: tuple[CallFeature, ...] = (
    *(
        _hold_feature(service, action)
        for service, action in (
            ("hold_call", CallAction.ON_HOLD),
            ("unhold_call", CallAction.OFF_HOLD),
        )
    ),
    CallFeature(
        service="park_call",
        schema=CALL_SCHEMA.extend(
            {
                vol.Optional(ATTR_MAX_IN_PARKING, default=DEFAULT_PARKING): vol.All(
                    vol.Coerce(int), vol.Range(min=MIN_PARKING, max=MAX_PARKING)
                )
            }
        ),
        action=lambda data: CallAction.PARK,
        fields=lambda data: {"max_in_parking": data[ATTR_MAX_IN_PARKING]},
        event="parked",
    ),
    CallFeature(
        service="unpark_call",
        schema=_CONNECT_SCHEMA.extend(
            {vol.Optional(ATTR_WAIT_FOR_PICKUP, default=25): _WAIT}
        ),
        action=lambda data: CallAction.UNPARK,
        fields=_connect_fields,
        event="unparked",
        takes_call_away=True,
        parked_call=True,
    ),
    CallFeature(
        service="pickup_call",
        schema=_CONNECT_SCHEMA,
        action=lambda data: CallAction.PICKUP,
        fields=_connect_fields,
        event="picked_up",
        takes_call_away=True,
    ),
    CallFeature(
        service="start_recording",
        schema=CALL_SCHEMA.extend(
            {
                vol.Optional(ATTR_FORMAT, default=RecordingFormat.WAV.value): vol.In(
                    [kind.value for kind in RecordingFormat]
                )
            }
        ),
        action=lambda data: CallAction.START_RECORDING,
        fields=lambda data: {"recording_format": data[ATTR_FORMAT]},
        event="recording_started",
    ),
    CallFeature(
        service="stop_recording",
        schema=CALL_SCHEMA,
        action=lambda data: CallAction.STOP_RECORDING,
        event="recording_stopped",
    ),
    CallFeature(
        service="listen_in",
        schema=_CONNECT_SCHEMA.extend(
            {
                vol.Required(ATTR_MODE): vol.In(list(LISTEN_MODES)),
                vol.Optional(ATTR_PRIVATE, default=False): cv.boolean,
            }
        ),
        action=lambda data: LISTEN_MODES[data[ATTR_MODE]],
        fields=lambda data: {
            **_connect_fields(data),
            **({"private": data[ATTR_PRIVATE]} if data[ATTR_MODE] == "whisper" else {}),
        },
        event="listened_in",
        listen_in=True,
    ),
)
FEATURES: dict[str, CallFeature] = {item.service: item for item in CALL_FEATURES}
