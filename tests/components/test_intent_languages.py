"""The voice intents in English, German and French, through Assist.

Each language's shipped sentence file (`custom_sentences/<language>/voipnow.yaml`)
is copied where a user puts it, and Assist is spoken to in that language. The
cases are the same in every language; only the sentences and the answers
differ, and they are the data below. German runs with Home Assistant set to
German, as a German-speaking user's is; French runs with Home Assistant left
in English: the answer is in the language the sentence was spoken in.
"""

from __future__ import annotations

from dataclasses import dataclass
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
from tests.components.voice_helpers import (
    CALL_STATES,
    CALLER,
    CALLS_PREFIX,
    SALES,
    SUPPORT,
    WHO,
    Converse,
    actions,
    agent_path,
    async_add_queues,
    async_missed,
    async_ring,
    async_start_assist,
    entry_with_targets,
    is_error,
    queue_changes,
    speech,
)
from tests.conftest import EXT_GARAGE, EXT_KITCHEN, EXT_OFFICE
from voipnow_simulator import VoipNowSimulator

ACME = "Acme Corp (+40215550100)"
ANNA = "+15551234567"
BOB = "+15557654321"


@dataclass(frozen=True, kw_only=True)
class Voice:
    """How a user speaks one language to Assist, and what Assist answers.

    Answers with `{party}` name the caller, `{target}` where the call went.
    """

    hass_language: str
    targets: list[dict[str, Any]]
    transferred: str
    voicemail: tuple[str, str]
    ask_which: tuple[str, str]
    # Said with the kitchen's number, and the target's name as said back.
    transfer_from_kitchen: tuple[str, str]
    hang_up: str
    hung_up: str
    no_call: tuple[tuple[str, ...], str]
    kitchen_device: str
    # (question, answer) while nobody calls, one rings, two ring, one is asked
    # about, and after the first is answered and the second has hung up.
    who_is_calling: tuple[tuple[str, str], ...]
    missed_all: str
    missed_today: tuple[tuple[str, ...], str]
    missed_before_today: tuple[str, str]
    missed_cleared: tuple[str, str]
    queues: tuple[str, str]
    # (question, answer): as set up, after Sales pauses 210 and Support puts
    # 211 online, of Support, and after 211 logs out of Sales.
    who_is_online: tuple[tuple[str, str], ...]
    which_queue: str
    queue_unread: tuple[str, str]


