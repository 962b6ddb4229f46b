"""Assist in another language, set up the way a user does, for the voice tests.

The voice tests install the shipped sentence file of their language into
`<config>/custom_sentences/<language>/` and speak that language to Assist;
what the PBX received is read as in `test_intent.py`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
import shutil
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import conversation
from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import intent
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.voipnow.const import CONF_TRANSFER_TARGETS
from tests.conftest import simulator_entry
from voipnow_simulator import VoipNowSimulator

SENTENCES = Path(__file__).parents[2] / "custom_sentences"
# The call states a user exposes to Assist: voice reaches those extensions.
CALL_STATES = [
    "sensor.extension_0003_210_call_state",
    "sensor.extension_0003_211_call_state",
    "sensor.extension_0003_212_call_state",
]

type Converse = Callable[[str], Awaitable[conversation.ConversationResult]]
AGENTS_PATH = "/uapi/extensions/@me/"
SALES = "0003*300"
SUPPORT = "0003*301"


def sentence_file(language: str) -> Path:
    """The sentence file the repository ships for a language."""
    return SENTENCES / language / "voipnow.yaml"


def entry_with_targets(
    simulator: VoipNowSimulator, targets: list[dict[str, Any]]
) -> MockConfigEntry:
    """Return the simulator's entry with transfer targets named in a language."""
    return simulator_entry(simulator, {CONF_TRANSFER_TARGETS: targets})


async def async_start_assist(
    hass: HomeAssistant, config_dir: Path, language: str
) -> Converse:
    """Copy the language's sentences where a user puts them and start Assist."""
    hass.config.config_dir = str(config_dir)
    custom_sentences = config_dir / "custom_sentences" / language
    custom_sentences.mkdir(parents=True)
    shutil.copy(sentence_file(language), custom_sentences / "voipnow.yaml")
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    for entity_id in CALL_STATES:
        async_expose_entity(hass, conversation.DOMAIN, entity_id, True)

    async def _converse(text: str) -> conversation.ConversationResult:
        """Say a sentence to Assist in the language and wait for what it started."""
        result = await conversation.async_converse(
            hass, text, None, Context(), language=language
        )
        await hass.async_block_till_done(wait_background_tasks=True)
        return result

    return _converse


async def async_add_queues(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    entry: MockConfigEntry,
    names: tuple[str, str],
    agents: tuple[dict[str, int], dict[str, int]],
) -> None:
    """Two call queues on the PBX, named in the options as the user calls them."""
    for number, name, members in zip((SALES, SUPPORT), names, agents, strict=True):
        simulator.add_queue(number, name, members)
    hass.config_entries.async_update_entry(
        entry,
        options={
            **entry.options,
            "queues": [
                {"name": names[0], "number": SALES},
                {"name": names[1], "number": SUPPORT},
            ],
        },
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    simulator.clear_requests()


def queue_changes(simulator: VoipNowSimulator) -> list[tuple[str, Any]]:
    """The agent statuses the PBX was asked to set: (path, body), in order."""
    return [
        (request.path, request.json)
        for request in simulator.api_requests("PUT")
        if "/queue/agents/" in request.path
    ]


def agent_path(queue: str, agent: str) -> str:
    """The QueueAgents resource of one agent in one queue."""
    return f"{AGENTS_PATH}{queue}/queue/agents/{agent}"


async def async_missed(
    simulator: VoipNowSimulator,
    extension: str,
    number: str,
    name: str,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A caller gives up on an extension; a minute passes."""
    call_id = await simulator.incoming_call(extension, number, name)
    await simulator.hangup_call(call_id)
    freezer.tick(timedelta(minutes=1))


def speech(result: conversation.ConversationResult | intent.IntentResponse) -> str:
    """What Assist says."""
    response = getattr(result, "response", result)
    return str(response.speech["plain"]["speech"])


def is_error(result: conversation.ConversationResult) -> bool:
    """Tell whether Assist answered with an error (it still speaks)."""
    return result.response.response_type is intent.IntentResponseType.ERROR
