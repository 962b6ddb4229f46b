"""Push: VoipNow's PhoneCallEvents callbacks into a Home Assistant webhook.

Every extension is subscribed to the five call events with a POST to this
entry's webhook. The webhook URL is the only secret (VoipNow does not sign
callbacks), so it is never logged. Each subscription's URL carries the event
type and the extension in its query, because the callback body does not say
which subscription fired, and an answer and the hangup of an answered call
look the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
import ipaddress
import json
import logging
import time
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import parse_qsl

from aiohttp import StreamReader, web
from homeassistant.components import webhook
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import instance_id, issue_registry as ir
from homeassistant.helpers.network import NoURLAvailableError, get_url
from yarl import URL

from .api import (
    CallEventPayload,
    CallEventSubscription,
    CallEventType as ApiEventType,
    VoipNowClient,
    VoipNowError,
    VoipNowResponseError,
)
from .calls import format_caller_id
from .const import DOMAIN, LOGGER, CallDirection
from .tracker import CallEventType

if TYPE_CHECKING:
    from .coordinator import VoipNowCoordinator

MAX_BODY_BYTES: Final = 16 * 1024
NOTE_PREFIX: Final = "home-assistant-voipnow"
QUERY_EVENT: Final = "ha_event"
QUERY_EXTENSION: Final = "ha_extension"
# A failed subscription is tried again after this long (its calls are polled).
SUBSCRIBE_RETRY: Final = timedelta(minutes=5)

# The five subscriptions of every extension and what each callback means.
SUBSCRIBED: Final[dict[ApiEventType, str]] = {
    ApiEventType.DIAL_IN: "dial_in",
    ApiEventType.DIAL_OUT: "dial_out",
    ApiEventType.HANGUP: "hangup",
    ApiEventType.ANSWER_IN: "answer_in",
    ApiEventType.ANSWER_OUT: "answer_out",
}
_MEANING: Final[dict[str, tuple[CallEventType, CallDirection | None]]] = {
    "dial_in": (CallEventType.INCOMING_CALL, CallDirection.INCOMING),
    "dial_out": (CallEventType.OUTGOING_CALL, CallDirection.OUTGOING),
    "answer_in": (CallEventType.ANSWERED, CallDirection.INCOMING),
    "answer_out": (CallEventType.ANSWERED, CallDirection.OUTGOING),
    "hangup": (CallEventType.ENDED, None),
}


def _pbx_is_local(host: str) -> bool:
    """Tell whether the PBX sits on the local network (it can reach internal URLs).

    `host` is the bare host name or address of the PBX, without a port.
    """
    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith((".local", ".lan", ".home.arpa")):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return address.is_private or address.is_loopback or address.is_link_local


class VoipNowPush:
    """Own this entry's webhook and its PhoneCallEvents subscriptions."""

    def __init__(
        self, hass: HomeAssistant, coordinator: VoipNowCoordinator, webhook_id: str
    ) -> None:
        """Prepare push for one entry; nothing is registered yet."""
        self.hass = hass
        self.coordinator = coordinator
        self.webhook_id = webhook_id
        self.url: str | None = None
        self.subscribed: set[str] = set()
        # When each extension's subscription last failed.
        self._failed_at: dict[str, float] = {}
        self.last_error: str | None = None
        self.callbacks_received = 0
        self._note: str | None = None

    @property
    def issue_id(self) -> str:
        """The repair issue raised when no URL reaches Home Assistant."""
        return f"no_reachable_url_{self.coordinator.config_entry.entry_id}"

    async def async_start(self) -> bool:
        """Register the webhook and find a URL the PBX can call.

        Return False when there is no such URL (polling then does all the work).
        """
        entry = self.coordinator.config_entry
        webhook.async_register(
            self.hass,
            DOMAIN,
            f"VoipNow {entry.title}",
            self.webhook_id,
            self._async_handle_webhook,
            local_only=False,
            allowed_methods=("POST", "GET", "PUT"),
        )
        self._note = await async_note(self.hass, entry.entry_id)
        base = await self._async_base_url()
        if base is None:
            ir.async_create_issue(
                self.hass,
                DOMAIN,
                self.issue_id,
                is_fixable=False,
                severity=ir.IssueSeverity.WARNING,
                translation_key="no_reachable_url",
                translation_placeholders={"title": entry.title},
            )
            LOGGER.warning(
                "No URL of Home Assistant reachable by the PBX %s: calls are polled",
                entry.title,
            )
            return False
        ir.async_delete_issue(self.hass, DOMAIN, self.issue_id)
        self.url = base
        return True

    @callback
    def async_stop(self) -> None:
        """Unregister the webhook (subscriptions stay for the next start).

        The repair issue goes too: a new start raises it again if still due,
        and an entry that is removed or stops using push must not leave it.
        """
        webhook.async_unregister(self.hass, self.webhook_id)
        ir.async_delete_issue(self.hass, DOMAIN, self.issue_id)

    async def _async_base_url(self) -> str | None:
        """Return the webhook URL the PBX can reach, if there is one."""
        path = webhook.async_generate_path(self.webhook_id)
        try:
            return get_url(self.hass, allow_internal=False, allow_cloud=False) + path
        except NoURLAvailableError:
            pass
        if "cloud" in self.hass.config.components:
            from homeassistant.components import cloud

            if cloud.async_active_subscription(self.hass):
                try:
                    url: str = await cloud.async_get_or_create_cloudhook(
                        self.hass, self.webhook_id
                    )
                except cloud.CloudNotAvailable:
                    LOGGER.debug("Home Assistant Cloud is not connected")
                else:
                    return url
        if _pbx_is_local(URL(self.coordinator.client.base_url).host or ""):
            try:
                return get_url(self.hass, allow_external=False) + path
            except NoURLAvailableError:
                return None
        return None

    def subscription_url(self, base: str, extension: str, kind: ApiEventType) -> str:
        """Return the URL one extension's subscription to one event calls."""
        return str(
            URL(base).update_query(
                {QUERY_EVENT: SUBSCRIBED[kind], QUERY_EXTENSION: extension}
            )
        )

    @property
    def failed(self) -> set[str]:
        """Extensions whose subscription failed lately (not yet due for a retry)."""
        now = time.monotonic()
        retry = SUBSCRIBE_RETRY.total_seconds()
        return {ext for ext, at in self._failed_at.items() if now - at < retry}

    async def async_sync(self, extensions: Iterable[str]) -> None:
        """Make sure each extension has exactly our five subscriptions.

        Ours are recognised by their note; stale ones (another URL, a type we
        did not ask for, duplicates) are deleted, missing ones created. An
        extension that fails is polled, tried again later, and warned about once.
        """
        if self.url is None:
            return
        for extension in extensions:
            if extension in self.subscribed:
                continue
            try:
                await self._async_sync_extension(self.url, extension)
            except VoipNowError as err:
                self.last_error = _describe(err)
                LOGGER.log(
                    logging.DEBUG if extension in self._failed_at else logging.WARNING,
                    "Could not subscribe extension %s to call events (%s): "
                    "its calls are polled",
                    extension,
                    self.last_error,
                )
                self._failed_at[extension] = time.monotonic()
            else:
                if self._failed_at.pop(extension, None) is not None:
                    LOGGER.info("Extension %s is subscribed to call events", extension)
                self.subscribed.add(extension)

    async def _async_sync_extension(self, base: str, extension: str) -> None:
        """Reuse, replace or create the subscriptions of one extension."""
        client = self.coordinator.client
        existing = await client.async_list_call_event_subscriptions(extension=extension)
        missing = set(SUBSCRIBED)
        for sub in existing:
            if sub.note != self._note:
                continue
            wanted = (
                sub.type is not None
                and sub.type in missing
                and sub.active
                and _same_url(sub.url, self.subscription_url(base, extension, sub.type))
            )
            if wanted and sub.type is not None:
                missing.discard(sub.type)
                continue
            await _async_delete(client, extension, sub)
        for kind in sorted(missing):
            await client.async_create_call_event_subscription(
                extension=extension,
                event_type=kind,
                url=self.subscription_url(base, extension, kind),
                note=self._note,
            )

    @property
    def healthy(self) -> bool:
        """Push works: every extension is subscribed and callbacks do arrive.

        Until the first callback, nothing shows the PBX can reach the URL
        (a firewall, a wrong external URL), so polling keeps its pace.
        """
        failing = self._failed_at.keys() & self.coordinator.extensions.keys()
        return (
            self.url is not None
            and not failing
            and bool(self.subscribed)
            and self.callbacks_received > 0
        )

    async def _async_handle_webhook(
        self, hass: HomeAssistant, webhook_id: str, request: web.Request
    ) -> web.Response:
        """Take one callback; answer quickly, never raise.

        The webhook component logs the webhook id (the secret) with any
        exception a handler raises, so every failure becomes an answer here.
        """
        try:
            return await self._async_take_callback(request)
        except Exception:  # noqa: BLE001 - see the docstring
            LOGGER.exception("Could not handle a VoipNow callback")
            return web.Response(status=500)

    async def _async_take_callback(self, request: web.Request) -> web.Response:
        """Check one callback and apply it."""
        if (request.content_length or 0) > MAX_BODY_BYTES or (
            raw := await _async_read_body(request.content)
        ) is None:
            LOGGER.warning("Refused a VoipNow callback: body too large")
            return web.Response(status=413)
        # Our own markers come from the subscription's URL, never from the body.
        marker = request.query.get(QUERY_EVENT)
        if marker not in _MEANING:
            LOGGER.warning("Refused a VoipNow callback: unknown event type")
            return web.Response(status=400)
        params: dict[str, Any] = dict(request.query)
        try:
            params.update(_parse_body(raw, request.content_type))
        except ValueError as err:
            LOGGER.warning("Refused a VoipNow callback: %s", err)
            return web.Response(status=400)
        extension = self.coordinator.resolve_extension(
            request.query.get(QUERY_EXTENSION, "")
        )
        if extension is None:
            LOGGER.debug("Ignored a VoipNow callback for another extension")
            return web.Response(status=200)
        payload = CallEventPayload.from_params(params)
        kind, direction = _MEANING[marker]
        if direction is None:
            direction = (
                CallDirection.OUTGOING
                if payload.flow == "OUT"
                else CallDirection.INCOMING
            )
        self.callbacks_received += 1
        self.coordinator.async_handle_push(
            extension,
            kind,
            phone_call_id=payload.call_id,
            direction=direction,
            remote_number=(
                payload.caller_number
                if direction is CallDirection.INCOMING
                else payload.called_number
            ),
            caller_name=(
                payload.caller_name if direction is CallDirection.INCOMING else None
            ),
            caller_id=format_caller_id(payload.caller_name, payload.caller_number)
            if direction is CallDirection.INCOMING
            else None,
        )
        return web.Response(status=200)

    def as_diagnostics(self) -> dict[str, Any]:
        """Describe push without its secret URL."""
        return {
            "url_known": self.url is not None,
            "healthy": self.healthy,
            "subscribed_extensions": sorted(self.subscribed),
            "failed_extensions": sorted(self._failed_at),
            "last_error": self.last_error,
            "callbacks_received": self.callbacks_received,
        }


