"""Home Assistant's permissions apply to the VoipNow actions, as to entity services.

A user who is not an administrator needs control permission on the entities
of what an action acts on (an extension's call-state sensor, a queue's agent
selects). Real users of Home Assistant's groups call real actions; a refusal
sends nothing to the PBX.
"""

from __future__ import annotations

from typing import Any

from homeassistant.auth.models import User
from homeassistant.auth.permissions.const import POLICY_CONTROL
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import Unauthorized, UnknownUser
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser

from custom_components.voipnow.const import CONF_TRANSFER_TARGETS
from tests.conftest import EXT_KITCHEN, EXT_OFFICE
from voipnow_simulator import VoipNowSimulator

from .helpers import (
    KITCHEN_CALL_STATE,
    OFFICE_CALL_STATE,
    SALES,
    async_run_as,
    sales_entry,
)

SALES_SELECT = "select.queue_sales_agent_210"

# Every action, with what it needs to do something; the entity whose control
# permission it asks for.
ACTIONS: list[tuple[str, dict[str, Any], str]] = [
    ("hangup_call", {"extension": EXT_OFFICE}, OFFICE_CALL_STATE),
    ("hold_call", {"extension": EXT_OFFICE}, OFFICE_CALL_STATE),
    ("unhold_call", {"extension": EXT_OFFICE}, OFFICE_CALL_STATE),
    (
        "transfer_call",
        {"extension": EXT_OFFICE, "send_call_to": EXT_KITCHEN},
        OFFICE_CALL_STATE,
    ),
    (
        "make_call",
        {"extension": EXT_OFFICE, "destination": EXT_KITCHEN},
        OFFICE_CALL_STATE,
    ),
    ("clear_missed_calls", {"extension": EXT_OFFICE}, OFFICE_CALL_STATE),
    ("clear_missed_calls", {}, OFFICE_CALL_STATE),
    ("get_call_history", {"extension": EXT_OFFICE}, OFFICE_CALL_STATE),
    ("get_call_history", {}, OFFICE_CALL_STATE),
    (
        "set_queue_agent_status",
        {"queue": SALES, "agent": EXT_OFFICE, "status": "paused"},
        SALES_SELECT,
    ),
]
IDS = [f"{name}-{'+'.join(data) or 'all'}" for name, data, _ in ACTIONS]
# The actions that send a request whatever the call picture.
SENDING = {"hangup_call", "transfer_call", "make_call", "set_queue_agent_status"}


@pytest.fixture
def mock_config_entry(simulator: VoipNowSimulator) -> MockConfigEntry:
    """The simulator's entry (polling) with the queue Sales."""
    return sales_entry(
        simulator, {EXT_OFFICE: 1, EXT_KITCHEN: 1}, **{CONF_TRANSFER_TARGETS: []}
    )


@pytest.fixture
async def ringing(
    hass: HomeAssistant, simulator: VoipNowSimulator, init_integration: MockConfigEntry
) -> MockConfigEntry:
    """The office rings; Home Assistant has listed the call; no request recorded."""
    await simulator.incoming_call(EXT_OFFICE, "5551234", "John Doe")
    await init_integration.runtime_data.calls.async_refresh()
    await hass.async_block_till_done()
    simulator.clear_requests()
    return init_integration


async def async_user(hass: HomeAssistant, group: str) -> User:
    """Create a real user of one of Home Assistant's groups (not its owner)."""
    if not any(user.is_owner for user in await hass.auth.async_get_users()):
        await hass.auth.async_create_user("Owner", group_ids=["system-admin"])
    user = await hass.auth.async_create_user(f"user of {group}", group_ids=[group])
    assert not user.is_owner
    return user


def changes(simulator: VoipNowSimulator) -> list[str]:
    """The requests that would change something on the PBX."""
    return [
        f"{r.method} {r.path}"
        for r in simulator.api_requests()
        if r.method in ("PUT", "POST", "DELETE")
    ]


@pytest.mark.parametrize(("action", "data", "entity_id"), ACTIONS, ids=IDS)
@pytest.mark.usefixtures("ringing")
async def test_read_only_user_is_refused(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    action: str,
    data: dict[str, Any],
    entity_id: str,
) -> None:
    """A read-only user is refused as entity services refuse it, and nothing is sent."""
    user = await async_user(hass, "system-read-only")
    missed = hass.states.get("sensor.extension_0003_210_missed_calls")

    with pytest.raises(Unauthorized) as err:
        await async_run_as(hass, user.id, action, data)

    assert err.value.permission == POLICY_CONTROL
    assert err.value.entity_id == entity_id
    assert err.value.user_id == user.id
    assert simulator.api_requests() == []
    assert hass.states.get("sensor.extension_0003_210_missed_calls") == missed


@pytest.mark.parametrize("who", ["system-users", "system-admin", "automation"])
@pytest.mark.parametrize(("action", "data", "entity_id"), ACTIONS, ids=IDS)
@pytest.mark.usefixtures("ringing")
async def test_users_admins_and_automations_are_allowed(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    who: str,
    action: str,
    data: dict[str, Any],
    entity_id: str,
) -> None:
    """An ordinary user, an administrator and an automation run every action."""
    user_id = None if who == "automation" else (await async_user(hass, who)).id

    await async_run_as(hass, user_id, action, data)

    if action in SENDING:
        assert len(changes(simulator)) == 1


@pytest.mark.usefixtures("ringing")
async def test_permission_is_per_extension(
    hass: HomeAssistant, simulator: VoipNowSimulator
) -> None:
    """A user allowed the office only acts on the office, and not on "every extension"."""
    user = MockUser(is_owner=False).add_to_hass(hass)
    user.mock_policy({"entities": {"entity_ids": {OFFICE_CALL_STATE: True}}})

    await async_run_as(hass, user.id, "hangup_call", {"extension": EXT_OFFICE})
    assert len(changes(simulator)) == 1

    for data in ({"extension": EXT_KITCHEN}, {}):
        with pytest.raises(Unauthorized) as err:
            await async_run_as(hass, user.id, "get_call_history", data)
        assert err.value.entity_id == KITCHEN_CALL_STATE
    assert len(simulator.api_requests()) == 1


@pytest.mark.usefixtures("ringing")
async def test_unknown_user_is_refused(
    hass: HomeAssistant, simulator: VoipNowSimulator
) -> None:
    """A context naming a user that does not exist is refused, and nothing is sent."""
    with pytest.raises(UnknownUser):
        await async_run_as(hass, "0" * 32, "hangup_call", {"extension": EXT_OFFICE})

    assert simulator.api_requests() == []
