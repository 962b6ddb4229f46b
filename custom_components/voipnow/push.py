"""Push: VoipNow's PhoneCallEvents callbacks into a Home Assistant webhook.

Every extension is subscribed to each call event type the PBX accepts, with a
POST to this entry's webhook. Each subscription's URL carries the event type
and the extension in its query, because the callback body does not say which
subscription fired. The webhook URL is the only secret (VoipNow does not sign
callbacks), so it is never logged; and since it can leak, a callback is only
a hint (see `tracker`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
import logging
import time
from typing import TYPE_CHECKING, Any, Final

from aiohttp import web
from homeassistant.components import webhook
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import instance_id
from yarl import URL

from .api import (
    EVENT_TYPE_REFUSED,
    CallEventPayload,
    CallEventSubscription,
    SubscriptionEventType,
    VoipNowClient,
    VoipNowError,
    VoipNowResponseError,
)
from .calls import pushed_call
from .const import DOMAIN, LOGGER
from .push_url import (
    BodyTooLargeError,
    async_callback_base_url,
    async_clear_issues,
    async_delete_cloudhook,
    read_callback,
)
from .tracker import CallEvent, CallEventType

if TYPE_CHECKING:
    from .coordinator import VoipNowCoordinator

NOTE_PREFIX: Final = "home-assistant-voipnow"
QUERY_EVENT: Final = "ha_event"
QUERY_EXTENSION: Final = "ha_extension"
# A failed subscription is tried again after this long (its calls are polled).
SUBSCRIBE_RETRY: Final = timedelta(minutes=5)

# The marker each subscription's URL carries, by VoipNow's event type.
MARKERS: Final[dict[SubscriptionEventType, str]] = {
    SubscriptionEventType.DIAL_IN: "dial_in",
    SubscriptionEventType.DIAL_OUT: "dial_out",
    SubscriptionEventType.HANGUP: "hangup",
    SubscriptionEventType.ANSWER_IN: "answer_in",
    SubscriptionEventType.ANSWER_OUT: "answer_out",
}
_BY_MARKER: Final = {marker: kind for kind, marker in MARKERS.items()}
_ANSWER_TYPES: Final = frozenset(
    {SubscriptionEventType.ANSWER_IN, SubscriptionEventType.ANSWER_OUT}
)

__all__ = ["VoipNowPush", "async_delete_cloudhook", "async_delete_subscriptions"]


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
        # Event types the PBX refused as unknown (a 3.x server knows 0-2):
        # not asked again until the entry is reloaded.
        self.unsupported: set[SubscriptionEventType] = set()
        # When each extension's subscription last failed.
        self._failed_at: dict[str, float] = {}
        self.last_error: str | None = None
        self.callbacks_received = 0
        # A listing found an event push should have brought since the last
        # callback: push is not working, whatever it looked like.
        self._missed = False
        self._syncing = False
        self._note = ""

    async def async_start(self) -> bool:
        """Register the webhook, find a URL the PBX can call, and subscribe.

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
            # Other methods are refused by the handler, not by the webhook
            # component, which would log the webhook id (the secret).
            allowed_methods=("POST", "GET", "PUT"),
        )
        self._note = await async_note(self.hass, entry.entry_id)
        self.url = await async_callback_base_url(self.hass, entry, self.webhook_id)
        if self.url is None:
            return False
        entry.async_on_unload(
            self.coordinator.async_add_listener(self._async_check_subscriptions)
        )
        entry.async_create_background_task(
            self.hass, self.async_sync(), f"{DOMAIN} subscribe"
        )
        return True

    @callback
    def async_stop(self) -> None:
        """Unregister the webhook (subscriptions stay for the next start).

        The repair issues go too: a new start raises them again if still due,
        and an entry that is removed or stops using push must not leave them.
        """
        webhook.async_unregister(self.hass, self.webhook_id)
        async_clear_issues(self.hass, self.coordinator.config_entry)

    # --- health (read by the coordinator) ---------------------------------

    @property
    def event_types(self) -> list[SubscriptionEventType]:
        """The event types this entry subscribes to."""
        return [kind for kind in MARKERS if kind not in self.unsupported]

    @property
    def working(self) -> bool:
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
            and not self._missed
        )

    def poll_found_events(self, events: Iterable[CallEvent]) -> None:
        """Note the listing's events that no callback had announced.

        Answers count only where the PBX sends answer callbacks (a 3.x server
        does not: its answers are learnt from listings and hangups).
        """
        answers = not self.unsupported >= _ANSWER_TYPES
        unheralded = [
            event
            for event in events
            if not event.heralded
            and (answers or event.type is not CallEventType.ANSWERED)
        ]
        if unheralded and self.working:
            LOGGER.debug("A listing found call events before push did")
        if unheralded:
            self._missed = True

    # --- subscriptions ----------------------------------------------------

    @property
    def failed(self) -> set[str]:
        """Extensions whose subscription failed lately (not yet due for a retry)."""
        now = time.monotonic()
        retry = SUBSCRIBE_RETRY.total_seconds()
        return {ext for ext, at in self._failed_at.items() if now - at < retry}

    @callback
    def _async_check_subscriptions(self) -> None:
        """Subscribe extensions a listing shows for the first time (or again)."""
        extensions = self.coordinator.extensions
        self.subscribed.intersection_update(extensions)
        if self._syncing:
            return
        if any(ext not in self.subscribed | self.failed for ext in extensions):
            self.coordinator.config_entry.async_create_background_task(
                self.hass, self.async_sync(), f"{DOMAIN} subscribe", eager_start=False
            )

    async def async_sync(self) -> None:
        """Make sure each extension has exactly our subscriptions (one sync at once).

        Ours are recognised by their note; stale ones (another URL, a type we
        did not ask for, duplicates, an entry that no longer exists) are
        deleted, missing ones created. An extension that fails is polled,
        tried again later, and warned about once.
        """
        if self.url is None or self._syncing:
            return
        self._syncing = True
        try:
            for extension in list(self.coordinator.extensions):
                if extension in self.subscribed:
                    continue
                await self._async_sync_one(self.url, extension)
        finally:
            self._syncing = False

    async def _async_sync_one(self, base: str, extension: str) -> None:
        """Subscribe one extension; note a failure instead of raising it."""
        try:
            await self._async_sync_extension(base, extension)
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
        missing = set(self.event_types)
        for sub in existing:
            if sub.note != self._note:
                if _stale_note(self.hass, sub.note, self._note):
                    await _async_delete(client, extension, sub)
                continue
            if (
                sub.type in missing
                and sub.active
                and _same_url(sub.url, self.subscription_url(base, extension, sub.type))
            ):
                missing.discard(sub.type)
                continue
            await _async_delete(client, extension, sub)
        for kind in sorted(missing):
            try:
                await client.async_create_call_event_subscription(
                    extension=extension,
                    event_type=kind,
                    url=self.subscription_url(base, extension, kind),
                    note=self._note,
                )
            except VoipNowResponseError as err:
                if err.code not in EVENT_TYPE_REFUSED or kind not in _ANSWER_TYPES:
                    raise
                # A 3.x server documents 0-2 only: working as documented.
                LOGGER.debug("The PBX has no call event type %s", int(kind))
                self.unsupported.add(kind)

    def subscription_url(
        self, base: str, extension: str, kind: SubscriptionEventType
    ) -> str:
        """Return the URL one extension's subscription to one event calls."""
        return str(
            URL(base).update_query(
                {QUERY_EVENT: MARKERS[kind], QUERY_EXTENSION: extension}
            )
        )

    # --- callbacks --------------------------------------------------------

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
        """Check one callback and hand the call it describes to the coordinator."""
        if request.method != "POST":
            return web.Response(status=405, headers={"Allow": "POST"})
        try:
            params = await read_callback(request)
        except ValueError as err:
            # Not a warning: whoever has the URL could fill the log with them.
            LOGGER.debug("Refused a VoipNow callback: %s", err)
            return web.Response(
                status=413 if isinstance(err, BodyTooLargeError) else 400
            )
        # Our own markers come from the subscription's URL, never from the body.
        kind = _BY_MARKER.get(request.query.get(QUERY_EVENT, ""))
        if kind is None:
            LOGGER.debug("Refused a VoipNow callback: unknown event type")
            return web.Response(status=400)
        extension = self.coordinator.find_extension(
            request.query.get(QUERY_EXTENSION, "")
        )
        if extension is None:
            LOGGER.debug("Ignored a VoipNow callback for another extension")
            return web.Response(status=200)
        self.callbacks_received += 1
        self._missed = False
        self.coordinator.async_handle_push(
            pushed_call(extension, kind, CallEventPayload.from_params(params))
        )
        return web.Response(status=200)

    def as_diagnostics(self) -> dict[str, Any]:
        """Describe push without its secret URL."""
        return {
            "url_known": self.url is not None,
            "working": self.working,
            "event_types": [int(kind) for kind in self.event_types],
            "event_type_in_path": self.coordinator.client.event_type_in_path,
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


def _stale_note(hass: HomeAssistant, note: str | None, ours: str) -> bool:
    """Tell whether a note marks a subscription of a vanished entry of ours.

    Same Home Assistant instance, an entry id this instance no longer has:
    nobody else will ever delete it. Another instance's stay.
    """
    prefix = ours.rsplit(" ", 1)[0] + " "
    if not note or not note.startswith(prefix):
        return False
    entry_id = note.removeprefix(prefix)
    return hass.config_entries.async_get_entry(entry_id) is None


async def _async_delete(
    client: VoipNowClient, extension: str, sub: CallEventSubscription
) -> None:
    """Delete one subscription (one without a known type cannot be addressed)."""
    if sub.type is None:
        return
    await client.async_delete_call_event_subscription(
        extension=extension, event_type=sub.type, subscription_id=sub.id
    )


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
