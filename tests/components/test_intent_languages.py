"""The voice intents in English, German and French, through Assist.

Each language's shipped sentence file (`custom_sentences/<language>/voipnow.yaml`)
is copied where a user puts it, and Assist is spoken to in that language. The
cases are the same in every language; only the sentences and the answers
differ, and they are the data below. German runs with Home Assistant set to
German, as a German-speaking user's is; French runs with Home Assistant left
in English: the answer is in the language the sentence was spoken in.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import conversation
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er, intent
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import yaml

from custom_components.voipnow.const import DOMAIN
from custom_components.voipnow.intent import INTENT_QUEUE_AGENT
from tests.components.helpers import CALLER, actions, async_ring, sole_action
from tests.components.voice_helpers import (
    AGENTS_PATH,
    CALL_STATES,
    SALES,
    SUPPORT,
    Converse,
    agent_path,
    async_add_queues,
    async_missed,
    async_start_assist,
    entry_with_targets,
    is_error,
    queue_changes,
    speech,
)
from tests.conftest import EXT_KITCHEN, EXT_OFFICE
from voipnow_simulator import VoipNowSimulator

VOICES: dict[str, dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "intent_languages.yaml").read_text(encoding="utf-8")
)
LANGUAGES = list(VOICES)


def cases(key: str) -> list[Any]:
    """One parameter per item of each language's list `key`: the language, the case."""
    return [
        pytest.param(language, case, id=f"{language}-{key}-{index}")
        for language, voice in VOICES.items()
        for index, case in enumerate(voice[key])
    ]


@pytest.fixture
def voice(language: str) -> dict[str, Any]:
    """The sentences and answers of the language under test."""
    return VOICES[language]


@pytest.fixture
def mock_config_entry(
    simulator: VoipNowSimulator, voice: dict[str, Any]
) -> MockConfigEntry:
    """Return the simulator's entry with the transfer targets named in the language."""
    return entry_with_targets(simulator, voice["targets"])


@pytest.fixture
async def converse(
    hass: HomeAssistant,
    tmp_path: Path,
    init_integration: MockConfigEntry,
    language: str,
    voice: dict[str, Any],
) -> Converse:
    """Set Home Assistant's language, install the sentences, start Assist."""
    hass.config.language = voice["home_assistant_language"]
    return await async_start_assist(hass, tmp_path, language)


async def async_ask(
    converse: Converse, case: dict[str, str]
) -> conversation.ConversationResult:
    """Say a case's sentence, check Assist's answer and return it."""
    result = await converse(case["say"])
    assert speech(result) == case["answer"]
    return result


@pytest.fixture
async def call_id(
    hass: HomeAssistant, simulator: VoipNowSimulator, init_integration: MockConfigEntry
) -> str:
    """John Doe calls the office, which answers: the call's id."""
    return await async_ring(hass, simulator, init_integration, answer=True)


@pytest.fixture
async def ringing(
    hass: HomeAssistant, simulator: VoipNowSimulator, init_integration: MockConfigEntry
) -> dict[str, str]:
    """The office and the kitchen both ring: their call ids by extension."""
    return {
        EXT_OFFICE: await async_ring(hass, simulator, init_integration),
        EXT_KITCHEN: await async_ring(hass, simulator, init_integration, EXT_KITCHEN),
    }


@pytest.mark.usefixtures("queues")
@pytest.mark.parametrize(
    ("language", "case"), [*cases("transfers"), *cases("refusals")]
)
async def test_said_during_a_call(
    simulator: VoipNowSimulator, converse: Converse, call_id: str, case: dict[str, str]
) -> None:
    """A transfer to a target by name (with its article) or to an extension is sent.

    What voice cannot do (the `refusals`) is explained, and nothing is sent.
    """
    result = await async_ask(converse, case)

    sent = case.get("sends")
    assert is_error(result) == (sent is None)
    if sent is None:
        assert actions(simulator) == []
        assert simulator.get_call(call_id).local_extensions == [EXT_OFFICE]
        return
    assert sole_action(simulator, "PUT", EXT_OFFICE, call_id) == {
        "action": "Transfer",
        "sendCallTo": sent,
        "transferFromNumber": EXT_OFFICE,
    }
    if sent.startswith("0003*"):
        # The call now rings at that extension of the PBX.
        assert simulator.get_call(call_id).local_extensions == [sent]
    else:
        # It left the PBX for an outside number.
        assert call_id not in simulator.calls