VOICES: dict[str, Voice] = {
    "en": Voice(
        hass_language="en",
        targets=[
            {"name": "Reception", "number": EXT_KITCHEN, "voicemail": False},
            {"name": "Mobile Anna", "number": ANNA, "voicemail": False},
            {"name": "Mobile Bob", "number": BOB, "voicemail": False},
            {"name": "Office", "number": EXT_OFFICE, "voicemail": True},
        ],
        transferred="Transferred the call with {party} to {target}.",
        voicemail=(
            "send the call to Office",
            f"Sent the call with {WHO} to voicemail of Office.",
        ),
        ask_which=(
            "transfer the call to mobile anna",
            (
                "Several phones have calls (extension 210, extension 211). "
                "Which extension?"
            ),
        ),
        transfer_from_kitchen=(
            "transfer the call on extension 211 to mobile anna",
            "Mobile Anna",
        ),
        hang_up="hang up the call",
        hung_up=f"Hung up the call with {WHO}.",
        no_call=(
            ("transfer the call to reception", "hang up the call"),
            "There is no call right now.",
        ),
        kitchen_device="Kitchen",
        who_is_calling=(
            ("who is calling", "Nobody is calling."),
            ("who is calling", f"{WHO} is calling extension 210."),
            ("who's calling", f"{WHO} is calling extension 210."),
            (
                "who is calling",
                f"{WHO} is calling extension 210. 5559999 is calling extension 211.",
            ),
            ("who is calling extension 211", "5559999 is calling extension 211."),
            ("who is on the line", f"Extension 210 is on a call with {WHO}."),
        ),
        missed_all=f"3 missed calls, from {ACME}, 5550199 and {WHO}.",
        missed_today=(
            ("who called today", "any missed calls today"),
            "1 missed call today, from 5550199.",
        ),
        missed_before_today=("did anyone call", "2 missed calls"),
        missed_cleared=("any missed calls", "No missed calls."),
        queues=("Sales", "Support"),
        who_is_online=(
            ("who is online in the sales queue", "In Sales, 211 is online."),
            ("who is online in sales", "In Sales, 211 is online. Paused: 210."),
            ("who is in the support queue", "In Support, 210 and 211 are online."),
            ("who is available in sales", "Nobody is online in Sales. Paused: 210."),
        ),
        which_queue="Which queue?",
        queue_unread=(
            "who is online in sales",
            "The queue Sales cannot be read right now.",
        ),
    ),
    "de": Voice(
        hass_language="de",
        targets=[
            {"name": "Empfang", "number": EXT_KITCHEN, "voicemail": False},
            {"name": "Rezeption", "number": "+4930123456", "voicemail": False},
            {"name": "Handy Anna", "number": ANNA, "voicemail": False},
            {"name": "Handy Bob", "number": BOB, "voicemail": False},
            {"name": "Büro", "number": EXT_OFFICE, "voicemail": True},
        ],
        transferred="Anruf mit {party} an {target} weitergeleitet.",
        voicemail=(
            "Schick den Anruf an das Büro",
            f"Anruf mit {WHO} an die Mailbox von Büro gesendet.",
        ),
        ask_which=(
            "Leite den Anruf an Handy Anna weiter",
            (
                "Mehrere Telefone haben einen Anruf (Nebenstelle 210, "
                "Nebenstelle 211). Welche Nebenstelle?"
            ),
        ),
        transfer_from_kitchen=(
            "Leite den Anruf von 0003 Stern 211 an Handy Anna weiter",
            "Handy Anna",
        ),
        hang_up="Leg auf!",
        hung_up=f"Anruf mit {WHO} beendet.",
        no_call=(
            ("Leite den Anruf an den Empfang weiter", "Leg auf"),
            "Gerade gibt es keinen Anruf.",
        ),
        kitchen_device="Küche",
        who_is_calling=(
            ("Wer ruft an?", "Niemand ruft an."),
            ("Wer ruft an?", f"{WHO} ruft Nebenstelle 210 an."),
            (
                "Wer ruft gerade an?",
                f"{WHO} ruft Nebenstelle 210 an. 5559999 ruft Nebenstelle 211 an.",
            ),
            ("Wer ruft Nebenstelle 211 an?", "5559999 ruft Nebenstelle 211 an."),
            ("Wer ist dran?", f"Nebenstelle 210 telefoniert mit {WHO}."),
        ),
        missed_all=f"3 verpasste Anrufe von {ACME}, 5550199 und {WHO}.",
        missed_today=(
            (
                "Wer hat heute angerufen?",
                "Gab es heute verpasste Anrufe?",
                "Verpasste Anrufe heute",
            ),
            "Heute 1 verpasster Anruf von 5550199.",
        ),
        missed_before_today=("Hat jemand angerufen?", "2 verpasste Anrufe"),
        missed_cleared=("Gibt es verpasste Anrufe?", "Keine verpassten Anrufe."),
        queues=("Vertrieb", "Support"),
        who_is_online=(
            (
                "Wer ist in der Warteschlange Vertrieb online?",
                "In Vertrieb ist 211 online.",
            ),
            (
                "Wer ist online bei Vertrieb?",
                "In Vertrieb ist 211 online. Pausiert: 210.",
            ),
            ("Wer ist in Support angemeldet?", "In Support sind 210 und 211 online."),
            (
                "Wer ist bei Vertrieb verfügbar?",
                "In Vertrieb ist niemand online. Pausiert: 210.",
            ),
        ),
        which_queue="Welche Warteschlange?",
        queue_unread=(
            "Wer ist online bei Vertrieb?",
            "Die Warteschlange Vertrieb kann gerade nicht gelesen werden.",
        ),
    ),
    "fr": Voice(
        hass_language="en",
        targets=[
            {"name": "Accueil", "number": EXT_KITCHEN, "voicemail": False},
            {"name": "Standard", "number": "+33140000000", "voicemail": False},
            {"name": "Réception", "number": "+33145678900", "voicemail": False},
            {"name": "Mobile Anna", "number": ANNA, "voicemail": False},
            {"name": "Mobile Bob", "number": BOB, "voicemail": False},
            {"name": "Bureau", "number": EXT_OFFICE, "voicemail": True},
        ],
        transferred="J'ai transféré l'appel avec {party} vers {target}.",
        voicemail=(
            "Envoie l'appel au bureau",
            f"J'ai envoyé l'appel avec {WHO} sur la messagerie vocale de Bureau.",
        ),
        ask_which=(
            "Transfère l'appel à Mobile Anna",
            (
                "Plusieurs téléphones ont un appel (le poste 210, le poste 211). "
                "Quel poste ?"
            ),
        ),
        transfer_from_kitchen=(
            "Transfère l'appel du poste 0003 étoile 211 vers Mobile Anna",
            "Mobile Anna",
        ),
        hang_up="Raccroche !",
        hung_up=f"J'ai raccroché l'appel avec {WHO}.",
        no_call=(
            ("Transfère l'appel à l'accueil", "Raccroche"),
            "Il n'y a aucun appel en ce moment.",
        ),
        kitchen_device="Cuisine",
        who_is_calling=(
            ("Qui appelle ?", "Personne n'appelle."),
            ("Qui appelle ?", f"{WHO} appelle le poste 210."),
            (
                "Qui est-ce qui appelle ?",
                f"{WHO} appelle le poste 210. 5559999 appelle le poste 211.",
            ),
            ("Qui appelle le poste 211 ?", "5559999 appelle le poste 211."),
            ("Qui est en ligne ?", f"Le poste 210 est en communication avec {WHO}."),
        ),
        missed_all=f"3 appels manqués : {ACME}, 5550199 et {WHO}.",
        missed_today=(
            (
                "Qui a appelé aujourd'hui ?",
                "Y a-t-il eu des appels manqués aujourd'hui ?",
            ),
            "1 appel manqué aujourd'hui : 5550199.",
        ),
        missed_before_today=("Quelqu'un a appelé ?", "2 appels manqués"),
        missed_cleared=("Y a-t-il des appels manqués ?", "Aucun appel manqué."),
        queues=("Ventes", "Support"),
        who_is_online=(
            (
                "Qui est connecté dans la file Ventes ?",
                "Dans Ventes, 211 est en ligne.",
            ),
            (
                "Qui est en ligne dans Ventes ?",
                "Dans Ventes, 211 est en ligne. En pause : 210.",
            ),
            (
                "Qui est dans la file d'attente Support ?",
                "Dans Support, 210 et 211 sont en ligne.",
            ),
            (
                "Qui est disponible dans Ventes ?",
                "Personne n'est en ligne dans Ventes. En pause : 210.",
            ),
        ),
        which_queue="Quelle file d'appels ?",
        queue_unread=(
            "Qui est en ligne dans Ventes ?",
            "La file Ventes ne peut pas être lue pour le moment.",
        ),
    ),
}
LANGUAGES = list(VOICES)


