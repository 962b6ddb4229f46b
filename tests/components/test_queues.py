"""Call queues: the options step, agent selects, the online count, the action.

Everything runs against the simulator's QueueAgents service over HTTP, as a
user sees it: the options form, entity states, errors, and the requests the
PBX received.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.select import (
    DOMAIN as SELECT_DOMAIN,
    SERVICE_SELECT_OPTION,
)
from homeassistant.const import ATTR_ENTITY_ID, ATTR_OPTION, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.voipnow.const import CONF_PUSH_TRANSPORT, CONF_QUEUES, DOMAIN
from tests.conftest import (
    EXT_GARAGE,
    EXT_KITCHEN,
    EXT_OFFICE,
    UNIQUE_ID,
    async_load,
    entry_data,
    simulator_entry,
)
from voipnow_simulator import VoipNowSimulator

from .helpers import async_open_options, async_poll

SALES = "0003*300"
SUPPORT = "0003*301"
QUEUES = [
    {"name": "Sales", "number": SALES},
    {"name": "Support", "number": SUPPORT},
]
SALES_210 = "select.queue_sales_agent_210"
SALES_211 = "select.queue_sales_agent_211"
SUPPORT_210 = "select.queue_support_agent_210"
SALES_ONLINE = "sensor.queue_sales_agents_online"
AGENTS_PATH = "/uapi/extensions/@me/"


@pytest.fixture
def mock_config_entry(simulator: VoipNowSimulator) -> MockConfigEntry:
    """The simulator's entry with two call queues named in its options."""
    simulator.add_queue(SALES, "Sales", {EXT_OFFICE: 1, EXT_KITCHEN: 0})
    simulator.add_queue(SUPPORT, "Support", {EXT_OFFICE: 2})
    return simulator_entry(simulator, {CONF_QUEUES: QUEUES})


def state(hass: HomeAssistant, entity_id: str) -> str:
    """The state a dashboard shows."""
    return hass.states.get(entity_id).state


def agent_requests(simulator: VoipNowSimulator, method: str = "GET") -> int:
    """Count the QueueAgents requests the PBX received."""
    return len([r for r in simulator.api_requests(method) if "/queue/agents" in r.path])


async def async_select(hass: HomeAssistant, entity_id: str, option: str) -> None:
    """Choose an option of a select, as a dashboard does."""
    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: entity_id, ATTR_OPTION: option},
        blocking=True,
    )
    await hass.async_block_till_done(wait_background_tasks=True)


# --- entities -----------------------------------------------------------------


