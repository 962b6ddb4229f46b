"""Remote queue agents: addressed by their `identifier`, shown by their number.

VoipNow addresses an agent "by an extension number if the agent is local or
by an Id for remote agents"; the listing carries `identifier` and `type`.
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.voipnow.const import DOMAIN
from tests.components.helpers import SALES, sales_entry
from tests.conftest import EXT_OFFICE
from voipnow_simulator import VoipNowSimulator

REMOTE = "+40215550100"


@pytest.fixture
def mock_config_entry(simulator: VoipNowSimulator) -> MockConfigEntry:
    """A queue with a local and a remote agent, on a server with agent ids."""
    simulator.remote_agent_ids = True
    return sales_entry(simulator, {EXT_OFFICE: 1, REMOTE: 0})


def agent_puts(simulator: VoipNowSimulator) -> list[str]:
    """The paths of the agent updates the PBX received."""
    return [
        request.path
        for request in simulator.api_requests("PUT")
        if "/queue/agents" in request.path
    ]


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize("named", ["number", "identifier"])
async def test_remote_agent_is_addressed_by_its_identifier(
    hass: HomeAssistant, simulator: VoipNowSimulator, named: str
) -> None:
    """The action takes the number or the id; the PBX is sent the id."""
    identifier = simulator.pbx.queue_book.identifier(REMOTE)
    agent = REMOTE if named == "number" else identifier

    response = await hass.services.async_call(
        DOMAIN,
        "set_queue_agent_status",
        {"queue": "Sales", "agent": agent, "status": "online"},
        blocking=True,
        return_response=True,
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    assert response == {"queue": SALES, "agent": REMOTE, "status": "online"}
    assert agent_puts(simulator) == [
        f"/uapi/extensions/@me/{SALES}/queue/agents/{identifier}"
    ]
    assert simulator.queues[SALES].agents[REMOTE] == 1


@pytest.mark.usefixtures("init_integration")
async def test_local_agent_is_addressed_by_its_extension(
    hass: HomeAssistant, simulator: VoipNowSimulator
) -> None:
    """A local agent's path names its extension, as before."""
    await hass.services.async_call(
        DOMAIN,
        "set_queue_agent_status",
        {"queue": "Sales", "agent": "210", "status": "paused"},
        blocking=True,
        return_response=True,
    )

    assert agent_puts(simulator) == [
        f"/uapi/extensions/@me/{SALES}/queue/agents/{EXT_OFFICE}"
    ]
    assert simulator.queues[SALES].agents[EXT_OFFICE] == 2