def cases(table: dict[str, list[tuple[Any, ...]]]) -> list[Any]:
    """Flatten {language: [case, ...]} into parameters led by the language."""
    return [
        pytest.param(language, *case, id=f"{language}-{index}")
        for language, rows in table.items()
        for index, case in enumerate(rows)
    ]


@pytest.fixture
def voice(language: str) -> Voice:
    """The sentences and answers of the language under test."""
    return VOICES[language]


@pytest.fixture
def mock_config_entry(simulator: VoipNowSimulator, voice: Voice) -> MockConfigEntry:
    """Return the simulator's entry with the transfer targets named in the language."""
    return entry_with_targets(simulator, voice.targets)


@pytest.fixture
async def converse(
    hass: HomeAssistant,
    tmp_path: Path,
    init_integration: MockConfigEntry,
    language: str,
    voice: Voice,
) -> Converse:
    """Set Home Assistant's language, install the sentences, start Assist."""
    hass.config.language = voice.hass_language
    return await async_start_assist(hass, tmp_path, language)


@pytest.fixture
async def ringing(
    hass: HomeAssistant, simulator: VoipNowSimulator, init_integration: MockConfigEntry
) -> dict[str, str]:
    """The office and the kitchen both ring: their call ids by extension."""
    return {
        EXT_OFFICE: await async_ring(hass, simulator, init_integration),
        EXT_KITCHEN: await async_ring(hass, simulator, init_integration, EXT_KITCHEN),
    }


