"""The VoipNow integration: see and steer the calls of a VoipNow PBX."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.components import webhook
from homeassistant.const import (
    CONF_CLIENT_ID,
    CONF_CLIENT_SECRET,
    CONF_URL,
    CONF_VERIFY_SSL,
    CONF_WEBHOOK_ID,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.typing import ConfigType
from homeassistant.util import dt as dt_util

from .api import VoipNowClient
from .const import CONF_PUSH, CONF_PUSH_TRANSPORT, DOMAIN, PushTransport
from .coordinator import VoipNowCoordinator
from .history import VoipNowHistory, async_remove_history
from .kept_tracker import forget_tracker
from .number_kind import async_load_metadata
from .pbx_data import async_delete_issue
from .phonebook_manager import VoipNowPhonebook
from .push_transport import VoipNowPushTransport
from .push_url import async_delete_cloudhook
from .queues import VoipNowQueues
from .runtime import VoipNowConfigEntry, VoipNowRuntime
from .services import async_setup_services
from .subscriptions import async_delete_subscriptions

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.EVENT,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)
# The transports that may subscribe the PBX's extensions to our webhook.
_WEBHOOK_USERS = (PushTransport.AUTOMATIC, PushTransport.WEBHOOK)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions, once for all entries."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: VoipNowConfigEntry) -> bool:
    """Connect to the PBX, fetch the first picture and add the entities."""
    if CONF_WEBHOOK_ID not in entry.data:
        hass.config_entries.async_update_entry(
            entry, data={**entry.data, CONF_WEBHOOK_ID: webhook.async_generate_id()}
        )
    client = _client(hass, entry)
    phonebook = VoipNowPhonebook(hass, entry)
    await phonebook.async_setup()
    # Call events name the kind of each number: its metadata, read once.
    await async_load_metadata(hass)
    coordinator = VoipNowCoordinator(hass, entry, client, phonebook.name_of)
    await coordinator.async_config_entry_first_refresh()
    # New names show on the calls in progress at the next listing.
    phonebook.async_add_listener(coordinator.async_refresh_soon)
    history = VoipNowHistory(
        hass, entry, client, lambda: coordinator.extensions, phonebook.name_of
    )
    await history.async_load()
    queues = VoipNowQueues(hass, entry, client, coordinator.scan_interval)
    # Neither is needed for calls: a PBX without CDR, or with a queue
    # gone, still loads; their own entities are unavailable.
    await history.async_refresh()
    await queues.async_refresh()
    entry.runtime_data = VoipNowRuntime(
        calls=coordinator, history=history, queues=queues, phonebook=phonebook
    )
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    coordinator.async_start_delivering()
    chosen = _push_transport(entry.options)
    if chosen is not PushTransport.POLLING:
        push = VoipNowPushTransport(
            hass, coordinator, chosen, entry.data[CONF_WEBHOOK_ID]
        )
        coordinator.push = push
        entry.async_on_unload(push.async_stop)
        await push.async_start()
    entry.async_on_unload(entry.add_update_listener(_async_options_updated))
    return True


async def async_migrate_entry(hass: HomeAssistant, entry: VoipNowConfigEntry) -> bool:
    """Bring an entry of an older version up to date (1.1: push was a boolean)."""
    if entry.version > 1:
        return False
    if entry.minor_version < 2:
        options = dict(entry.options)
        push = options.pop(CONF_PUSH, True)
        options.setdefault(
            CONF_PUSH_TRANSPORT,
            PushTransport.AUTOMATIC if push else PushTransport.POLLING,
        )
        hass.config_entries.async_update_entry(entry, options=options, minor_version=2)
    return True


def _push_transport(options: Mapping[str, Any]) -> PushTransport:
    """Return the push transport the options chose (automatic by default)."""
    try:
        return PushTransport(options.get(CONF_PUSH_TRANSPORT, PushTransport.AUTOMATIC))
    except ValueError:
        return PushTransport.AUTOMATIC


def _client(hass: HomeAssistant, entry: VoipNowConfigEntry) -> VoipNowClient:
    """Build the API client of an entry on Home Assistant's shared session."""
    return VoipNowClient(
        async_get_clientsession(hass, verify_ssl=entry.data.get(CONF_VERIFY_SSL, True)),
        entry.data[CONF_URL],
        entry.data[CONF_CLIENT_ID],
        entry.data[CONF_CLIENT_SECRET],
        # Dates the PBX sends without a zone are its local time: the best
        # guess is that it runs in Home Assistant's.
        time_zone=dt_util.get_default_time_zone(),
    )


async def async_unload_entry(hass: HomeAssistant, entry: VoipNowConfigEntry) -> bool:
    """Unload the platforms; the coordinator stops with the entry."""
    entry.runtime_data.phonebook.async_unload()
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: VoipNowConfigEntry) -> None:
    """Delete this entry's call event subscriptions (and cloudhook)."""
    await async_delete_subscriptions(hass, _client(hass, entry), entry.entry_id)
    await async_remove_history(hass, entry.entry_id)
    forget_tracker(hass, entry.entry_id)
    async_delete_issue(hass, entry.entry_id)
    if CONF_WEBHOOK_ID in entry.data:
        await async_delete_cloudhook(hass, entry.data[CONF_WEBHOOK_ID])


async def _async_options_updated(
    hass: HomeAssistant, entry: VoipNowConfigEntry
) -> None:
    """Apply changed options by reloading the entry.

    Only options: reauthentication and reconfiguration change the data and
    reload the entry themselves. When the webhook can no longer be used,
    our subscriptions are taken back from the PBX.
    """
    coordinator = entry.runtime_data.calls
    if entry.options == coordinator.options:
        return
    if _push_transport(coordinator.options) in _WEBHOOK_USERS and (
        _push_transport(entry.options) not in _WEBHOOK_USERS
    ):
        await async_delete_subscriptions(
            hass, coordinator.client, entry.entry_id, list(coordinator.extensions)
        )
    await hass.config_entries.async_reload(entry.entry_id)
