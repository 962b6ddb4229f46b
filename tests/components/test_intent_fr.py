"""The voice intents in French, through Home Assistant's conversation machinery.

The sentences are the shipped `custom_sentences/fr/voipnow.yaml`, copied into
`<config>/custom_sentences/fr/`. Home Assistant itself stays in English: the
answer is in the language the sentence was spoken in.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er, intent
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.voipnow.const import DOMAIN
from custom_components.voipnow.intent import INTENT_QUEUE_AGENT
from tests.components.test_intent import (
    CALLER,
    CALLS_PREFIX,
    WHO,
    actions,
    async_missed,
    async_ring,
    is_error,
    speech,
)
from tests.components.voice_helpers import (
    CALL_STATES,
    SALES,
    SUPPORT,
    Converse,
    agent_path,
    async_add_queues,
    async_start_assist,
    entry_with_targets,
    queue_changes,
)
from tests.conftest import EXT_GARAGE, EXT_KITCHEN, EXT_OFFICE
from voipnow_simulator import VoipNowSimulator

TARGETS: list[dict[str, Any]] = [
    {"name": "Accueil", "number": EXT_KITCHEN, "voicemail": False},
    {"name": "Standard", "number": "+33140000000", "voicemail": False},
    {"name": "Réception", "number": "+33145678900", "voicemail": False},
    {"name": "Mobile Anna", "number": "+15551234567", "voicemail": False},
    {"name": "Mobile Bob", "number": "+15557654321", "voicemail": False},
    {"name": "Bureau", "number": EXT_OFFICE, "voicemail": True},
]
ACME = "Acme Corp (+40215550100)"


@pytest.fixture
def mock_config_entry(simulator: VoipNowSimulator) -> MockConfigEntry:
    """Return the simulator's entry with the transfer targets a French user names."""
    return entry_with_targets(simulator, TARGETS)


@pytest.fixture
async def converse(
    hass: HomeAssistant, tmp_path: Path, init_integration: MockConfigEntry
) -> Converse:
    """Install the French sentences and start Assist (Home Assistant in English)."""
    assert hass.config.language == "en"
    return await async_start_assist(hass, tmp_path, "fr")


@pytest.mark.parametrize(
    ("sentence", "sent", "spoken"),
    [
        ("Transfère l'appel à l'accueil", EXT_KITCHEN, "Accueil"),
        ("Transférez l'appel vers le standard", "+33140000000", "Standard"),
        ("Passe l'appel à la réception", "+33145678900", "Réception"),
        ("Transfère l'appel au poste 212", EXT_GARAGE, "le poste 212"),
        ("Transfère l'appel à 0003 étoile 212", EXT_GARAGE, "le poste 212"),
    ],
)
async def test_transfer(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    converse: Converse,
    sentence: str,
    sent: str,
    spoken: str,
) -> None:
    """A call goes to a target by name (with its article) or to an extension."""
    call_id = await async_ring(hass, simulator, init_integration, answer=True)

    result = await converse(sentence)

    assert speech(result) == f"J'ai transféré l'appel avec {WHO} vers {spoken}."
    assert not is_error(result)
    [request] = actions(simulator)
    assert (request.method, request.path) == (
        "PUT",
        f"{CALLS_PREFIX}{EXT_OFFICE}/{call_id}",
    )
    assert request.json == {
        "action": "Transfer",
        "sendCallTo": sent,
        "transferFromNumber": EXT_OFFICE,
    }


async def test_send_to_voicemail(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    converse: Converse,
) -> None:
    """A voicemail target takes the caller into that voicemail box."""
    call_id = await async_ring(hass, simulator, init_integration, EXT_KITCHEN)

    result = await converse("Envoie l'appel au bureau")

    assert speech(result) == (
        f"J'ai envoyé l'appel avec {WHO} sur la messagerie vocale de Bureau."
    )
    [request] = actions(simulator)
    assert request.path == f"{CALLS_PREFIX}{EXT_KITCHEN}/{call_id}"
    assert request.json == {
        "action": "TransferToVoicemail",
        "sendCallTo": EXT_OFFICE,
        "transferNumber": CALLER,
    }


