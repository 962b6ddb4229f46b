"""PhoneCallEvents subscriptions: each extension's, ours alone, never piled up.

Every extension is subscribed to each event type the PBX accepts, with a POST
to the entry's webhook; each subscription's URL carries the event type and
the extension in its query, because the callback body does not say which
subscription fired. Ours are marked with a note naming this Home Assistant
and the entry, so restarts reuse them and other entries and Apps keep theirs.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
import logging
import time
from typing import Final

from homeassistant.core import HomeAssistant
from homeassistant.helpers import instance_id
from yarl import URL

from .api import (
    EVENT_TYPE_REFUSED,
    CallEventSubscription,
    SubscriptionEventType,
    VoipNowClient,
    VoipNowError,
    VoipNowResponseError,
)
from .const import LOGGER

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
ANSWER_TYPES: Final = frozenset(
    {SubscriptionEventType.ANSWER_IN, SubscriptionEventType.ANSWER_OUT}
)


class Subscriptions:
    """Keep one entry's subscriptions on the PBX in step with its extensions."""

    def __init__(
        self, hass: HomeAssistant, client: VoipNowClient, base_url: str, note: str
    ) -> None:
        """Subscribe to `base_url` with `note`; nothing is sent yet."""
        self.hass = hass
        self.client = client
        self.url = base_url
        self._note = note
        self.subscribed: set[str] = set()
        # Event types the PBX refused as unknown (a 3.x server knows 0-2):
        # not asked again until the entry is reloaded.
        self.unsupported: set[SubscriptionEventType] = set()
        # When each extension's subscription last failed.
        self._failed_at: dict[str, float] = {}
        self.last_error: str | None = None
        self.syncing = False

    @property
    def event_types(self) -> list[SubscriptionEventType]:
        """The event types this entry subscribes to."""
        return [kind for kind in MARKERS if kind not in self.unsupported]

    def failing(self, extensions: Iterable[str]) -> bool:
        """Tell whether one of these extensions could not be subscribed."""
        return bool(self._failed_at.keys() & set(extensions))

    @property
    def failed(self) -> set[str]:
        """Extensions whose subscription failed lately (not yet due for a retry)."""
        now = time.monotonic()
        retry = SUBSCRIBE_RETRY.total_seconds()
        return {ext for ext, at in self._failed_at.items() if now - at < retry}

    def due(self, extensions: Iterable[str]) -> bool:
        """Forget extensions that are gone; tell whether another needs a sync."""
        current = set(extensions)
        self.subscribed.intersection_update(current)
        return not self.syncing and bool(current - self.subscribed - self.failed)

    async def async_sync(self, extensions: Iterable[str]) -> None:
        """Make sure each extension has exactly our subscriptions (one sync at once).

        Ours are recognised by their note; stale ones (another URL, a type we
        did not ask for, duplicates, an entry that no longer exists) are
        deleted, missing ones created. An extension that fails is polled,
        tried again later, and warned about once.
        """
        if self.syncing:
            return
        self.syncing = True
        try:
            for extension in list(extensions):
                if extension not in self.subscribed:
                    await self._async_sync_one(extension)
        finally:
            self.syncing = False

    async def _async_sync_one(self, extension: str) -> None:
        """Subscribe one extension; note a failure instead of raising it."""
        try:
            await self._async_sync_extension(extension)
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

    async def _async_sync_extension(self, extension: str) -> None:
        """Reuse, replace or create the subscriptions of one extension."""
        client = self.client
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
                and _same_url(sub.url, self.subscription_url(extension, sub.type))
            ):
                missing.discard(sub.type)
                continue
            await _async_delete(client, extension, sub)
        for kind in sorted(missing):
            try:
                await client.async_create_call_event_subscription(
                    extension=extension,
                    event_type=kind,
                    url=self.subscription_url(extension, kind),
                    note=self._note,
                )
            except VoipNowResponseError as err:
                if err.code not in EVENT_TYPE_REFUSED or kind not in ANSWER_TYPES:
                    raise
                # A 3.x server documents 0-2 only: working as documented.
                LOGGER.debug("The PBX has no call event type %s", int(kind))
                self.unsupported.add(kind)

    def subscription_url(self, extension: str, kind: SubscriptionEventType) -> str:
        """Return the URL one extension's subscription to one event calls."""
        return str(
            URL(self.url).update_query(
                {QUERY_EVENT: MARKERS[kind], QUERY_EXTENSION: extension}
            )
        )


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
