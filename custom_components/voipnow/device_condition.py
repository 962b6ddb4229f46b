"""Device conditions of an extension: ringing, on a call, on hold, idle."""

from __future__ import annotations

from typing import Final

from homeassistant.const import (
    CONF_CONDITION,
    CONF_DEVICE_ID,
    CONF_DOMAIN,
    CONF_TYPE,
    Platform,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import condition
from homeassistant.helpers.config_validation import DEVICE_CONDITION_BASE_SCHEMA
from homeassistant.helpers.typing import ConfigType, TemplateVarsType

from .const import DOMAIN, CallState
from .devices import extension_device
from .validation import vol

# Condition type -> the call state it checks.
CONDITION_TYPES: Final = {
    "is_ringing": CallState.RINGING,
    "is_on_call": CallState.ON_CALL,
    "is_on_hold": CallState.ON_HOLD,
    "is_idle": CallState.IDLE,
}

CONDITION_SCHEMA = DEVICE_CONDITION_BASE_SCHEMA.extend(
    {vol.Required(CONF_TYPE): vol.In(list(CONDITION_TYPES))}
)


async def async_get_conditions(
    hass: HomeAssistant, device_id: str
) -> list[dict[str, str]]:
    """List the call conditions of an extension's device."""
    if extension_device(hass, device_id) is None:
        return []
    return [
        {
            CONF_CONDITION: "device",
            CONF_DOMAIN: DOMAIN,
            CONF_DEVICE_ID: device_id,
            CONF_TYPE: kind,
        }
        for kind in CONDITION_TYPES
    ]


@callback
def async_condition_from_config(
    hass: HomeAssistant, config: ConfigType
) -> condition.ConditionCheckerType:
    """Check the extension's call state (false while it cannot be known)."""
    device_id: str = config[CONF_DEVICE_ID]
    wanted = CONDITION_TYPES[config[CONF_TYPE]]

    def test(hass: HomeAssistant, variables: TemplateVarsType) -> bool:
        """Tell whether the extension is in the wanted call state now."""
        device = extension_device(hass, device_id)
        entity_id = (
            device.entity_id(hass, Platform.SENSOR, "call_state") if device else None
        )
        return entity_id is not None and condition.state(hass, entity_id, wanted)

    return test
