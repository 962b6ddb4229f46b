"""One request at a time per call: a double press must not reach the PBX twice."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util.hass_dict import HassKey

from .api import VoipNowError
from .const import DOMAIN
from .errors import ActsOnPbx, call_ended, pbx_error, validation_error

# The calls a request is under way for, per entry. Kept in `hass.data`, not
# in the coordinator: a request sent before a reload may still be under way.
_IN_FLIGHT: HassKey[dict[str, set[str]]] = HassKey(f"{DOMAIN}_in_flight")


class ActsOnCalls(ActsOnPbx, Protocol):
    """What the guard needs of the entry acting on calls (its calls coordinator)."""

    # The ids of the calls a request is under way for: `calls_in_flight`.
    in_flight: set[str]


type Translate = Callable[[ActsOnCalls, VoipNowError], HomeAssistantError]


def calls_in_flight(hass: HomeAssistant, entry_id: str) -> set[str]:
    """Return the ids of the calls of one entry a request is under way for."""
    return hass.data.setdefault(_IN_FLIGHT, {}).setdefault(entry_id, set())


async def async_act_once(
    coordinator: ActsOnCalls,
    call_id: str,
    send: Callable[[], Awaitable[bool]],
    translate: Translate = pbx_error,
) -> None:
    """Send one request for a call, refusing a second while it is under way.

    A double press or two automations at once must not reach the PBX twice.
    `send` builds the request (its fields are checked then) and answers
    False when the PBX had no such call: it ended first. The client's errors
    are translated by `translate`.
    """
    in_flight = coordinator.in_flight
    if call_id in in_flight:
        raise validation_error("call_busy", phone_call_id=call_id)
    in_flight.add(call_id)
    try:
        done = await send()
    except VoipNowError as err:
        raise translate(coordinator, err) from err
    finally:
        in_flight.discard(call_id)
    if not done:
        raise call_ended(coordinator, call_id)