@pytest.mark.parametrize("language", LANGUAGES)
async def test_send_to_voicemail(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    converse: Converse,
    voice: dict[str, Any],
) -> None:
    """A voicemail target takes the caller into that voicemail box."""
    call_id = await async_ring(hass, simulator, init_integration, EXT_KITCHEN)

    await async_ask(converse, voice["voicemail"])

    assert sole_action(simulator, "PUT", EXT_KITCHEN, call_id) == {
        "action": "TransferToVoicemail",
        "sendCallTo": EXT_OFFICE,
        "transferNumber": CALLER,
    }
    assert [v["call_id"] for v in simulator.voicemails] == [call_id]


@pytest.mark.parametrize("language", LANGUAGES)
async def test_several_calls_ask_which_extension(
    simulator: VoipNowSimulator,
    converse: Converse,
    voice: dict[str, Any],
    ringing: dict[str, str],
) -> None:
    """Two phones ring: Assist asks which; the kitchen said with its star works."""
    await async_ask(converse, voice["several_calls"])
    hang_up = {**voice["several_calls"], "say": voice["hang_up"]["say"]}
    await async_ask(converse, hang_up)
    assert actions(simulator) == []

    await async_ask(converse, voice["transfer_from_kitchen"])

    assert sole_action(simulator, "PUT", EXT_KITCHEN, ringing[EXT_KITCHEN]) == {
        "action": "Transfer",
        "sendCallTo": "+15551234567",
        "transferFromNumber": EXT_KITCHEN,
    }


@pytest.mark.parametrize("language", LANGUAGES)
async def test_hang_up(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    converse: Converse,
    voice: dict[str, Any],
) -> None:
    """Hanging up ends the only call with one DELETE, naming the caller."""
    call_id = await async_ring(hass, simulator, init_integration, answer=True)

    await async_ask(converse, voice["hang_up"])

    sole_action(simulator, "DELETE", EXT_OFFICE, call_id)
    assert call_id not in simulator.calls


@pytest.fixture
def kitchen_renamed(
    hass: HomeAssistant, init_integration: MockConfigEntry, voice: dict[str, Any]
) -> None:
    """The user named the kitchen phone's device in the language."""
    entity = er.async_get(hass).async_get(CALL_STATES[1])
    assert entity is not None
    assert entity.device_id is not None
    dr.async_get(hass).async_update_device(
        entity.device_id, name_by_user=voice["kitchen_device"]
    )


@pytest.mark.usefixtures("kitchen_renamed")
@pytest.mark.parametrize(("language", "case"), cases("hang_up_on"))
async def test_hang_up_a_named_extension(
    simulator: VoipNowSimulator,
    converse: Converse,
    voice: dict[str, Any],
    ringing: dict[str, str],
    case: dict[str, str],
) -> None:
    """The phone is named by its number, said or typed, or by its device's name."""
    await async_ask(converse, {**voice["hang_up"], "say": case["say"]})

    extension = case["extension"]
    sole_action(simulator, "DELETE", extension, ringing[extension])


@pytest.mark.parametrize("language", LANGUAGES)
async def test_who_is_calling(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    converse: Converse,
    voice: dict[str, Any],
) -> None:
    """Assist names who rings, then who is on the line; nothing is sent."""
    asked = voice["who_is_calling"]
    await async_ask(converse, asked["nobody"])
    call_id = await async_ring(hass, simulator, init_integration)
    for case in asked["one_rings"]:
        await async_ask(converse, case)
    kitchen_call = await async_ring(
        hass, simulator, init_integration, EXT_KITCHEN, caller="5559999", caller_name=""
    )
    await async_ask(converse, asked["two_ring"])
    await async_ask(converse, asked["of_211"])

    await simulator.answer_call(call_id)
    await simulator.hangup_call(kitchen_call)
    await init_integration.runtime_data.calls.async_refresh()
    await async_ask(converse, asked["on_the_line"])
    assert actions(simulator) == []


@pytest.fixture
async def missed_calls(
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
) -> None:
    """John Doe and then Acme miss the office, 5550199 the kitchen in between."""
    await async_missed(simulator, EXT_OFFICE, CALLER, "John Doe", freezer)
    await async_missed(simulator, EXT_KITCHEN, "5550199", "", freezer)
    await async_missed(simulator, EXT_OFFICE, "+40215550100", "Acme Corp", freezer)
    await init_integration.runtime_data.history.async_refresh()
    simulator.clear_requests()


@pytest.mark.usefixtures("missed_calls")
@pytest.mark.parametrize(("language", "case"), cases("missed_calls"))
async def test_missed_calls(
    simulator: VoipNowSimulator,
    converse: Converse,
    voice: dict[str, Any],
    case: dict[str, str],
) -> None:
    """Voice counts the missed calls and names the latest callers (all by default)."""
    await async_ask(converse, {"answer": voice["missed_calls_all"], **case})
    assert actions(simulator) == []


