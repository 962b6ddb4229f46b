"""Device actions of an extension: hang up, transfer, hold, park, pick up, record, call.

Each runs the `voipnow.*` action of the same name for the device's extension,
so it checks, refuses and fails exactly like that action does.
"""

from __future__ import annotations

from typing import Any, Final

from homeassistant.const import CONF_DEVICE_ID, CONF_DOMAIN, CONF_TYPE
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, selector
from homeassistant.helpers.typing import ConfigType, TemplateVarsType

from .const import (
    ATTR_CONFIG_ENTRY_ID,
    ATTR_DESTINATION,
    ATTR_EXTENSION,
    ATTR_SEND_CALL_TO,
    ATTR_TO_VOICEMAIL,
    DOMAIN,
)
from .devices import extension_device
from .targets import transfer_targets
from .validation import vol

ACTION_HANGUP: Final = "hangup_call"
ACTION_TRANSFER: Final = "transfer_call"
ACTION_HOLD: Final = "hold_call"
ACTION_UNHOLD: Final = "unhold_call"
ACTION_MAKE_CALL: Final = "make_call"
ACTION_PARK: Final = "park_call"
ACTION_PICKUP: Final = "pickup_call"
ACTION_START_RECORDING: Final = "start_recording"
ACTION_STOP_RECORDING: Final = "stop_recording"
# The extension that picks up the device's ringing call.
CONF_PICKUP_ON: Final = "pickup_on"

# The actions the editor offers, in its order.
ACTION_TYPES: Final = [
    ACTION_HANGUP,
    ACTION_TRANSFER,
    ACTION_HOLD,
    ACTION_UNHOLD,
    ACTION_PARK,
    ACTION_PICKUP,
    ACTION_START_RECORDING,
    ACTION_STOP_RECORDING,
    ACTION_MAKE_CALL,
]
# The actions that need nothing but the extension.
_PLAIN: Final = [
    ACTION_HANGUP,
    ACTION_HOLD,
    ACTION_UNHOLD,
    ACTION_PARK,
    ACTION_START_RECORDING,
    ACTION_STOP_RECORDING,
]

_TEXT = vol.All(cv.string, vol.Length(min=1, max=64))

ACTION_SCHEMA = vol.Any(
    cv.DEVICE_ACTION_BASE_SCHEMA.extend(
        {
            vol.Required(CONF_TYPE): ACTION_TRANSFER,
            vol.Required(ATTR_SEND_CALL_TO): _TEXT,
            vol.Optional(ATTR_TO_VOICEMAIL, default=False): cv.boolean,
        }
    ),
    cv.DEVICE_ACTION_BASE_SCHEMA.extend(
        {
            vol.Required(CONF_TYPE): ACTION_MAKE_CALL,
            vol.Required(ATTR_DESTINATION): _TEXT,
        }
    ),
    cv.DEVICE_ACTION_BASE_SCHEMA.extend(
        {
            vol.Required(CONF_TYPE): ACTION_PICKUP,
            vol.Required(CONF_PICKUP_ON): _TEXT,
        }
    ),
    cv.DEVICE_ACTION_BASE_SCHEMA.extend({vol.Required(CONF_TYPE): vol.In(_PLAIN)}),
)


async def async_get_actions(
    hass: HomeAssistant, device_id: str
) -> list[dict[str, str]]:
    """List the call actions of an extension's device."""
    if extension_device(hass, device_id) is None:
        return []
    return [
        {CONF_DEVICE_ID: device_id, CONF_DOMAIN: DOMAIN, CONF_TYPE: kind}
        for kind in ACTION_TYPES
    ]


async def async_call_action_from_config(
    hass: HomeAssistant,
    config: ConfigType,
    variables: TemplateVarsType,
    context: Context | None,
) -> None:
    """Run the action for the device's extension."""
    device = extension_device(hass, config[CONF_DEVICE_ID])
    if device is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="device_not_loaded"
        )
    data: dict[str, Any] = {
        ATTR_CONFIG_ENTRY_ID: device.coordinator.config_entry.entry_id,
        ATTR_EXTENSION: device.extension,
    }
    kind: str = config[CONF_TYPE]
    if kind == ACTION_TRANSFER:
        data[ATTR_SEND_CALL_TO] = config[ATTR_SEND_CALL_TO]
        data[ATTR_TO_VOICEMAIL] = config[ATTR_TO_VOICEMAIL]
    elif kind == ACTION_MAKE_CALL:
        data[ATTR_DESTINATION] = config[ATTR_DESTINATION]
    elif kind == ACTION_PICKUP:
        data[ATTR_SEND_CALL_TO] = config[CONF_PICKUP_ON]
    await hass.services.async_call(DOMAIN, kind, data, blocking=True, context=context)


async def async_get_action_capabilities(
    hass: HomeAssistant, config: ConfigType
) -> dict[str, vol.Schema]:
    """Describe the fields the editor asks for."""
    kind = config[CONF_TYPE]
    if kind == ACTION_MAKE_CALL:
        return {"extra_fields": vol.Schema({vol.Required(ATTR_DESTINATION): str})}
    if kind == ACTION_PICKUP:
        return {
            "extra_fields": vol.Schema(
                {
                    vol.Required(CONF_PICKUP_ON): selector.SelectSelector(
                        selector.SelectSelectorConfig(
                            options=_transfer_options(
                                hass, config[CONF_DEVICE_ID], targets=False
                            ),
                            custom_value=True,
                            mode=selector.SelectSelectorMode.DROPDOWN,
                        )
                    )
                }
            )
        }
    if kind != ACTION_TRANSFER:
        return {}
    return {
        "extra_fields": vol.Schema(
            {
                vol.Required(ATTR_SEND_CALL_TO): selector.SelectSelector(
                    selector.SelectSelectorConfig(
                        options=_transfer_options(hass, config[CONF_DEVICE_ID]),
                        custom_value=True,
                        mode=selector.SelectSelectorMode.DROPDOWN,
                    )
                ),
                vol.Optional(ATTR_TO_VOICEMAIL, default=False): bool,
            }
        )
    }


def _transfer_options(
    hass: HomeAssistant, device_id: str, *, targets: bool = True
) -> list[selector.SelectOptionDict]:
    """Offer the named transfer targets (unless not wanted), then the other extensions."""
    device = extension_device(hass, device_id)
    if device is None:
        return []
    coordinator = device.coordinator
    options = [
        selector.SelectOptionDict(value=target.name, label=target.name)
        for target in transfer_targets(coordinator.config_entry.options)
        if targets
    ]
    options.extend(
        selector.SelectOptionDict(
            value=number,
            label=f"{extension.name} ({number})" if extension.name else number,
        )
        for number, extension in sorted(coordinator.extensions.items())
        if number != device.extension
    )
    return options