@pytest.mark.usefixtures("init_integration")
async def test_queue_devices_and_entities(
    hass: HomeAssistant,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Each queue is a device with a select per agent and an online count."""
    assert state(hass, SALES_210) == "online"
    assert state(hass, SALES_211) == "logged_out"
    assert state(hass, SUPPORT_210) == "paused"
    assert state(hass, SALES_ONLINE) == "1"
    assert state(hass, "sensor.queue_support_agents_online") == "0"
    assert hass.states.get(SALES_210).attributes["options"] == [
        "logged_out",
        "online",
        "paused",
    ]
    assert hass.states.get(SALES_210).name == "Queue Sales Agent 210"
    entry = entity_registry.async_get(SALES_210)
    assert entry is not None
    device = device_registry.async_get(entry.device_id)
    assert device is not None
    assert device.name == "Queue Sales"
    assert device.model == "VoipNow call queue"


@pytest.mark.usefixtures("init_integration")
async def test_select_sets_the_status_on_the_pbx(
    hass: HomeAssistant, simulator: VoipNowSimulator
) -> None:
    """Choosing an option sends it; the select then shows what the PBX says."""
    await async_select(hass, SALES_211, "online")

    (put,) = [r for r in simulator.api_requests("PUT") if "/queue/agents/" in r.path]
    assert put.path == f"{AGENTS_PATH}{SALES}/queue/agents/{EXT_KITCHEN}"
    assert put.json == {"status": "1"}
    assert simulator.queues[SALES].agents[EXT_KITCHEN] == 1
    assert state(hass, SALES_211) == "online"
    assert state(hass, SALES_ONLINE) == "2"


@pytest.mark.usefixtures("init_integration")
async def test_change_on_the_phone_shows_within_a_refresh(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, simulator: VoipNowSimulator
) -> None:
    """A feature code on the phone shows at the next refresh, one request a queue."""
    simulator.set_agent_status(SALES, EXT_OFFICE, 2)
    before = agent_requests(simulator)

    await async_poll(hass, freezer)

    assert state(hass, SALES_210) == "paused"
    assert state(hass, SALES_ONLINE) == "0"
    assert agent_requests(simulator) - before == len(QUEUES)


@pytest.mark.usefixtures("init_integration")
async def test_agents_join_and_leave(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    entity_registry: er.EntityRegistry,
) -> None:
    """Agents added or removed on the PBX appear and go after the next listing."""
    simulator.add_agent(SALES, EXT_GARAGE, 1)
    simulator.remove_agent(SALES, EXT_KITCHEN)

    await async_poll(hass, freezer)

    assert state(hass, "select.queue_sales_agent_212") == "online"
    assert hass.states.get(SALES_211) is None
    assert entity_registry.async_get(SALES_211) is None
    assert state(hass, SALES_ONLINE) == "2"


@pytest.mark.usefixtures("init_integration")
async def test_outage_makes_queue_entities_unavailable(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, simulator: VoipNowSimulator
) -> None:
    """While the PBX is unreachable the queue entities are unavailable, then back."""
    await simulator.go_offline()
    await async_poll(hass, freezer)
    assert state(hass, SALES_210) == STATE_UNAVAILABLE
    assert state(hass, SALES_ONLINE) == STATE_UNAVAILABLE

    await simulator.go_online()
    await async_poll(hass, freezer)
    assert state(hass, SALES_210) == "online"


@pytest.mark.usefixtures("init_integration")
async def test_queue_removed_on_the_pbx(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, simulator: VoipNowSimulator
) -> None:
    """A queue the PBX no longer has: its entities are unavailable, calls go on."""
    simulator.remove_queue(SUPPORT)

    await async_poll(hass, freezer)

    assert state(hass, SUPPORT_210) == STATE_UNAVAILABLE
    assert state(hass, "sensor.extension_0003_210_call_state") == "idle"


async def test_stale_extension_cleanup_keeps_queue_devices(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Removing vanished extensions leaves the queues' devices alone."""
    simulator.remove_extension(EXT_GARAGE)
    for _ in range(3):
        await async_poll(hass, freezer, timedelta(minutes=1, seconds=1))

    names = {
        device.name
        for device in dr.async_entries_for_config_entry(
            device_registry, init_integration.entry_id
        )
    }
    assert "Extension 0003*212" not in names
    assert {"Queue Sales", "Queue Support"} <= names


# --- the action ------------------------------------------------------------------


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    ("queue", "agent"),
    [("Sales", "210"), ("sales", EXT_OFFICE), (SALES, "210"), ("300", "0003*210")],
)
async def test_action_sets_the_status(
    hass: HomeAssistant, simulator: VoipNowSimulator, queue: str, agent: str
) -> None:
    """The queue by its number or configured name, the agent by its number."""
    response = await hass.services.async_call(
        DOMAIN,
        "set_queue_agent_status",
        {"queue": queue, "agent": agent, "status": "paused"},
        blocking=True,
        return_response=True,
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    assert response == {"queue": SALES, "agent": EXT_OFFICE, "status": "paused"}
    assert simulator.queues[SALES].agents[EXT_OFFICE] == 2
    assert state(hass, SALES_210) == "paused"


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    ("data", "key", "field"),
    [
        ({"queue": "Marketing"}, "unknown_queue", None),
        ({"queue": "0003*999"}, "unknown_queue", None),
        ({"agent": "0003*212"}, "unknown_agent", None),
        ({"agent": "abc"}, "invalid_field", None),
    ],
)
async def test_action_bad_input_sends_nothing(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    data: dict[str, Any],
    key: str,
    field: str | None,
) -> None:
    """An unknown queue or agent is a clear error, and nothing is sent."""
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "set_queue_agent_status",
            {"queue": "Sales", "agent": "210", "status": "online", **data},
            blocking=True,
        )

    assert err.value.translation_key == key
    assert agent_requests(simulator, "PUT") == 0