async def test_transfer_from_an_extension_said_with_etoile(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    converse: Converse,
) -> None:
    """Two phones ring: Assist asks which; "0003 étoile 211" names the kitchen."""
    await async_ring(hass, simulator, init_integration)
    kitchen_call = await async_ring(hass, simulator, init_integration, EXT_KITCHEN)

    result = await converse("Transfère l'appel à Mobile Anna")
    assert speech(result) == (
        "Plusieurs téléphones ont un appel (le poste 210, le poste 211). Quel poste ?"
    )
    assert actions(simulator) == []

    result = await converse(
        "Transfère l'appel du poste 0003 étoile 211 vers Mobile Anna"
    )

    assert speech(result) == f"J'ai transféré l'appel avec {WHO} vers Mobile Anna."
    [request] = actions(simulator)
    assert request.path == f"{CALLS_PREFIX}{EXT_KITCHEN}/{kitchen_call}"
    assert request.json == {
        "action": "Transfer",
        "sendCallTo": "+15551234567",
        "transferFromNumber": EXT_KITCHEN,
    }


async def test_hang_up(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    converse: Converse,
) -> None:
    """Saying "Raccroche" ends the only call with one DELETE."""
    call_id = await async_ring(hass, simulator, init_integration, answer=True)

    result = await converse("Raccroche !")

    assert speech(result) == f"J'ai raccroché l'appel avec {WHO}."
    [request] = actions(simulator)
    assert (request.method, request.path) == (
        "DELETE",
        f"{CALLS_PREFIX}{EXT_OFFICE}/{call_id}",
    )
    assert call_id not in simulator.calls