async def async_note(hass: HomeAssistant, entry_id: str) -> str:
    """Return the note that marks one entry's subscriptions.

    It names this Home Assistant and the entry, so two entries whose Apps see
    the same extensions never take each other's subscriptions for stale.
    """
    return f"{NOTE_PREFIX} {await instance_id.async_get(hass)} {entry_id}"


async def _async_delete(
    client: VoipNowClient, extension: str, sub: CallEventSubscription
) -> None:
    """Delete one subscription (one without a known type cannot be addressed)."""
    if sub.type is None:
        return
    await client.async_delete_call_event_subscription(
        extension=extension, event_type=sub.type, subscription_id=sub.id
    )


async def async_delete_cloudhook(hass: HomeAssistant, webhook_id: str) -> None:
    """Delete the cloudhook of a removed entry, if Home Assistant Cloud made one."""
    if "cloud" not in hass.config.components:
        return
    from homeassistant.components import cloud

    try:
        await cloud.async_delete_cloudhook(hass, webhook_id)
    except (cloud.CloudNotAvailable, ValueError):
        LOGGER.debug("No cloudhook to delete")


async def async_delete_subscriptions(
    hass: HomeAssistant,
    client: VoipNowClient,
    entry_id: str,
    extensions: Iterable[str] | None = None,
) -> None:
    """Delete every subscription of an entry (push off, entry removed).

    Failures are logged, not raised: the PBX may already be gone.
    """
    note = await async_note(hass, entry_id)
    try:
        if extensions is None:
            extensions = [ext.number for ext in await client.async_list_extensions()]
        for extension in extensions:
            for sub in await client.async_list_call_event_subscriptions(
                extension=extension
            ):
                if sub.note == note:
                    await _async_delete(client, extension, sub)
    except VoipNowError as err:
        LOGGER.warning("Could not delete the call event subscriptions: %s", err)