@pytest.mark.parametrize(
    ("language", "sentence", "sent", "spoken"),
    cases(
        {
            "en": [
                ("transfer the call to reception", EXT_KITCHEN, "Reception"),
                ("transfer the call to mobile anna", ANNA, "Mobile Anna"),
                ("transfer the call to 0003*212", EXT_GARAGE, "extension 212"),
                ("transfer the call to 212", EXT_GARAGE, "extension 212"),
                ("transfer the call to 0003 star 212", EXT_GARAGE, "extension 212"),
                ("transfer the call to 2 1 2", EXT_GARAGE, "extension 212"),
            ],
            "de": [
                ("Leite den Anruf an den Empfang weiter", EXT_KITCHEN, "Empfang"),
                ("Stell das Gespräch zur Rezeption durch", "+4930123456", "Rezeption"),
                ("Verbinde den Anruf mit Handy Anna", ANNA, "Handy Anna"),
                (
                    "Leite den Anruf an Nebenstelle 212 weiter",
                    EXT_GARAGE,
                    "Nebenstelle 212",
                ),
                (
                    "Leite den Anruf an 0003 Stern 212 weiter",
                    EXT_GARAGE,
                    "Nebenstelle 212",
                ),
            ],
            "fr": [
                ("Transfère l'appel à l'accueil", EXT_KITCHEN, "Accueil"),
                ("Transférez l'appel vers le standard", "+33140000000", "Standard"),
                ("Passe l'appel à la réception", "+33145678900", "Réception"),
                ("Transfère l'appel au poste 212", EXT_GARAGE, "le poste 212"),
                ("Transfère l'appel à 0003 étoile 212", EXT_GARAGE, "le poste 212"),
            ],
        }
    ),
)
async def test_transfer(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    converse: Converse,
    voice: Voice,
    sentence: str,
    sent: str,
    spoken: str,
) -> None:
    """A call goes to a target by name (with its article) or to an extension."""
    call_id = await async_ring(hass, simulator, init_integration, answer=True)

    result = await converse(sentence)

    assert speech(result) == voice.transferred.format(party=WHO, target=spoken)
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
    voice: Voice,
) -> None:
    """A voicemail target takes the caller into that voicemail box."""
    call_id = await async_ring(hass, simulator, init_integration, EXT_KITCHEN)
    sentence, answer = voice.voicemail

    result = await converse(sentence)

    assert speech(result) == answer
    [request] = actions(simulator)
    assert (request.method, request.path) == (
        "PUT",
        f"{CALLS_PREFIX}{EXT_KITCHEN}/{call_id}",
    )
    assert request.json == {
        "action": "TransferToVoicemail",
        "sendCallTo": EXT_OFFICE,
        "transferNumber": CALLER,
    }
    assert [v["call_id"] for v in simulator.voicemails] == [call_id]


