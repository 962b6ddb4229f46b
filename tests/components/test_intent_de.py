"""The voice intents in German, through Home Assistant's conversation machinery.

The sentences are the shipped `custom_sentences/de/voipnow.yaml`, copied into
`<config>/custom_sentences/de/`; Home Assistant is set to German, as a
German-speaking user's is, and Assist answers in German.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.voipnow.const import DOMAIN
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
    {"name": "Empfang", "number": EXT_KITCHEN, "voicemail": False},
    {"name": "Rezeption", "number": "+4930123456", "voicemail": False},
    {"name": "Handy Anna", "number": "+15551234567", "voicemail": False},
    {"name": "Handy Bob", "number": "+15557654321", "voicemail": False},
    {"name": "Büro", "number": EXT_OFFICE, "voicemail": True},
]
ACME = "Acme Corp (+40215550100)"


@pytest.fixture
def mock_config_entry(simulator: VoipNowSimulator) -> MockConfigEntry:
    """Return the simulator's entry with the transfer targets a German user names."""
    return entry_with_targets(simulator, TARGETS)


@pytest.fixture
async def converse(
    hass: HomeAssistant, tmp_path: Path, init_integration: MockConfigEntry
) -> Converse:
    """Set Home Assistant to German, install the German sentences, start Assist."""
    hass.config.language = "de"
    return await async_start_assist(hass, tmp_path, "de")