def _describe(err: VoipNowError) -> str:
    """Name an error without its message: a PBX may echo the secret URL in it."""
    parts = [type(err).__name__]
    if isinstance(err, VoipNowResponseError):
        if err.status is not None:
            parts.append(f"HTTP {err.status}")
        if err.code:
            parts.append(err.code)
    return ", ".join(parts)


def _same_url(stored: str, wanted: str) -> bool:
    """Compare a subscription's URL with ours, whatever encoding the PBX kept."""
    try:
        first, second = URL(stored), URL(wanted)
    except ValueError:
        return False
    return first.with_query(None) == second.with_query(None) and sorted(
        first.query.items()
    ) == sorted(second.query.items())


async def _async_read_body(content: StreamReader) -> bytes | None:
    """Read a callback's body; None when it is longer than MAX_BODY_BYTES."""
    body = bytearray()
    while chunk := await content.read(MAX_BODY_BYTES + 1 - len(body)):
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            return None
    return bytes(body)


def _parse_body(raw: bytes, content_type: str) -> dict[str, Any]:
    """Decode a callback body: form-encoded (documented) or JSON."""
    if not raw.strip():
        return {}
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("body is not UTF-8") from None
    if content_type == "application/json" or text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            raise ValueError("body is not valid JSON") from None
        if not isinstance(data, dict):
            raise ValueError("JSON body is not an object")
        return data
    try:
        return dict(parse_qsl(text, keep_blank_values=True, strict_parsing=True))
    except ValueError:
        raise ValueError("body is not form-encoded") from None
