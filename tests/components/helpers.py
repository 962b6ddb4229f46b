"""Helpers shared by the integration's tests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.auth.models import User
from homeassistant.config_entries import ConfigFlowResult
from homeassistant.core import Context, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.voipnow.const import CONF_QUEUES, DOMAIN
from tests.conftest import EXT_OFFICE, simulator_entry
from voipnow_simulator import RecordedRequest, VoipNowSimulator

# The timings the README promises, written here as numbers rather than imported
# from the code they check (a changed constant must fail a test).
# Calls are polled every 10 s by default, every minute once push works;
DEFAULT_SCAN_INTERVAL = timedelta(seconds=10)
PUSH_SCAN_INTERVAL = timedelta(seconds=60)
# extensions, presence and registrations are listed once a minute;
EXTENSIONS_REFRESH_INTERVAL = timedelta(minutes=1)
# a refused subscription is asked for again after 5 minutes;
SUBSCRIBE_RETRY = timedelta(minutes=5)
# the push repair comes after three calls no callback announced, or one
# after 30 minutes without any callback.
UNHERALDED_CALLS = 3
SILENT_FOR = timedelta(minutes=30)

CALLS_PATH = "/uapi/phoneCalls/@me/@self"
CALLS_PREFIX = "/uapi/phoneCalls/@me/"
# Who calls in from outside, and how Home Assistant names them.
CALLER = "5551234"
CALLER_NAME = "John Doe"
WHO = "John Doe (5551234)"
PRESENCE_PATH = "/uapi/extensions/@me/@self/presence"

# The call queue most queue tests name in the options.
SALES = "0003*300"

OFFICE_CALL_STATE = "sensor.extension_0003_210_call_state"
KITCHEN_CALL_STATE = "sensor.extension_0003_211_call_state"
GARAGE_CALL_STATE = "sensor.extension_0003_212_call_state"
OFFICE_REGISTERED = "binary_sensor.extension_0003_210_phone_registered"
KITCHEN_REGISTERED = "binary_sensor.extension_0003_211_phone_registered"
GARAGE_REGISTERED = "binary_sensor.extension_0003_212_phone_registered"


async def async_poll(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    interval: timedelta = DEFAULT_SCAN_INTERVAL,
) -> None:
    """Let one polling interval pass and wait for the update to finish."""
    freezer.tick(interval)
    async_fire_time_changed(hass)
    # The coordinator refreshes in a background task.
    await hass.async_block_till_done(wait_background_tasks=True)


def sales_entry(
    simulator: VoipNowSimulator, agents: dict[str, int], **options: Any
) -> MockConfigEntry:
    """The simulator's polled entry, with the queue Sales of these agents named."""
    simulator.add_queue(SALES, "Sales", agents)
    return simulator_entry(
        simulator, {CONF_QUEUES: [{"name": "Sales", "number": SALES}], **options}
    )


async def async_run_as(
    hass: HomeAssistant, user: User | str | None, action: str, data: dict[str, Any]
) -> None:
    """Run an action as Home Assistant runs one a user (or its id) asked for.

    No user: an automation.
    """
    await hass.services.async_call(
        DOMAIN,
        action,
        data,
        blocking=True,
        context=Context(user_id=user.id if isinstance(user, User) else user),
        return_response=action == "get_call_history",
    )


async def async_caller_name(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    number: str = "+40215550100",
) -> str:
    """Ring the office from `number`; return the name the sensor shows, then hang up."""
    call_id = await simulator.incoming_call(EXT_OFFICE, number, "PBX Name")
    await async_poll(hass, freezer)
    name = hass.states.get(OFFICE_CALL_STATE).attributes["caller_name"]
    await simulator.hangup_call(call_id)
    await async_poll(hass, freezer)
    return str(name)


async def async_state(
    hass: HomeAssistant, entity_id: str, *, background: bool = False
) -> str:
    """An entity's state once Home Assistant is done (background tasks too, if told).

    Without the background tasks: a state shown at once, before any refresh.
    """
    await hass.async_block_till_done(wait_background_tasks=background)
    return hass.states.get(entity_id).state


def calls_requests(simulator: VoipNowSimulator) -> int:
    """Count the requests listing the calls that the PBX received."""
    return len(simulator.api_requests("GET", CALLS_PATH))


def presence_requests(simulator: VoipNowSimulator) -> int:
    """Count the requests listing the extensions that the PBX received."""
    return len(simulator.api_requests("GET", PRESENCE_PATH))


async def async_open_options(
    hass: HomeAssistant, entry_id: str, step: str
) -> ConfigFlowResult:
    """Open the options and pick one subject from its menu."""
    result = await hass.config_entries.options.async_init(entry_id)
    assert result["type"] is FlowResultType.MENU
    assert result["step_id"] == "init"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": step}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == step
    return result


async def async_ring(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    entry: MockConfigEntry,
    extension: str = EXT_OFFICE,
    *,
    caller: str = CALLER,
    caller_name: str = CALLER_NAME,
    answer: bool = False,
    forget_requests: bool = True,
) -> str:
    """Ring an extension from outside (maybe answer) and let Home Assistant see it.

    The PBX then forgets the requests so far, unless told not to.
    """
    call_id = await simulator.incoming_call(extension, caller, caller_name)
    if answer:
        await simulator.answer_call(call_id)
    await entry.runtime_data.calls.async_refresh()
    await hass.async_block_till_done()
    if forget_requests:
        simulator.clear_requests()
    return call_id


def actions(simulator: VoipNowSimulator) -> list[RecordedRequest]:
    """The requests that changed a call (anything but listing)."""
    return [r for r in simulator.api_requests() if r.method in ("PUT", "DELETE")]


def sole_action(
    simulator: VoipNowSimulator, method: str, extension: str, call_id: str
) -> Any:
    """Check the PBX received one call action, on this call; return its body."""
    [request] = actions(simulator)
    assert (request.method, request.path) == (
        method,
        f"{CALLS_PREFIX}{extension}/{call_id}",
    )
    return request.json
