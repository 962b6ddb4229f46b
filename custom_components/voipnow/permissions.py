"""Who may run an action: Home Assistant's entity permissions, as entity services ask.

Each action names what it acts on (its scope): an extension, every extension,
or a queue. A user who is not an administrator needs control permission on
the entities of each: an extension's call-state sensor, a queue's agent
selects. Home Assistant's entity services ask control even of actions that
only return data, and so do these. Calls with no user (automations, scripts,
the system) and administrators are not checked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from homeassistant.auth.models import User
from homeassistant.auth.permissions.const import POLICY_CONTROL
from homeassistant.components.select import DOMAIN as SELECT_DOMAIN
from homeassistant.components.sensor import DOMAIN as SENSOR_DOMAIN
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import Unauthorized, UnknownUser
from homeassistant.helpers import device_registry as dr, entity_registry as er

from .actions import known_extension
from .const import ATTR_EXTENSION, DOMAIN
from .coordinator import VoipNowCoordinator
from .queue_actions import ATTR_QUEUE, known_queue
from .queues import CallQueue
from .runtime import VoipNowRuntime

# What an action acts on, as the entities whose control permission it needs.
# A scope may raise a validation error for a field naming nothing (an unknown
# extension): that is bad input, whoever asks.
type Scope = Callable[[HomeAssistant, VoipNowRuntime, Mapping[str, Any]], list[str]]

# Checked when an entity of a scope is missing from the registry: nobody but
# an administrator may act on what no permission can be given for.
_MISSING = "sensor.voipnow_missing_entity"


def _entity_id(hass: HomeAssistant, domain: str, unique_id: str) -> str | None:
    """Return the entity id the registry gives an entity of ours."""
    return er.async_get(hass).async_get_entity_id(domain, DOMAIN, unique_id)


def _call_states(
    hass: HomeAssistant, calls: VoipNowCoordinator, extensions: Iterable[str]
) -> list[str]:
    """Return the call-state sensors of some extensions."""
    return [
        _entity_id(hass, SENSOR_DOMAIN, f"{calls.device_identifier(number)}_call_state")
        or _MISSING
        for number in extensions
    ]


def extension_scope(
    hass: HomeAssistant, runtime: VoipNowRuntime, data: Mapping[str, Any]
) -> list[str]:
    """The extension an action names, or every extension it could touch."""
    if (extension := data.get(ATTR_EXTENSION)) is None:
        return _call_states(hass, runtime.calls, runtime.calls.extensions)
    return _call_states(
        hass, runtime.calls, [known_extension(runtime.calls, extension)]
    )


def queue_scope(
    hass: HomeAssistant, runtime: VoipNowRuntime, data: Mapping[str, Any]
) -> list[str]:
    """The agent selects of the queue an action names."""
    return _agent_selects(hass, runtime, known_queue(runtime, data[ATTR_QUEUE]))


def _agent_selects(
    hass: HomeAssistant, runtime: VoipNowRuntime, queue: CallQueue
) -> list[str]:
    """Return the agent selects of a queue (or, with none, what only admins pass)."""
    device = dr.async_get(hass).async_get_device(
        identifiers={(DOMAIN, runtime.calls.queue_identifier(queue.number))}
    )
    entries = (
        er.async_entries_for_device(er.async_get(hass), device.id)
        if device is not None
        else []
    )
    selects = [entry.entity_id for entry in entries if entry.domain == SELECT_DOMAIN]
    # A queue whose agents were never listed has no selects: only an
    # administrator may act on it.
    return selects or [_MISSING]


async def async_caller(hass: HomeAssistant, context: Context) -> User | None:
    """Return the user who called an action (None: an automation or the system)."""
    if context.user_id is None:
        return None
    if (user := await hass.auth.async_get_user(context.user_id)) is None:
        raise UnknownUser(context=context, permission=POLICY_CONTROL)
    return user


def check_control(user: User, context: Context, entity_ids: Iterable[str]) -> None:
    """Refuse a user without control permission on one of the entities."""
    for entity_id in entity_ids:
        if not user.permissions.check_entity(entity_id, POLICY_CONTROL):
            raise Unauthorized(
                context=context, entity_id=entity_id, permission=POLICY_CONTROL
            )


async def async_check_voice(
    hass: HomeAssistant,
    context: Context | None,
    calls: VoipNowCoordinator,
    extensions: Iterable[str] = (),
    queues: tuple[VoipNowRuntime, Iterable[CallQueue]] | None = None,
) -> None:
    """Check a spoken request as an action's: control of what it acts on."""
    if context is None or (user := await async_caller(hass, context)) is None:
        return
    if user.is_admin:
        return
    entity_ids = _call_states(hass, calls, extensions)
    if queues is not None:
        runtime, listed = queues
        for queue in listed:
            entity_ids += _agent_selects(hass, runtime, queue)
    check_control(user, context, entity_ids)