@pytest.mark.parametrize("language", LANGUAGES)
async def test_several_calls_ask_which_extension(
    simulator: VoipNowSimulator,
    converse: Converse,
    voice: Voice,
    ringing: dict[str, str],
) -> None:
    """Two phones ring: Assist asks which; naming the extension (with its star) works."""
    sentence, question = voice.ask_which
    assert speech(await converse(sentence)) == question
    assert speech(await converse(voice.hang_up)) == question
    assert actions(simulator) == []

    sentence, anna = voice.transfer_from_kitchen
    result = await converse(sentence)

    assert speech(result) == voice.transferred.format(party=WHO, target=anna)
    [request] = actions(simulator)
    assert (request.method, request.path) == (
        "PUT",
        f"{CALLS_PREFIX}{EXT_KITCHEN}/{ringing[EXT_KITCHEN]}",
    )
    assert request.json == {
        "action": "Transfer",
        "sendCallTo": ANNA,
        "transferFromNumber": EXT_KITCHEN,
    }


@pytest.mark.parametrize("language", LANGUAGES)
async def test_hang_up(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    converse: Converse,
    voice: Voice,
) -> None:
    """Hanging up ends the only call with one DELETE, naming the caller."""
    call_id = await async_ring(hass, simulator, init_integration, answer=True)

    result = await converse(voice.hang_up)

    assert speech(result) == voice.hung_up
    [request] = actions(simulator)
    assert (request.method, request.path) == (
        "DELETE",
        f"{CALLS_PREFIX}{EXT_OFFICE}/{call_id}",
    )
    assert call_id not in simulator.calls


@pytest.fixture
def kitchen_renamed(
    hass: HomeAssistant, init_integration: MockConfigEntry, voice: Voice
) -> None:
    """The user named the kitchen phone's device in the language."""
    entity = er.async_get(hass).async_get(CALL_STATES[1])
    assert entity is not None
    assert entity.device_id is not None
    dr.async_get(hass).async_update_device(
        entity.device_id, name_by_user=voice.kitchen_device
    )


@pytest.mark.usefixtures("kitchen_renamed")
@pytest.mark.parametrize(
    ("language", "sentence", "extension"),
    cases(
        {
            "en": [
                ("hang up the call on extension 211", EXT_KITCHEN),
                ("end the call of 0003*210", EXT_OFFICE),
                ("hang up the call on 210", EXT_OFFICE),
                # Said aloud, the star is a word and the digits come apart.
                ("end the call on extension 0003 star 210", EXT_OFFICE),
                ("end the call on 0 0 0 3 star 2 1 1", EXT_KITCHEN),
                ("hang up the call on Extension 0003*211", EXT_KITCHEN),
                ("hang up the call on kitchen", EXT_KITCHEN),
            ],
            "de": [
                ("Beende den Anruf auf Nebenstelle 211", EXT_KITCHEN),
                ("Leg bei 0003 Stern 210 auf", EXT_OFFICE),
                ("Beende das Gespräch vom Apparat 0003*211", EXT_KITCHEN),
                ("Lehne den Anruf auf 210 ab", EXT_OFFICE),
                ("Leg in der Küche auf", EXT_KITCHEN),
            ],
            "fr": [
                ("Termine l'appel du poste 211", EXT_KITCHEN),
                ("Raccroche l'appel sur 0003 étoile 210", EXT_OFFICE),
                ("Coupe l'appel de 0003*211", EXT_KITCHEN),
                ("Mets fin à l'appel du poste 210", EXT_OFFICE),
                ("Raccroche dans la cuisine", EXT_KITCHEN),
            ],
        }
    ),
)
async def test_hang_up_a_named_extension(
    simulator: VoipNowSimulator,
    converse: Converse,
    voice: Voice,
    ringing: dict[str, str],
    sentence: str,
    extension: str,
) -> None:
    """The phone is named by its number, said or typed, or by its device's name."""
    result = await converse(sentence)

    assert speech(result) == voice.hung_up
    [request] = actions(simulator)
    assert (request.method, request.path) == (
        "DELETE",
        f"{CALLS_PREFIX}{extension}/{ringing[extension]}",
    )


