"""The parameters of a PhoneCallEvents callback, cleaned at the boundary.

Whoever calls chooses their caller name, and whoever learns a callback URL can
post anything to it: only the documented parameters are read, control and
format characters are removed, and lengths are capped before anything else
sees a value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .const import CallEndStatus
from .numbers import MAX_NAME, MAX_NUMBER, MAX_OBJECT_ID, clean_text


@dataclass(frozen=True, slots=True, kw_only=True)
class CallEventPayload:
    """What a callback says: which call, who called whom, how it ended."""

    call_id: str | None
    caller_number: str | None
    caller_name: str | None
    called_number: str | None
    # IN for calls the extension received, OUT for calls it made.
    flow: str | None
    # How the call ended (hangup callbacks only).
    end_status: CallEndStatus | None
    # `CallStatus` is CALLING: a dial event.
    calling: bool = False
    # The extensions of the call's two ends, where they are local.
    called_extension: str | None = None
    caller_extension: str | None = None

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> CallEventPayload:
        """Parse callback parameters (form, query or JSON), ignoring key case."""
        lowered: dict[str, str] = {}
        for key, value in params.items():
            if isinstance(value, str | int) and not isinstance(value, bool):
                lowered[str(key).lower()[:32]] = str(value)

        def get(*names: str, limit: int) -> str | None:
            for name in names:
                if value := clean_text(lowered.get(name.lower(), ""), limit):
                    return value
            return None

        flow = get("CallFlow", limit=8)
        status = get("CallStatus", limit=16)
        return cls(
            call_id=get("CallID", limit=MAX_OBJECT_ID),
            caller_number=get("CallerIDNum", limit=MAX_NUMBER),
            # One knowledge-base page spells it `CallerIDNam`.
            caller_name=get("CallerIDName", "CallerIDNam", limit=MAX_NAME),
            called_number=get("CalledNumber", limit=MAX_NUMBER),
            flow=flow.upper() if flow else None,
            end_status=_end_status(status),
            calling=status is not None and status.upper() == "CALLING",
            called_extension=get("CalledExtension", limit=MAX_NUMBER),
            caller_extension=get("CallerExtension", limit=MAX_NUMBER),
        )


def _end_status(raw: str | None) -> CallEndStatus | None:
    """Read `CallStatus`: how a call ended; CALLING (a dial event) is no end."""
    if raw is None or raw.upper() == "CALLING":
        return None
    try:
        return CallEndStatus(raw.upper().replace(" ", "").replace("_", ""))
    except ValueError:
        return CallEndStatus.UNKNOWN
