"""Coordinator polling the calls and extensions of one VoipNow App."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
import time
from typing import Any, Protocol

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_SCAN_INTERVAL
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator

from .api import Extension, PhoneCall, VoipNowClient, same_extension, short_extension
from .call_event import CallEvent
from .call_guard import calls_in_flight
from .calls import (
    IDLE,
    CallbackHint,
    ExtensionCall,
    ExtensionCallState,
    call_states,
    named_states,
    summarise,
)
from .const import (
    CONF_SERVER_ID,
    DEFAULT_SCAN_INTERVAL,
    DOMAIN,
    EXTENSIONS_REFRESH_INTERVAL,
    LOGGER,
    PUSH_SCAN_INTERVAL,
    QUEUE_DEVICE,
)
from .deliver import async_deliver
from .errors import update_errors
from .kept_tracker import kept_tracker
from .listing_gate import ListingGate
from .pbx_data import async_checked_extensions
from .phonebook_manager import NameLookup
from .refusals import refusals
from .relisting import Relister


class PushHealth(Protocol):
    """What polling needs to know of push (implemented by `push_transport.VoipNowPushTransport`)."""

    @property
    def working(self) -> bool:
        """Callbacks arrive for every extension: polling may slow down."""

    def poll_found_events(self, events: list[CallEvent]) -> int:
        """A listing found call events; return how many a socket message announced."""

    def as_diagnostics(self) -> dict[str, Any]:
        """Describe push for the diagnostics, without secrets."""


@dataclass(frozen=True, slots=True, kw_only=True)
class VoipNowData:
    """One consistent picture of the PBX: extensions, calls and what each does."""

    extensions: Mapping[str, Extension] = field(default_factory=dict)
    calls: tuple[PhoneCall, ...] = ()
    states: Mapping[str, ExtensionCallState] = field(default_factory=dict)

    def state_of(self, extension: str) -> ExtensionCallState:
        """Return what one extension is doing (idle when unknown)."""
        return self.states.get(extension, IDLE)

    def with_state(self, extension: str, state: ExtensionCallState) -> VoipNowData:
        """Return the same picture with one extension's state replaced."""
        return VoipNowData(
            extensions=self.extensions,
            calls=self.calls,
            states={**self.states, extension: state},
        )