@pytest.mark.parametrize("language", LANGUAGES)
async def test_missed_calls_today_and_cleared(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    converse: Converse,
    voice: dict[str, Any],
) -> None:
    """Today counts from midnight; a cleared badge counts from zero."""
    await async_missed(simulator, EXT_OFFICE, CALLER, "John Doe", freezer)
    freezer.tick(timedelta(days=1))
    await async_missed(simulator, EXT_OFFICE, "5550199", "", freezer)
    await init_integration.runtime_data.history.async_refresh()

    today = voice["missed_today"]
    for sentence in today["say"]:
        await async_ask(converse, {"say": sentence, "answer": today["answer"]})
    before = voice["missed_before_today"]
    assert speech(await converse(before["say"])).startswith(before["starts"])

    await hass.services.async_call(DOMAIN, "clear_missed_calls", {}, blocking=True)
    await async_ask(converse, voice["missed_cleared"])


@pytest.fixture
async def queues(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    voice: dict[str, Any],
) -> None:
    """Two call queues, Sales and Support, named in the options in the language."""
    await async_add_queues(
        hass,
        simulator,
        init_integration,
        tuple(voice["queue_names"]),
        ({EXT_OFFICE: 0, EXT_KITCHEN: 1}, {EXT_OFFICE: 1, EXT_KITCHEN: 0}),
    )


@pytest.mark.usefixtures("queues")
@pytest.mark.parametrize(("language", "case"), cases("queue_agents"))
async def test_queue_agents(
    simulator: VoipNowSimulator, converse: Converse, case: dict[str, Any]
) -> None:
    """Agents are logged in, paused and out by voice, queues by their names."""
    await async_ask(converse, case)

    changes = case["changes"]
    assert queue_changes(simulator) == [
        (agent_path(queue, agent), {"status": status})
        for queue, agent, status in changes
    ]
    for queue, agent, status in changes:
        assert simulator.queues[queue].agents[agent] == int(status)


@pytest.mark.usefixtures("queues")
@pytest.mark.parametrize("language", LANGUAGES)
async def test_who_is_online_in_a_queue(
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    converse: Converse,
    voice: dict[str, Any],
) -> None:
    """Who takes calls in a queue, by its name, and who pauses; nothing is sent."""
    online = voice["queue_online"]
    await async_ask(converse, online["as_set_up"])
    simulator.set_agent_status(SALES, EXT_OFFICE, 2)
    simulator.set_agent_status(SUPPORT, EXT_KITCHEN, 1)
    await init_integration.runtime_data.queues.async_refresh()
    await async_ask(converse, online["after_pause"])
    await async_ask(converse, online["support"])
    simulator.set_agent_status(SALES, EXT_KITCHEN, 0)
    await init_integration.runtime_data.queues.async_refresh()
    await async_ask(converse, online["nobody_in_sales"])
    assert queue_changes(simulator) == []


@pytest.mark.usefixtures("queues")
@pytest.mark.parametrize("language", LANGUAGES)
async def test_queue_questions_without_an_answer(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    converse: Converse,
    language: str,
    voice: dict[str, Any],
) -> None:
    """A queue not read yet, or no queue said for logging in, is explained."""
    response = await intent.async_handle(
        hass,
        "test",
        INTENT_QUEUE_AGENT,
        {"agent": {"value": "210"}, "status": {"value": "online"}},
        language=language,
    )
    assert speech(response) == voice["which_queue"]

    # As before the PBX first answered for the queues; it does not answer
    # now, so no refresh in between can read them.
    for queue in simulator.queues:
        simulator.inject_fault(
            "http_500", count=None, path_prefix=f"{AGENTS_PATH}{queue}/queue"
        )
    init_integration.runtime_data.queues.async_set_updated_data({})
    result = await converse(voice["queue_unread"]["say"])
    assert speech(result) == voice["queue_unread"]["answer"]
    assert is_error(result)
    assert queue_changes(simulator) == []


@pytest.mark.parametrize("language", LANGUAGES)
async def test_no_call(
    simulator: VoipNowSimulator, converse: Converse, voice: dict[str, Any]
) -> None:
    """With no call anywhere, Assist says so and the PBX hears nothing."""
    simulator.clear_requests()

    for sentence in voice["no_call"]["say"]:
        result = await converse(sentence)
        assert speech(result) == voice["no_call"]["answer"]
        assert is_error(result)
    assert actions(simulator) == []
