"""Buttons of each extension: hang up, park, and transfer to each configured target."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from .actions import async_hangup_call, async_transfer_call
from .api import DEFAULT_PARKING, same_extension
from .call_actions import async_call_feature
from .call_features import FEATURES
from .const import ATTR_EXTENSION, ATTR_MAX_IN_PARKING, ATTR_PHONE_CALL_ID, DOMAIN
from .coordinator import VoipNowCoordinator
from .entity import (
    VoipNowExtensionEntity,
    VoipNowHistoryEntity,
    async_add_extension_entities,
)
from .runtime import VoipNowConfigEntry, VoipNowRuntime
from .targets import TransferTarget, transfer_targets

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class VoipNowButtonEntityDescription(ButtonEntityDescription):
    """Describes a button of an extension."""

    press_fn: Callable[[VoipNowCoordinator, str, str | None], Awaitable[Any]]
    placeholders: dict[str, str] | None = None


def _leading_call(coordinator: VoipNowCoordinator, extension: str) -> str | None:
    """The call a button acts on: the extension's leading call, if any."""
    call = coordinator.data.state_of(extension).call
    return call.phone_call_id if call else None


HANGUP = VoipNowButtonEntityDescription(
    key="hangup",
    translation_key="hangup",
    press_fn=lambda coordinator, extension, call_id: async_hangup_call(
        coordinator, extension=extension, phone_call_id=call_id
    ),
)


PARK = VoipNowButtonEntityDescription(
    key="park",
    translation_key="park",
    press_fn=lambda coordinator, extension, call_id: async_call_feature(
        coordinator,
        FEATURES["park_call"],
        {
            ATTR_EXTENSION: extension,
            ATTR_PHONE_CALL_ID: call_id,
            ATTR_MAX_IN_PARKING: DEFAULT_PARKING,
        },
    ),
)


def transfer_description(target: TransferTarget) -> VoipNowButtonEntityDescription:
    """Describe the button that sends an extension's call to one target."""
    return VoipNowButtonEntityDescription(
        key=target.key,
        translation_key="voicemail_to" if target.voicemail else "transfer_to",
        placeholders={"target": target.name},
        press_fn=lambda coordinator, extension, call_id: async_transfer_call(
            coordinator,
            extension=extension,
            phone_call_id=call_id,
            send_call_to=target.number,
            to_voicemail=target.voicemail,
        ),
    )


async def async_setup_entry(
    hass: HomeAssistant,
    entry: VoipNowConfigEntry,
    async_add_entities: AddEntitiesCallback,
) -> None:
    """Add the buttons of every extension; forget those of removed targets."""
    targets = transfer_targets(entry.options)
    descriptions = [HANGUP, PARK, *map(transfer_description, targets)]
    # Sending a caller to the extension's own voicemail is fine; ringing the
    # extension the call is already on is not (the PBX refuses it).
    ringing = {t.key: t.number for t in targets if not t.voicemail}

    def _wanted(extension: str, key: str) -> bool:
        return not same_extension(ringing.get(key, ""), extension)

    _async_remove_stale_buttons(
        hass, entry, {d.key for d in descriptions} | {CLEAR_MISSED.key}, _wanted
    )

    async_add_extension_entities(
        entry,
        async_add_entities,
        VoipNowButtonEntity,
        descriptions,
        lambda extension, description: _wanted(extension, description.key),
    )
    async_add_extension_entities(
        entry, async_add_entities, VoipNowClearMissedButton, (CLEAR_MISSED,)
    )


@callback
def _async_remove_stale_buttons(
    hass: HomeAssistant,
    entry: VoipNowConfigEntry,
    keys: set[str],
    wanted: Callable[[str, str], bool],
) -> None:
    """Remove the buttons of transfer targets that no longer exist.

    A button's unique id is `<server id>_<extension>_<key>`; extensions hold
    no `_`, so the id splits exactly.
    """
    registry = er.async_get(hass)
    prefix = f"{entry.runtime_data.calls.server_id}_"
    for reg_entry in er.async_entries_for_config_entry(registry, entry.entry_id):
        if reg_entry.domain != Platform.BUTTON or reg_entry.platform != DOMAIN:
            continue
        extension, _, key = reg_entry.unique_id.removeprefix(prefix).partition("_")
        if key not in keys or not wanted(extension, key):
            registry.async_remove(reg_entry.entity_id)


class VoipNowButtonEntity(VoipNowExtensionEntity, ButtonEntity):
    """A button acting on the extension's current call."""

    entity_description: VoipNowButtonEntityDescription

    def __init__(
        self,
        runtime: VoipNowRuntime,
        extension: str,
        description: VoipNowButtonEntityDescription,
    ) -> None:
        """Name the button after its target."""
        super().__init__(runtime, extension, description)
        if description.placeholders:
            self._attr_translation_placeholders = description.placeholders

    def _shown(self) -> object:
        """A button only shows availability."""
        return None

    async def async_press(self) -> None:
        """Act on the extension's leading call; no call gives a clear error."""
        await self.entity_description.press_fn(
            self.coordinator,
            self.extension,
            _leading_call(self.coordinator, self.extension),
        )


CLEAR_MISSED = ButtonEntityDescription(
    key="clear_missed_calls", translation_key="clear_missed_calls"
)


class VoipNowClearMissedButton(VoipNowHistoryEntity, ButtonEntity):
    """Clear the extension's missed-call badge, as a phone does."""

    async def async_press(self) -> None:
        """Start counting missed calls from now."""
        self.coordinator.async_clear([self.extension])
