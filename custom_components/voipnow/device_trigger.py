"""Device triggers of an extension: incoming, outgoing, answered, missed, ended.

They fire from the integration's own signal, the one the event entity shows:
once per call event, never for one that was not delivered, and never for a
`voipnow_call_event` someone else fired on the bus. What automations get is
shaped as an event trigger's (`trigger.event.data`).
"""

from __future__ import annotations

from typing import Any, Final

from homeassistant.components.device_automation import DEVICE_TRIGGER_BASE_SCHEMA
from homeassistant.const import CONF_DEVICE_ID, CONF_DOMAIN, CONF_PLATFORM, CONF_TYPE
from homeassistant.core import CALLBACK_TYPE, Event, HassJob, HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.trigger import TriggerActionType, TriggerInfo
from homeassistant.helpers.typing import ConfigType

from .call_event import CallEventType, signal_device_call_event
from .const import DOMAIN
from .devices import extension_device
from .validation import vol

# The triggers the editor offers, in its order (the event types).
TRIGGER_TYPES: Final = [kind.value for kind in CallEventType]

TRIGGER_SCHEMA = DEVICE_TRIGGER_BASE_SCHEMA.extend(
    {vol.Required(CONF_TYPE): vol.In(TRIGGER_TYPES)}
)


async def async_get_triggers(
    hass: HomeAssistant, device_id: str
) -> list[dict[str, str]]:
    """List the call triggers of an extension's device."""
    if extension_device(hass, device_id) is None:
        return []
    return [
        {
            CONF_PLATFORM: "device",
            CONF_DOMAIN: DOMAIN,
            CONF_DEVICE_ID: device_id,
            CONF_TYPE: kind,
        }
        for kind in TRIGGER_TYPES
    ]


async def async_attach_trigger(
    hass: HomeAssistant,
    config: ConfigType,
    action: TriggerActionType,
    trigger_info: TriggerInfo,
) -> CALLBACK_TYPE:
    """Fire on this device's call events of one type."""
    trigger_data = trigger_info["trigger_data"]
    job = HassJob(action, f"VoipNow device trigger {trigger_info}")
    kind = config[CONF_TYPE]

    @callback
    def _async_on_event(event: Event[dict[str, Any]]) -> None:
        if event.data.get(CONF_TYPE) != kind:
            return
        hass.async_run_hass_job(
            job,
            {
                "trigger": {
                    **trigger_data,
                    CONF_PLATFORM: "device",
                    "event": event,
                    "description": f"event '{event.event_type}'",
                }
            },
            event.context,
        )

    return async_dispatcher_connect(
        hass, signal_device_call_event(config[CONF_DEVICE_ID]), _async_on_event
    )
