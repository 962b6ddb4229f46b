"""The Recording switch of each extension: on while its current call is recorded."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription

from .call_actions import async_call_feature
from .call_features import FEATURES
from .calls import ExtensionCall
from .const import ATTR_EXTENSION, ATTR_FORMAT, ATTR_PHONE_CALL_ID
from .entity import VoipNowExtensionEntity, extension_platform
from .recording import Recordings, recordings

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class VoipNowSwitchEntityDescription(SwitchEntityDescription):
    """Describes a switch of an extension's current call."""

    is_on_fn: Callable[[Recordings, ExtensionCall, object], bool]
    # The actions (rows of the call actions' table) that turn it on and off.
    turn_on: str
    turn_off: str
    # Fields the turning on sends besides the call.
    on_data: dict[str, Any]


SWITCHES: tuple[VoipNowSwitchEntityDescription, ...] = (
    VoipNowSwitchEntityDescription(
        key="recording",
        translation_key="recording",
        is_on_fn=lambda known, call, listing: known.is_recording(call, listing),
        turn_on="start_recording",
        turn_off="stop_recording",
        on_data={ATTR_FORMAT: "wav"},
    ),
)


class VoipNowSwitchEntity(VoipNowExtensionEntity, SwitchEntity):
    """A switch of what happens to the extension's current call."""

    entity_description: VoipNowSwitchEntityDescription

    def _shown(self) -> object:
        """What the switch shows: whether there is a call, and its state."""
        return (self.call_state.call is not None, self.is_on)

    @property
    def available(self) -> bool:
        """Available while the extension has a call to act on."""
        return super().available and self.call_state.call is not None

    @property
    def is_on(self) -> bool:
        """Whether the extension's current call is (being) recorded."""
        call = self.call_state.call
        return call is not None and self.entity_description.is_on_fn(
            recordings(self.coordinator), call, self.coordinator.data
        )

    async def _async_act(self, feature: str, data: dict[str, Any]) -> None:
        """Run an action on the current call, then show what it did."""
        call = self.call_state.call
        await async_call_feature(
            self.coordinator,
            FEATURES[feature],
            {
                ATTR_EXTENSION: self.extension,
                ATTR_PHONE_CALL_ID: call.phone_call_id if call else None,
                **data,
            },
        )
        self.async_write_ha_state()

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Start (recording)."""
        description = self.entity_description
        await self._async_act(description.turn_on, description.on_data)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Stop (recording)."""
        await self._async_act(self.entity_description.turn_off, {})


# Adds the switches of every extension.
async_setup_entry = extension_platform((VoipNowSwitchEntity, SWITCHES))