class VoipNowCoordinator(DataUpdateCoordinator[VoipNowData]):
    """Poll the PBX: all calls in one request per cycle, extensions less often."""

    config_entry: ConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        client: VoipNowClient,
        name_of: NameLookup = lambda number: None,
    ) -> None:
        """Set up the coordinator with the interval from the options.

        `name_of` gives the phonebook's name of a number (None: no name).
        """
        seconds = entry.options.get(CONF_SCAN_INTERVAL)
        self.scan_interval = (
            timedelta(seconds=seconds) if seconds else DEFAULT_SCAN_INTERVAL
        )
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {client.host}",
            update_interval=self.scan_interval,
            always_update=False,
        )
        self.client = client
        self.name_of = name_of
        # The extensions by short number, for the listing they were read from.
        self._short_index: tuple[
            Mapping[str, Extension] | None, dict[str, list[str]]
        ] = (
            None,
            {},
        )
        # The options this coordinator runs with (a change reloads the entry).
        self.options = dict(entry.options)
        self.server_id = entry.data.get(CONF_SERVER_ID) or entry.unique_id
        self.tracker = kept_tracker(hass, entry)
        # The calls an action is under way for (see `call_guard`).
        self.in_flight = calls_in_flight(hass, entry.entry_id)
        # Calls an action moved away or ended, until `data` drops them (on
        # the loop's next turn): actions no longer find them.
        self.leaving: set[str] = set()
        self.push: PushHealth | None = None
        self._extensions: dict[str, Extension] | None = None
        self._extensions_fetched = 0.0
        self._relister = Relister(hass, entry, self.async_refresh)
        self._gate = ListingGate(hass, self.async_refresh_soon)
        entry.async_on_unload(self._gate.cancel)
        # Devices whose extension the last presence listing lacked.
        self._missing_devices: set[str] = set()
        # Events found while the entry sets up (a call that ended during a
        # reload) wait for the entities and the history to listen.
        self._early: list[CallEvent] | None = []

    def signal_call_event(self, extension: str) -> str:
        """The dispatcher signal that carries one extension's call events.

        One signal per extension: an event wakes its own entity only, not
        every entity of the entry (that grew with extensions times events).
        """
        return f"{DOMAIN}_{self.config_entry.entry_id}_call_event_{extension}"

    @property
    def extensions(self) -> Mapping[str, Extension]:
        """The extensions known from the last successful update."""
        return self.data.extensions if self.data else {}

    def calls_to_act_on(self, extension: str) -> tuple[ExtensionCall, ...]:
        """Return an extension's calls, less those an action just handled.

        A call an action moved away or ended stays in `data` until the loop's
        next turn (`leaving`); a second action must not find it meanwhile.
        """
        calls = self.data.state_of(extension).calls
        if leaving := self.leaving:
            return tuple(c for c in calls if c.phone_call_id not in leaving)
        return calls

    def find_extension(self, number: str) -> str | None:
        """Return the full number of one of our extensions (`210` finds `0003*210`).

        One dictionary read per call (every call event asks it of its other
        party): the extensions are indexed by their short number once per
        listing of them.
        """
        extensions = self.extensions
        if number in extensions:
            return number
        if not number:
            return None
        if self._short_index[0] is not extensions:
            index: dict[str, list[str]] = {}
            for ext in extensions:
                index.setdefault(short_extension(ext), []).append(ext)
            self._short_index = (extensions, index)
        matches = [
            ext
            for ext in self._short_index[1].get(short_extension(number), ())
            if same_extension(ext, number)
        ]
        return matches[0] if len(matches) == 1 else None

    async def _async_update_data(self) -> VoipNowData:
        """Fetch the calls, and the extensions when they are due."""
        with (
            update_errors("update_failed", reauth=True),
            refusals(self, ("calls", "extensions"), None),
        ):
            extensions = self._extensions
            listed_now = False
            if (
                extensions is None
                or time.monotonic() - self._extensions_fetched
                >= EXTENSIONS_REFRESH_INTERVAL.total_seconds()
            ):
                extensions = async_checked_extensions(
                    self.hass,
                    self.config_entry,
                    await self.client.async_list_extensions(),
                )
                self._extensions = extensions
                self._extensions_fetched = time.monotonic()
                listed_now = True
            # What callbacks said so far, this listing confirms or not.
            self.tracker.listing_begins()
            calls = await self.client.async_list_calls()
        data = VoipNowData(
            extensions=extensions,
            calls=tuple(calls),
            states=named_states(call_states(extensions, calls), self.name_of),
        )
        if listed_now:
            self._async_remove_stale_devices(data.extensions)
        # The listing is the truth: calls it no longer lists have ended,
        # whatever callbacks were lost while the PBX or Home Assistant was away.
        events = self.tracker.observe_poll(
            data.states, {call.id: call.answered is not None for call in calls}
        )
        if dropped := self.tracker.take_dropped():
            LOGGER.warning(
                "The PBX listed %s calls beyond what is kept per extension; "
                "their end is not reported",
                dropped,
            )
        if events:
            confirmed = sum(event.heralded for event in events)
            if self.push is not None:
                confirmed += self.push.poll_found_events(events)
            self._gate.refund(confirmed)
            # An automation a call event triggers may act on the call at once
            # (a device action hangs it up): it must find the call listed.
            self.data = data
            if self._early is None:
                async_deliver(self, events)
            else:
                self._early.extend(events)
        self.update_interval = (
            max(PUSH_SCAN_INTERVAL, self.scan_interval)
            if self.push is not None and self.push.working
            else self.scan_interval
        )
        return data

    @callback
    def async_start_delivering(self) -> None:
        """Deliver the events found during setup; later ones go out at once."""
        early, self._early = self._early or [], None
        if early:
            async_deliver(self, early)

    @callback
    def async_take_callback(self, hint: CallbackHint) -> None:
        """Take in a callback: it changes nothing shown, it wakes a listing.

        Whoever has the webhook URL can post one: what it says counts only
        once a listing shows it (see `tracker`).
        """
        self.tracker.note_callback(hint)
        self.request_listing(source="callback")

    @callback
    def request_listing(self, *, source: str) -> None:
        """Ask for a listing because push said something changed.

        For every kind of push (`callback`, `socket`): non-blocking,
        coalesced (one listing runs, at most one waits) and rate limited (a
        small burst at once, then about one a second).
        """
        LOGGER.debug("Listing the calls: %s", source)
        self._gate.request()

    @callback
    def async_call_handled(
        self, extension: str, phone_call_id: str, then: Callable[[], None]
    ) -> None:
        """Take in that Home Assistant moved a call away or ended it.

        Its end is not a missed call, and it stops showing at once: until the
        re-list confirms it, a second press of the same button, or a second
        action, must not find the call and send the PBX another request.
        `then` runs once the caller has its answer (it tells the event bus).
        """
        self.tracker.mark_handled(extension, phone_call_id)
        # Actions skip it from now on (`leaving`); the data and the entities
        # drop it on the next turn of the loop, once the caller has its answer.
        self.leaving.add(phone_call_id)
        self.hass.loop.call_soon(
            self._async_after_action, extension, phone_call_id, then
        )

    @callback
    def _async_after_action(
        self, extension: str, phone_call_id: str, then: Callable[[], None]
    ) -> None:
        """Show a handled call gone, tell what was done, and re-list to confirm it."""
        changed = False
        if self.data is not None and self.last_update_success:
            state = self.data.state_of(extension)
            remaining = [c for c in state.calls if c.phone_call_id != phone_call_id]
            if changed := len(remaining) != len(state.calls):
                self.data = self.data.with_state(extension, summarise(remaining))
        self.leaving.discard(phone_call_id)
        then()
        if changed:
            self.async_update_listeners()
        self.async_refresh_soon()

    @callback
    def async_refresh_soon(self) -> None:
        """Re-list the calls at once, coalescing bursts (after actions, callbacks).

        Not a cooldown: a second action must show at once too (see `relisting`).
        """
        self._relister.request()

    @callback
    def _async_remove_stale_devices(self, extensions: Mapping[str, Extension]) -> None:
        """Remove devices of extensions the PBX stopped listing.

        Removing a device drops its entities' customisations, so a device goes
        only when two listings in a row lack its extension, and never on an
        empty listing (more likely a PBX hiccup than a user with no phones).
        """
        if not extensions:
            return
        registry = dr.async_get(self.hass)
        wanted = {(DOMAIN, self.device_identifier(number)) for number in extensions}
        missing: set[str] = set()
        for device in dr.async_entries_for_config_entry(
            registry, self.config_entry.entry_id
        ):
            # Queue devices belong to the queues of the options, not to this.
            if device.identifiers & wanted or self.is_queue_device(device):
                continue
            if device.id not in self._missing_devices:
                missing.add(device.id)
                continue
            LOGGER.debug("Removing device %s: extension is gone", device.name)
            # Our devices belong to this entry alone: remove them outright
            # (detaching an entry from a device is deprecated in 2026.x).
            registry.async_remove_device(device.id)
        self._missing_devices = missing

    def device_identifier(self, extension: str) -> str:
        """Return the stable device identifier of an extension."""
        return f"{self.server_id}_{extension}"

    def queue_identifier(self, queue: str) -> str:
        """Return the stable device identifier of a call queue."""
        return f"{self.server_id}_{QUEUE_DEVICE}{queue}"

    def is_queue_device(self, device: dr.DeviceEntry) -> bool:
        """Tell whether a device of the entry is a call queue."""
        prefix = f"{self.server_id}_{QUEUE_DEVICE}"
        return any(
            domain == DOMAIN and identifier.startswith(prefix)
            for domain, identifier in device.identifiers
        )