@pytest.mark.parametrize("language", LANGUAGES)
async def test_who_is_calling(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    converse: Converse,
    voice: Voice,
) -> None:
    """Assist names who rings, then who is on the line; nothing is sent."""
    nobody, *one_rings, two_ring, asked, on_the_line = voice.who_is_calling
    assert speech(await converse(nobody[0])) == nobody[1]
    call_id = await async_ring(hass, simulator, init_integration)
    for question, answer in one_rings:
        assert speech(await converse(question)) == answer
    kitchen_call = await async_ring(
        hass, simulator, init_integration, EXT_KITCHEN, caller="5559999", caller_name=""
    )
    for question, answer in (two_ring, asked):
        assert speech(await converse(question)) == answer

    await simulator.answer_call(call_id)
    await simulator.hangup_call(kitchen_call)
    await init_integration.runtime_data.calls.async_refresh()
    assert speech(await converse(on_the_line[0])) == on_the_line[1]
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
@pytest.mark.parametrize(
    ("language", "sentence", "answer"),
    cases(
        {
            "en": [
                ("any missed calls", None),
                ("who called", None),
                ("did anyone call", None),
                ("how many missed calls do I have", None),
                (
                    "who called extension 211",
                    "1 missed call on extension 211, from 5550199.",
                ),
                (
                    "any missed calls on 0003 star 210",
                    f"2 missed calls on extension 210, from {ACME} and {WHO}.",
                ),
                (
                    "who called extension 212 today",
                    "No missed calls on extension 212 today.",
                ),
            ],
            "de": [
                ("Gibt es verpasste Anrufe?", None),
                ("Wer hat angerufen?", None),
                ("Hat jemand angerufen?", None),
                ("Wie viele verpasste Anrufe habe ich?", None),
                (
                    "Wer hat bei Nebenstelle 211 angerufen?",
                    "1 verpasster Anruf auf Nebenstelle 211 von 5550199.",
                ),
                (
                    "Verpasste Anrufe auf 0003 Stern 210",
                    f"2 verpasste Anrufe auf Nebenstelle 210 von {ACME} und {WHO}.",
                ),
                (
                    "Wer hat heute bei Nebenstelle 212 angerufen?",
                    "Heute keine verpassten Anrufe auf Nebenstelle 212.",
                ),
            ],
            "fr": [
                ("Y a-t-il des appels manqués ?", None),
                ("Qui a appelé ?", None),
                ("Est-ce que quelqu'un a appelé ?", None),
                ("Combien d'appels manqués ai-je ?", None),
                (
                    "Qui a appelé le poste 211 ?",
                    "1 appel manqué sur le poste 211 : 5550199.",
                ),
                (
                    "Des appels manqués sur 0003 étoile 210",
                    f"2 appels manqués sur le poste 210 : {ACME} et {WHO}.",
                ),
                (
                    "Qui a appelé le poste 212 aujourd'hui ?",
                    "Aucun appel manqué sur le poste 212 aujourd'hui.",
                ),
            ],
        }
    ),
)
async def test_missed_calls(
    simulator: VoipNowSimulator,
    converse: Converse,
    voice: Voice,
    sentence: str,
    answer: str | None,
) -> None:
    """Voice counts the missed calls and names the latest callers (all by default)."""
    result = await converse(sentence)

    assert speech(result) == (answer or voice.missed_all)
    assert actions(simulator) == []


@pytest.mark.parametrize("language", LANGUAGES)
async def test_missed_calls_today_and_cleared(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    converse: Converse,
    voice: Voice,
) -> None:
    """Today counts from midnight; a cleared badge counts from zero."""
    await async_missed(simulator, EXT_OFFICE, CALLER, "John Doe", freezer)
    freezer.tick(timedelta(days=1))
    await async_missed(simulator, EXT_OFFICE, "5550199", "", freezer)
    await init_integration.runtime_data.history.async_refresh()

    questions, today = voice.missed_today
    for question in questions:
        assert speech(await converse(question)) == today
    question, start = voice.missed_before_today
    assert speech(await converse(question)).startswith(start)

    await hass.services.async_call(DOMAIN, "clear_missed_calls", {}, blocking=True)
    question, cleared = voice.missed_cleared
    assert speech(await converse(question)) == cleared


