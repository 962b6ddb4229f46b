"""Push: VoipNow's PhoneCallEvents callbacks into a Home Assistant webhook.

This module owns the webhook and whether push works; `subscriptions` keeps
the PBX's subscriptions, `push_url` picks the address. The webhook URL is
the only secret (VoipNow does not sign callbacks), so it is never logged;
and since it can leak, a callback only wakes a listing (see `tracker`), and
only callbacks a listing confirmed say that push works.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Final

from aiohttp import web
from homeassistant.components import webhook
from homeassistant.core import HomeAssistant, callback
from homeassistant.util import dt as dt_util

from .api import CallEventPayload
from .call_event import CallEvent, CallEventType
from .calls import callback_hint
from .const import DOMAIN, LOGGER
from .push_url import (
    BodyTooLargeError,
    async_callback_base_url,
    async_clear_issues,
    async_set_not_arriving_issue,
    read_callback,
)
from .subscriptions import (
    ANSWER_TYPES,
    MARKERS,
    QUERY_EVENT,
    QUERY_EXTENSION,
    Subscriptions,
    async_note,
)

if TYPE_CHECKING:
    from .coordinator import VoipNowCoordinator

_BY_MARKER: Final = {marker: kind for kind, marker in MARKERS.items()}
_NEW_CALL: Final = frozenset({CallEventType.INCOMING_CALL, CallEventType.OUTGOING_CALL})
# Push is said not to arrive after this many calls only a listing found, or
# after this long without a callback while listings find calls.
UNHERALDED_CALLS: Final = 3
SILENT_FOR: Final = timedelta(minutes=30)


class VoipNowPush:
    """Own this entry's webhook and its PhoneCallEvents subscriptions."""

    def __init__(
        self, hass: HomeAssistant, coordinator: VoipNowCoordinator, webhook_id: str
    ) -> None:
        """Prepare push for one entry; nothing is registered yet."""
        self.hass = hass
        self.coordinator = coordinator
        self.webhook_id = webhook_id
        # Set once a URL the PBX can call is known.
        self.subscriptions: Subscriptions | None = None
        self.callbacks_received = 0
        # Callbacks whose event a listing showed: only these say push works
        # (anyone with the URL can post the others).
        self.callbacks_confirmed = 0
        # A listing found an event push should have brought since the last
        # confirmed callback: push is not working, whatever it looked like.
        self._missed = False
        # Calls only listings found since the subscriptions or the last
        # confirmed callback, and when that was.
        self._unheralded_calls = 0
        self._heard_at = dt_util.utcnow()
        self._url: str | None = None

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
        url = await async_callback_base_url(self.hass, entry, self.webhook_id)
        if url is None:
            return False
        self._url = url
        self.subscriptions = Subscriptions(
            self.hass,
            self.coordinator.client,
            url,
            await async_note(self.hass, entry.entry_id),
        )
        entry.async_on_unload(
            self.coordinator.async_add_listener(self._async_check_subscriptions)
        )
        entry.async_create_background_task(
            self.hass, self._async_sync(), f"{DOMAIN} subscribe"
        )
        return True

    @callback
    def _async_check_subscriptions(self) -> None:
        """Subscribe extensions a listing shows for the first time (or again)."""
        if self.subscriptions is not None and self.subscriptions.due(
            self.coordinator.extensions
        ):
            self.coordinator.config_entry.async_create_background_task(
                self.hass, self._async_sync(), f"{DOMAIN} subscribe", eager_start=False
            )

    async def _async_sync(self) -> None:
        """Subscribe the extensions of the latest listing."""
        if self.subscriptions is not None:
            await self.subscriptions.async_sync(self.coordinator.extensions)

    @callback
    def async_stop(self) -> None:
        """Unregister the webhook (subscriptions stay for the next start).

        The repair issues go too: a new start raises them again if still due,
        and an entry that is removed or stops using push must not leave them.
        """
        webhook.async_unregister(self.hass, self.webhook_id)
        async_clear_issues(self.hass, self.coordinator.config_entry)
        # Nothing subscribes any more (the socket may be taking over).
        self.subscriptions = None

    # --- health (read by the coordinator) ---------------------------------

    @property
    def working(self) -> bool:
        """Push works: every extension is subscribed and callbacks do arrive.

        Until a listing confirms a callback, nothing shows the PBX can reach
        the URL (a firewall, a wrong external URL; forged callbacks prove
        nothing), so polling keeps its pace.
        """
        subscriptions = self.subscriptions
        return (
            subscriptions is not None
            and not subscriptions.failing(self.coordinator.extensions)
            and bool(subscriptions.subscribed)
            and self.callbacks_confirmed > 0
            and not self._missed
        )

    def poll_found_events(self, events: Iterable[CallEvent]) -> None:
        """Note which of the listing's events callbacks had announced.

        Announced events confirm push works. Unannounced answers count only
        where the PBX sends answer callbacks (a 3.x server does not: its
        answers are learnt from listings and hangups).
        """
        events = list(events)
        if confirmed := sum(event.heralded for event in events):
            self._heard(confirmed)
        answers = self.subscriptions is None or not (
            self.subscriptions.unsupported >= ANSWER_TYPES
        )
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
        self._count_unheralded_calls(unheralded)

    def _count_unheralded_calls(self, unheralded: list[CallEvent]) -> None:
        """Raise the repair issue once listings keep finding calls push missed.

        Only new calls of subscribed extensions count: every VoipNow version
        sends their callbacks.
        """
        subscribed = self.subscriptions.subscribed if self.subscriptions else ()
        self._unheralded_calls += sum(
            event.type in _NEW_CALL and event.extension in subscribed
            for event in unheralded
        )
        if self._unheralded_calls >= UNHERALDED_CALLS or (
            self._unheralded_calls and dt_util.utcnow() - self._heard_at >= SILENT_FOR
        ):
            async_set_not_arriving_issue(
                self.hass, self.coordinator.config_entry, self._url
            )

    def _heard(self, confirmed: int) -> None:
        """Push works: a listing showed what callbacks had announced."""
        self.callbacks_confirmed += confirmed
        self._missed = False
        if self._unheralded_calls:
            self._unheralded_calls = 0
            async_set_not_arriving_issue(self.hass, self.coordinator.config_entry, None)
        self._heard_at = dt_util.utcnow()

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
        """Check one callback and wake a listing of the calls.

        The subscription's URL says which event and extension it is for; a
        PBX that drops the URL's query still wakes the listing, with what
        the documented fields say (`CalledExtension`, `CallerExtension`,
        `CallFlow`, `CallStatus`).
        """
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
        payload = CallEventPayload.from_params(params)
        marker = request.query.get(QUERY_EVENT)
        kind = _BY_MARKER.get(marker) if marker else None
        if marker and kind is None:
            LOGGER.debug("Refused a VoipNow callback: unknown event type")
            return web.Response(status=400)
        numbers = _named_extensions(request.query.get(QUERY_EXTENSION), payload)
        extension = next(
            (
                found
                for number in numbers
                if (found := self.coordinator.find_extension(number))
            ),
            None,
        )
        if numbers and extension is None:
            LOGGER.debug("Ignored a VoipNow callback for another extension")
            return web.Response(status=200)
        self.callbacks_received += 1
        self.coordinator.async_take_callback(
            callback_hint(extension, kind, payload, dt_util.utcnow())
        )
        return web.Response(status=200)

    def as_diagnostics(self) -> dict[str, Any]:
        """Describe push without its secret URL."""
        subscriptions = self.subscriptions
        return {
            "url_known": subscriptions is not None,
            "working": self.working,
            "event_types": [int(kind) for kind in subscriptions.event_types]
            if subscriptions
            else [],
            "event_type_in_path": self.coordinator.client.event_type_in_path,
            "subscribed_extensions": sorted(subscriptions.subscribed)
            if subscriptions
            else [],
            "failed_extensions": sorted(subscriptions.failed) if subscriptions else [],
            "last_error": subscriptions.last_error if subscriptions else None,
            "callbacks_received": self.callbacks_received,
            "callbacks_confirmed": self.callbacks_confirmed,
            # Since the last callback: three of them raise a repair issue.
            "calls_only_polling_found": self._unheralded_calls,
        }


def _named_extensions(marker: str | None, payload: CallEventPayload) -> list[str]:
    """Return the extensions a callback is for: the URL's, else the body's.

    The extension that received the call first for an incoming one, the one
    that placed it first for an outgoing one.
    """
    if marker:
        return [marker]
    if payload.flow == "OUT":
        named = [payload.caller_extension, payload.called_extension]
    else:
        named = [payload.called_extension, payload.caller_extension]
    return [number for number in named if number]