@pytest.mark.parametrize(
    ("fault_code", "key", "field"),
    [
        ("status_invalid", "status_invalid", "status"),
        ("extension_invalid", "queue_invalid", "queue"),
        ("qag_agent_invalid", "qag_agent_invalid", "agent"),
    ],
)
async def test_action_pbx_errors_name_their_field(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    fault_code: str,
    key: str,
    field: str,
) -> None:
    """Each documented QueueAgents error is translated and names its field."""
    simulator.inject_fault(
        "custom",
        path_prefix=f"{AGENTS_PATH}{SALES}/queue/agents/",
        status=400,
        body=f'{{"error": {{"code": "{fault_code}", "message": "no"}}}}',
    )

    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "set_queue_agent_status",
            {"queue": "Sales", "agent": "210", "status": "online"},
            blocking=True,
        )

    assert err.value.translation_key == key
    assert err.value.translation_placeholders == {"field": field}


# --- the options step ----------------------------------------------------------------


async def async_queues_form(
    hass: HomeAssistant, entry: MockConfigEntry, **fields: Any
) -> Any:
    """Open the queues form and submit it (the kept queues as shown)."""
    result = await async_open_options(hass, entry.entry_id, "queues")
    keep = {
        str(key): key.default()
        for key in result["data_schema"].schema
        if str(key) == CONF_QUEUES
    }
    return await hass.config_entries.options.async_configure(
        result["flow_id"], {**keep, **fields}
    )


async def test_add_a_queue(
    hass: HomeAssistant, simulator: VoipNowSimulator, init_integration: MockConfigEntry
) -> None:
    """A new queue is checked with the PBX, saved, and gets its device at once."""
    simulator.add_queue("0003*302", "Billing", {EXT_KITCHEN: 1})

    result = await async_queues_form(
        hass, init_integration, new_queue_name="Billing", new_queue_number="0003*302"
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options[CONF_QUEUES][-1] == {
        "name": "Billing",
        "number": "0003*302",
    }
    assert state(hass, "select.queue_billing_agent_211") == "online"


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"new_queue_number": "0003*302"}, {"new_queue_name": "queue_name_missing"}),
        (
            {"new_queue_name": "Billing", "new_queue_number": "billing"},
            {"new_queue_number": "invalid_queue_number"},
        ),
        (
            {"new_queue_name": "Billing", "new_queue_number": EXT_OFFICE},
            {"new_queue_number": "not_a_queue"},
        ),
        (
            {"new_queue_name": "sales", "new_queue_number": "0003*302"},
            {"new_queue_name": "queue_exists"},
        ),
    ],
)
async def test_queue_errors_recover(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    fields: dict[str, str],
    errors: dict[str, str],
) -> None:
    """A wrong new queue shows its error on its field; fixing it saves."""
    simulator.add_queue("0003*302", "Billing", {})

    result = await async_queues_form(hass, init_integration, **fields)

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            CONF_QUEUES: [SALES, SUPPORT],
            "new_queue_name": "Billing",
            "new_queue_number": "0003*302",
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_rename_and_remove_a_queue(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Giving a kept queue's number a new name renames it; unticking removes it."""
    result = await async_queues_form(
        hass, init_integration, new_queue_name="Front office", new_queue_number=SALES
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert {q["name"] for q in init_integration.options[CONF_QUEUES]} == {
        "Front office",
        "Support",
    }

    result = await async_open_options(hass, init_integration.entry_id, "queues")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_QUEUES: [SALES]}
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    assert init_integration.options[CONF_QUEUES] == [
        {"name": "Front office", "number": SALES}
    ]
    assert hass.states.get(SUPPORT_210) is None
    names = {
        device.name
        for device in dr.async_entries_for_config_entry(
            device_registry, init_integration.entry_id
        )
    }
    assert "Queue Support" not in names


@pytest.mark.parametrize("queues", [0, 1, 10])
async def test_requests_per_refresh(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    queues: int,
) -> None:
    """One agents request per configured queue per refresh, none without queues."""
    names = [{"name": f"Q{i}", "number": f"0003*{400 + i}"} for i in range(queues)]
    for queue in names:
        simulator.add_queue(queue["number"], queue["name"], {EXT_OFFICE: 1})
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=UNIQUE_ID,
        data=entry_data(simulator),
        options={CONF_PUSH_TRANSPORT: "polling", CONF_QUEUES: names},
    )
    await async_load(hass, entry)
    before = agent_requests(simulator)

    for _ in range(5):
        await async_poll(hass, freezer)

    assert agent_requests(simulator) - before == 5 * queues