@pytest.fixture
def kitchen_named_cuisine(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The user named the kitchen phone's device "Cuisine" in Home Assistant."""
    entity = er.async_get(hass).async_get(CALL_STATES[1])
    assert entity is not None
    assert entity.device_id is not None
    dr.async_get(hass).async_update_device(entity.device_id, name_by_user="Cuisine")


@pytest.mark.usefixtures("kitchen_named_cuisine")
@pytest.mark.parametrize(
    ("sentence", "extension"),
    [
        ("Termine l'appel du poste 211", EXT_KITCHEN),
        ("Raccroche l'appel sur 0003 étoile 210", EXT_OFFICE),
        ("Coupe l'appel de 0003*211", EXT_KITCHEN),
        ("Mets fin à l'appel du poste 210", EXT_OFFICE),
        ("Raccroche dans la cuisine", EXT_KITCHEN),
    ],
)
async def test_hang_up_a_named_extension(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    converse: Converse,
    sentence: str,
    extension: str,
) -> None:
    """The phone is named as "poste 211", "0003 étoile 210" or by its name."""
    calls = {
        EXT_OFFICE: await async_ring(hass, simulator, init_integration),
        EXT_KITCHEN: await async_ring(hass, simulator, init_integration, EXT_KITCHEN),
    }

    result = await converse(sentence)

    assert speech(result) == f"J'ai raccroché l'appel avec {WHO}."
    [request] = actions(simulator)
    assert (request.method, request.path) == (
        "DELETE",
        f"{CALLS_PREFIX}{extension}/{calls[extension]}",
    )


async def test_who_is_calling(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    converse: Converse,
) -> None:
    """Assist names who rings, then who is on the line; nothing is sent."""
    assert speech(await converse("Qui appelle ?")) == "Personne n'appelle."

    call_id = await async_ring(hass, simulator, init_integration)
    assert speech(await converse("Qui appelle ?")) == f"{WHO} appelle le poste 210."
    kitchen_call = await async_ring(
        hass, simulator, init_integration, EXT_KITCHEN, caller="5559999", caller_name=""
    )
    assert speech(await converse("Qui est-ce qui appelle ?")) == (
        f"{WHO} appelle le poste 210. 5559999 appelle le poste 211."
    )
    assert speech(await converse("Qui appelle le poste 211 ?")) == (
        "5559999 appelle le poste 211."
    )

    await simulator.answer_call(call_id)
    await simulator.hangup_call(kitchen_call)
    await init_integration.runtime_data.calls.async_refresh()
    result = await converse("Qui est en ligne ?")
    assert speech(result) == f"Le poste 210 est en communication avec {WHO}."
    assert actions(simulator) == []


@pytest.mark.parametrize(
    ("sentence", "answer"),
    [
        (
            "Y a-t-il des appels manqués ?",
            f"3 appels manqués : {ACME}, 5550199 et {WHO}.",
        ),
        ("Qui a appelé ?", None),
        ("Est-ce que quelqu'un a appelé ?", None),
        ("Combien d'appels manqués ai-je ?", None),
        ("Qui a appelé le poste 211 ?", "1 appel manqué sur le poste 211 : 5550199."),
        (
            "Des appels manqués sur 0003 étoile 210",
            f"2 appels manqués sur le poste 210 : {ACME} et {WHO}.",
        ),
        (
            "Qui a appelé le poste 212 aujourd'hui ?",
            "Aucun appel manqué sur le poste 212 aujourd'hui.",
        ),
    ],
)
async def test_missed_calls(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    converse: Converse,
    sentence: str,
    answer: str | None,
) -> None:
    """Voice counts the missed calls and names the latest callers, in French."""
    await async_missed(simulator, EXT_OFFICE, CALLER, "John Doe", freezer)
    await async_missed(simulator, EXT_KITCHEN, "5550199", "", freezer)
    await async_missed(simulator, EXT_OFFICE, "+40215550100", "Acme Corp", freezer)
    await init_integration.runtime_data.history.async_refresh()
    simulator.clear_requests()

    result = await converse(sentence)

    assert speech(result) == (answer or f"3 appels manqués : {ACME}, 5550199 et {WHO}.")
    assert actions(simulator) == []


async def test_missed_calls_today(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    converse: Converse,
) -> None:
    """`aujourd'hui` counts from midnight; a cleared badge counts from zero."""
    await async_missed(simulator, EXT_OFFICE, CALLER, "John Doe", freezer)
    freezer.tick(timedelta(days=1))
    await async_missed(simulator, EXT_OFFICE, "5550199", "", freezer)
    await init_integration.runtime_data.history.async_refresh()

    today = "1 appel manqué aujourd'hui : 5550199."
    assert speech(await converse("Qui a appelé aujourd'hui ?")) == today
    assert speech(await converse("Y a-t-il eu des appels manqués aujourd'hui ?")) == (
        today
    )
    assert speech(await converse("Quelqu'un a appelé ?")).startswith("2 appels manqués")

    await hass.services.async_call(DOMAIN, "clear_missed_calls", {}, blocking=True)
    assert speech(await converse("Y a-t-il des appels manqués ?")) == (
        "Aucun appel manqué."
    )


@pytest.fixture
async def queues(
    hass: HomeAssistant, simulator: VoipNowSimulator, init_integration: MockConfigEntry
) -> None:
    """Two call queues, Ventes and Support, named in the options."""
    await async_add_queues(
        hass,
        simulator,
        init_integration,
        ("Ventes", "Support"),
        ({EXT_OFFICE: 0, EXT_KITCHEN: 1}, {EXT_OFFICE: 1, EXT_KITCHEN: 0}),
    )


@pytest.mark.usefixtures("queues")
@pytest.mark.parametrize(
    ("sentence", "answer", "changes"),
    [
        (
            "Connecte 210 à la file Ventes",
            "J'ai connecté 210 à Ventes.",
            [(SALES, EXT_OFFICE, "1")],
        ),
        (
            "Mets le poste 211 en pause dans Support",
            "J'ai mis 211 en pause dans Support.",
            [(SUPPORT, EXT_KITCHEN, "2")],
        ),
        (
            "Déconnecte 210 de toutes les files d'attente",
            "J'ai déconnecté 210 de Ventes et Support.",
            [(SALES, EXT_OFFICE, "0"), (SUPPORT, EXT_OFFICE, "0")],
        ),
        (
            "Déconnecte le poste 0003 étoile 211 de la file d'attente Ventes",
            "J'ai déconnecté 211 de Ventes.",
            [(SALES, EXT_KITCHEN, "0")],
        ),
    ],
)
async def test_queue_agents(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    converse: Converse,
    sentence: str,
    answer: str,
    changes: list[tuple[str, str, str]],
) -> None:
    """Agents are logged in, paused and out by voice, queues by their names."""
    result = await converse(sentence)

    assert speech(result) == answer
    assert queue_changes(simulator) == [
        (agent_path(queue, agent), {"status": status})
        for queue, agent, status in changes
    ]
    for queue, agent, status in changes:
        assert simulator.queues[queue].agents[agent] == int(status)


@pytest.mark.usefixtures("queues")
async def test_who_is_online_in_a_queue(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    converse: Converse,
) -> None:
    """Who takes calls in a queue, by its name; nothing is sent."""
    assert speech(await converse("Qui est connecté dans la file Ventes ?")) == (
        "Dans Ventes, 211 est en ligne."
    )
    simulator.set_agent_status(SALES, EXT_OFFICE, 2)
    simulator.set_agent_status(SUPPORT, EXT_KITCHEN, 1)
    await init_integration.runtime_data.queues.async_refresh()
    assert speech(await converse("Qui est en ligne dans Ventes ?")) == (
        "Dans Ventes, 211 est en ligne. En pause : 210."
    )
    assert speech(await converse("Qui est dans la file d'attente Support ?")) == (
        "Dans Support, 210 et 211 sont en ligne."
    )
    assert queue_changes(simulator) == []


@pytest.mark.usefixtures("queues")
async def test_queue_questions_without_an_answer(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    converse: Converse,
) -> None:
    """A queue not read yet, or no queue said for logging in, is explained."""
    response = await intent.async_handle(
        hass,
        "test",
        INTENT_QUEUE_AGENT,
        {"agent": {"value": "210"}, "status": {"value": "online"}},
        language="fr",
    )
    assert speech(response) == "Quelle file d'appels ?"

    # As before the PBX first answered for the queues.
    init_integration.runtime_data.queues.async_set_updated_data({})
    result = await converse("Qui est en ligne dans Ventes ?")
    assert speech(result) == "La file Ventes ne peut pas être lue pour le moment."
    assert is_error(result)
    assert queue_changes(simulator) == []


@pytest.mark.usefixtures("queues")
@pytest.mark.parametrize(
    ("sentence", "answer"),
    [
        (
            "Transfère l'appel au garage",
            "Je ne connais aucune destination de transfert nommée garage.",
        ),
        (
            "Transfère l'appel au mobile",
            "mobile peut désigner Mobile Anna ou Mobile Bob. Lequel ?",
        ),
        (
            "Transfère l'appel au 06 12 34 56 78",
            (
                "0612345678 ne fait pas partie de vos destinations de transfert. "
                "Ajoutez-le dans les options de VoipNow pour y transférer des "
                "appels à la voix."
            ),
        ),
        ("Termine l'appel du poste 999", "Je ne connais aucun poste nommé 999."),
        ("Termine l'appel du poste 211", "Il n'y a pas d'appel sur le poste 211."),
        (
            "Connecte 210 à la file Marketing",
            "Je ne connais aucune file d'appels nommée Marketing.",
        ),
        (
            "Connecte 212 à la file Ventes",
            "Le poste 212 n'est pas agent de la file Ventes.",
        ),
        (
            "Déconnecte 212 de toutes les files",
            "Le poste 212 n'est agent d'aucune file d'appels.",
        ),
    ],
)
async def test_refusals(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    converse: Converse,
    sentence: str,
    answer: str,
) -> None:
    """What voice cannot do is explained in French; nothing is sent."""
    await async_ring(hass, simulator, init_integration, answer=True)

    result = await converse(sentence)

    assert speech(result) == answer
    assert is_error(result)
    assert actions(simulator) == []


async def test_no_call(
    hass: HomeAssistant, simulator: VoipNowSimulator, converse: Converse
) -> None:
    """With no call anywhere, Assist says so and the PBX hears nothing."""
    simulator.clear_requests()

    for sentence in ("Transfère l'appel à l'accueil", "Raccroche"):
        result = await converse(sentence)
        assert speech(result) == "Il n'y a aucun appel en ce moment."
        assert is_error(result)
    assert actions(simulator) == []