@pytest.fixture
async def queues(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    voice: Voice,
) -> None:
    """Two call queues, Sales and Support, named in the options in the language."""
    await async_add_queues(
        hass,
        simulator,
        init_integration,
        voice.queues,
        ({EXT_OFFICE: 0, EXT_KITCHEN: 1}, {EXT_OFFICE: 1, EXT_KITCHEN: 0}),
    )


@pytest.mark.usefixtures("queues")
@pytest.mark.parametrize(
    ("language", "sentence", "answer", "changes"),
    cases(
        {
            "en": [
                (
                    "log 210 into the sales queue",
                    "Logged 210 into Sales.",
                    [(SALES, EXT_OFFICE, "1")],
                ),
                (
                    "pause 211 in support",
                    "Paused 211 in Support.",
                    [(SUPPORT, EXT_KITCHEN, "2")],
                ),
                (
                    "log 210 out of all queues",
                    "Logged 210 out of Sales and Support.",
                    [(SALES, EXT_OFFICE, "0"), (SUPPORT, EXT_OFFICE, "0")],
                ),
                (
                    "log extension 0003 star 211 out of the sales queue",
                    "Logged 211 out of Sales.",
                    [(SALES, EXT_KITCHEN, "0")],
                ),
            ],
            "de": [
                (
                    "Melde 210 in der Warteschlange Vertrieb an",
                    "210 bei Vertrieb angemeldet.",
                    [(SALES, EXT_OFFICE, "1")],
                ),
                (
                    "Pausiere Nebenstelle 211 in Support",
                    "211 in Support pausiert.",
                    [(SUPPORT, EXT_KITCHEN, "2")],
                ),
                (
                    "Melde 210 von allen Warteschlangen ab",
                    "210 von Vertrieb und Support abgemeldet.",
                    [(SALES, EXT_OFFICE, "0"), (SUPPORT, EXT_OFFICE, "0")],
                ),
                (
                    "Logge Nebenstelle 0003 Stern 211 aus der Warteschlange Vertrieb aus",
                    "211 von Vertrieb abgemeldet.",
                    [(SALES, EXT_KITCHEN, "0")],
                ),
            ],
            "fr": [
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
        }
    ),
)
async def test_queue_agents(
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
@pytest.mark.parametrize("language", LANGUAGES)
async def test_who_is_online_in_a_queue(
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    converse: Converse,
    voice: Voice,
) -> None:
    """Who takes calls in a queue, by its name, and who pauses; nothing is sent."""
    as_set_up, after_pause, support, nobody = voice.who_is_online
    assert speech(await converse(as_set_up[0])) == as_set_up[1]
    simulator.set_agent_status(SALES, EXT_OFFICE, 2)
    simulator.set_agent_status(SUPPORT, EXT_KITCHEN, 1)
    await init_integration.runtime_data.queues.async_refresh()
    for question, answer in (after_pause, support):
        assert speech(await converse(question)) == answer
    simulator.set_agent_status(SALES, EXT_KITCHEN, 0)
    await init_integration.runtime_data.queues.async_refresh()
    assert speech(await converse(nobody[0])) == nobody[1]
    assert queue_changes(simulator) == []


@pytest.mark.usefixtures("queues")
@pytest.mark.parametrize("language", LANGUAGES)
async def test_queue_questions_without_an_answer(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    converse: Converse,
    language: str,
    voice: Voice,
) -> None:
    """A queue not read yet, or no queue said for logging in, is explained."""
    response = await intent.async_handle(
        hass,
        "test",
        INTENT_QUEUE_AGENT,
        {"agent": {"value": "210"}, "status": {"value": "online"}},
        language=language,
    )
    assert speech(response) == voice.which_queue

    # As before the PBX first answered for the queues.
    init_integration.runtime_data.queues.async_set_updated_data({})
    question, answer = voice.queue_unread
    result = await converse(question)
    assert speech(result) == answer
    assert is_error(result)
    assert queue_changes(simulator) == []


@pytest.mark.usefixtures("queues")
@pytest.mark.parametrize(
    ("language", "sentence", "answer"),
    cases(
        {
            "en": [
                (
                    "transfer the call to narnia",
                    "I don't know a transfer target called narnia.",
                ),
                (
                    "transfer the call to mobile",
                    "mobile could mean Mobile Anna or Mobile Bob. Which one?",
                ),
                (
                    "transfer the call to 5 5 5 9 8 7 6",
                    (
                        "5559876 is not one of your transfer targets. Add it in "
                        "the VoipNow options to transfer calls there by voice."
                    ),
                ),
                (
                    "hang up the call on extension 999",
                    "I don't know an extension called 999.",
                ),
                (
                    "hang up the call on extension 211",
                    "There is no call on extension 211.",
                ),
                (
                    "log 210 into the marketing queue",
                    "I don't know a call queue called marketing.",
                ),
                # A queue is reached by its configured name, never by a number said.
                (
                    "log 210 into 0003 star 300",
                    "I don't know a call queue called 0003 star 300.",
                ),
                (
                    "log 212 into the sales queue",
                    "Extension 212 is not an agent of sales.",
                ),
                (
                    "log 212 out of all queues",
                    "Extension 212 is not an agent of any call queue.",
                ),
                (
                    "log 999 into the sales queue",
                    "I don't know an extension called 999.",
                ),
            ],
            "de": [
                (
                    "Leite den Anruf an die Garage weiter",
                    "Ich kenne kein Weiterleitungsziel namens Garage.",
                ),
                (
                    "Leite den Anruf an das Handy weiter",
                    "Mit Handy kann Handy Anna oder Handy Bob gemeint sein. Welches Ziel?",
                ),
                (
                    "Leite den Anruf an 0 1 7 1 2 3 4 weiter",
                    (
                        "0171234 ist keines deiner Weiterleitungsziele. Füge es in den "
                        "VoipNow-Optionen hinzu, um Anrufe per Sprache dorthin "
                        "weiterzuleiten."
                    ),
                ),
                (
                    "Beende den Anruf auf Nebenstelle 999",
                    "Ich kenne keine Nebenstelle namens 999.",
                ),
                (
                    "Beende den Anruf auf Nebenstelle 211",
                    "Auf Nebenstelle 211 gibt es keinen Anruf.",
                ),
                (
                    "Melde 210 in der Warteschlange Marketing an",
                    "Ich kenne keine Warteschlange namens Marketing.",
                ),
                (
                    "Melde 212 in der Warteschlange Vertrieb an",
                    "Nebenstelle 212 ist kein Agent der Warteschlange Vertrieb.",
                ),
                (
                    "Melde 212 von allen Warteschlangen ab",
                    "Nebenstelle 212 ist in keiner Warteschlange Agent.",
                ),
            ],
            "fr": [
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
                        "0612345678 ne fait pas partie de vos destinations de "
                        "transfert. Ajoutez-le dans les options de VoipNow pour y "
                        "transférer des appels à la voix."
                    ),
                ),
                (
                    "Termine l'appel du poste 999",
                    "Je ne connais aucun poste nommé 999.",
                ),
                (
                    "Termine l'appel du poste 211",
                    "Il n'y a pas d'appel sur le poste 211.",
                ),
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
        }
    ),
)
async def test_refusals(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    converse: Converse,
    sentence: str,
    answer: str,
) -> None:
    """What voice cannot do is explained in the language; nothing is sent."""
    call_id = await async_ring(hass, simulator, init_integration, answer=True)

    result = await converse(sentence)

    assert speech(result) == answer
    assert is_error(result)
    assert actions(simulator) == []
    assert simulator.get_call(call_id).local_extensions == [EXT_OFFICE]


@pytest.mark.parametrize("language", LANGUAGES)
async def test_no_call(
    simulator: VoipNowSimulator, converse: Converse, voice: Voice
) -> None:
    """With no call anywhere, Assist says so and the PBX hears nothing."""
    simulator.clear_requests()
    sentences, answer = voice.no_call

    for sentence in sentences:
        result = await converse(sentence)
        assert speech(result) == answer
        assert is_error(result)
    assert actions(simulator) == []