@pytest.mark.parametrize(
    ("sentence", "sent", "spoken"),
    [
        ("Leite den Anruf an den Empfang weiter", EXT_KITCHEN, "Empfang"),
        ("Stell das Gespräch zur Rezeption durch", "+4930123456", "Rezeption"),
        ("Verbinde den Anruf mit Handy Anna", "+15551234567", "Handy Anna"),
        ("Leite den Anruf an Nebenstelle 212 weiter", EXT_GARAGE, "Nebenstelle 212"),
        ("Leite den Anruf an 0003 Stern 212 weiter", EXT_GARAGE, "Nebenstelle 212"),
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

    assert speech(result) == f"Anruf mit {WHO} an {spoken} weitergeleitet."
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

    result = await converse("Schick den Anruf an das Büro")

    assert speech(result) == f"Anruf mit {WHO} an die Mailbox von Büro gesendet."
    [request] = actions(simulator)
    assert request.path == f"{CALLS_PREFIX}{EXT_KITCHEN}/{call_id}"
    assert request.json == {
        "action": "TransferToVoicemail",
        "sendCallTo": EXT_OFFICE,
        "transferNumber": CALLER,
    }


async def test_transfer_from_an_extension_said_with_stern(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    converse: Converse,
) -> None:
    """Two phones ring: Assist asks which; "0003 Stern 211" names the kitchen."""
    await async_ring(hass, simulator, init_integration)
    kitchen_call = await async_ring(hass, simulator, init_integration, EXT_KITCHEN)

    result = await converse("Leite den Anruf an Handy Anna weiter")
    assert speech(result) == (
        "Mehrere Telefone haben einen Anruf (Nebenstelle 210, Nebenstelle 211). "
        "Welche Nebenstelle?"
    )
    assert actions(simulator) == []

    result = await converse("Leite den Anruf von 0003 Stern 211 an Handy Anna weiter")

    assert speech(result) == f"Anruf mit {WHO} an Handy Anna weitergeleitet."
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
    """Saying "Leg auf" ends the only call with one DELETE."""
    call_id = await async_ring(hass, simulator, init_integration, answer=True)

    result = await converse("Leg auf!")

    assert speech(result) == f"Anruf mit {WHO} beendet."
    [request] = actions(simulator)
    assert (request.method, request.path) == (
        "DELETE",
        f"{CALLS_PREFIX}{EXT_OFFICE}/{call_id}",
    )
    assert call_id not in simulator.calls


@pytest.fixture
def kitchen_named_kuche(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """The user named the kitchen phone's device "Küche" in Home Assistant."""
    entity = er.async_get(hass).async_get(CALL_STATES[1])
    assert entity is not None
    assert entity.device_id is not None
    dr.async_get(hass).async_update_device(entity.device_id, name_by_user="Küche")


@pytest.mark.usefixtures("kitchen_named_kuche")
@pytest.mark.parametrize(
    ("sentence", "extension"),
    [
        ("Beende den Anruf auf Nebenstelle 211", EXT_KITCHEN),
        ("Leg bei 0003 Stern 210 auf", EXT_OFFICE),
        ("Beende das Gespräch vom Apparat 0003*211", EXT_KITCHEN),
        ("Lehne den Anruf auf 210 ab", EXT_OFFICE),
        ("Leg in der Küche auf", EXT_KITCHEN),
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
    """The phone is named as "Nebenstelle 211", "0003 Stern 210" or its name."""
    calls = {
        EXT_OFFICE: await async_ring(hass, simulator, init_integration),
        EXT_KITCHEN: await async_ring(hass, simulator, init_integration, EXT_KITCHEN),
    }

    result = await converse(sentence)

    assert speech(result) == f"Anruf mit {WHO} beendet."
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
    assert speech(await converse("Wer ruft an?")) == "Niemand ruft an."

    call_id = await async_ring(hass, simulator, init_integration)
    assert speech(await converse("Wer ruft an?")) == (f"{WHO} ruft Nebenstelle 210 an.")
    kitchen_call = await async_ring(
        hass, simulator, init_integration, EXT_KITCHEN, caller="5559999", caller_name=""
    )
    assert speech(await converse("Wer ruft gerade an?")) == (
        f"{WHO} ruft Nebenstelle 210 an. 5559999 ruft Nebenstelle 211 an."
    )
    assert speech(await converse("Wer ruft Nebenstelle 211 an?")) == (
        "5559999 ruft Nebenstelle 211 an."
    )

    await simulator.answer_call(call_id)
    await simulator.hangup_call(kitchen_call)
    await init_integration.runtime_data.calls.async_refresh()
    result = await converse("Wer ist dran?")
    assert speech(result) == f"Nebenstelle 210 telefoniert mit {WHO}."
    assert actions(simulator) == []


@pytest.mark.parametrize(
    ("sentence", "answer"),
    [
        (
            "Gibt es verpasste Anrufe?",
            f"3 verpasste Anrufe von {ACME}, 5550199 und John Doe (5551234).",
        ),
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
    """Voice counts the missed calls and names the latest callers, in German."""
    await async_missed(simulator, EXT_OFFICE, CALLER, "John Doe", freezer)
    await async_missed(simulator, EXT_KITCHEN, "5550199", "", freezer)
    await async_missed(simulator, EXT_OFFICE, "+40215550100", "Acme Corp", freezer)
    await init_integration.runtime_data.history.async_refresh()
    simulator.clear_requests()

    result = await converse(sentence)

    assert speech(result) == (
        answer or f"3 verpasste Anrufe von {ACME}, 5550199 und {WHO}."
    )
    assert actions(simulator) == []


async def test_missed_calls_today(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    converse: Converse,
) -> None:
    """`heute` counts from midnight; a cleared badge counts from zero."""
    await async_missed(simulator, EXT_OFFICE, CALLER, "John Doe", freezer)
    freezer.tick(timedelta(days=1))
    await async_missed(simulator, EXT_OFFICE, "5550199", "", freezer)
    await init_integration.runtime_data.history.async_refresh()

    today = "Heute 1 verpasster Anruf von 5550199."
    assert speech(await converse("Wer hat heute angerufen?")) == today
    assert speech(await converse("Gab es heute verpasste Anrufe?")) == today
    assert speech(await converse("Verpasste Anrufe heute")) == today
    assert speech(await converse("Hat jemand angerufen?")).startswith(
        "2 verpasste Anrufe"
    )

    await hass.services.async_call(DOMAIN, "clear_missed_calls", {}, blocking=True)
    assert speech(await converse("Gibt es verpasste Anrufe?")) == (
        "Keine verpassten Anrufe."
    )


@pytest.fixture
async def queues(
    hass: HomeAssistant, simulator: VoipNowSimulator, init_integration: MockConfigEntry
) -> None:
    """Two call queues, Vertrieb and Support, named in the options."""
    await async_add_queues(
        hass,
        simulator,
        init_integration,
        ("Vertrieb", "Support"),
        ({EXT_OFFICE: 0, EXT_KITCHEN: 1}, {EXT_OFFICE: 1, EXT_KITCHEN: 0}),
    )


@pytest.mark.usefixtures("queues")
@pytest.mark.parametrize(
    ("sentence", "answer", "changes"),
    [
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
    assert speech(await converse("Wer ist in der Warteschlange Vertrieb online?")) == (
        "In Vertrieb ist 211 online."
    )
    simulator.set_agent_status(SALES, EXT_OFFICE, 2)
    simulator.set_agent_status(SUPPORT, EXT_KITCHEN, 1)
    await init_integration.runtime_data.queues.async_refresh()
    assert speech(await converse("Wer ist online bei Vertrieb?")) == (
        "In Vertrieb ist 211 online. Pausiert: 210."
    )
    assert speech(await converse("Wer ist in Support angemeldet?")) == (
        "In Support sind 210 und 211 online."
    )
    simulator.set_agent_status(SALES, EXT_KITCHEN, 0)
    await init_integration.runtime_data.queues.async_refresh()
    assert speech(await converse("Wer ist bei Vertrieb verfügbar?")) == (
        "In Vertrieb ist niemand online. Pausiert: 210."
    )
    assert queue_changes(simulator) == []


@pytest.mark.usefixtures("queues")
@pytest.mark.parametrize(
    ("sentence", "answer"),
    [
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
)
async def test_refusals(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    converse: Converse,
    sentence: str,
    answer: str,
) -> None:
    """What voice cannot do is explained in German; nothing is sent."""
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

    for sentence in ("Leite den Anruf an den Empfang weiter", "Leg auf"):
        result = await converse(sentence)
        assert speech(result) == "Gerade gibt es keinen Anruf."
        assert is_error(result)
    assert actions(simulator) == []
