"""What the client does to calls it names: hold, park, pick up, record, hang up.

A part of `VoipNowClient` (its base class), kept apart so that each file
holds one job; it uses the client's transport.
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

from . import call_requests, requests
from .auth import TokenSource
from .const import DEFAULT_USER_ID, CallAction
from .transport import Transport


class CallActions:
    """The actions on one call of `VoipNowClient`; each answers False if no call."""

    _transport: Transport[TokenSource]

    def async_call_action(
        self,
        action: CallAction,
        *,
        extension: str,
        phone_call_id: str,
        phone_call_view_id: str,
        user_id: str = DEFAULT_USER_ID,
        **fields: Any,
    ) -> Coroutine[Any, Any, bool]:
        """Act on one view of a call: park, pick up, listen in, record; False if no call.

        `fields` are the action's own (`max_in_parking`, `send_call_to`,
        `caller_id`, `wait_for_pickup`, `private`, `recording_format`),
        checked at once: nothing is sent when one is wrong.
        """
        path = requests.call_path(user_id, extension, phone_call_id)
        body = call_requests.action_body(action, phone_call_view_id, **fields)
        return self._async_act("PUT", path, body)

    def async_hangup_call(
        self, *, extension: str, phone_call_id: str, user_id: str = DEFAULT_USER_ID
    ) -> Coroutine[Any, Any, bool]:
        """Hang up one call (never all calls of the extension); False if none."""
        path = requests.call_path(user_id, extension, phone_call_id)
        return self._async_act("DELETE", path)

    async def _async_act(
        self, method: str, path: str, body: dict[str, Any] | None = None
    ) -> bool:
        """Send an action on a call; 204 means there was no call to act on."""
        status, _ = await self._transport.async_api(
            method, path, json_body=body, decode=False
        )
        return status != 204
