"""German and French voice: complete phrasebooks, sentence files and word lists.

Each language must say everything English says, and its sentence file must
reach every intent and slot value the English one does; the words people
put around names ("den Empfang", "l'accueil") must not stop a match.
"""

from __future__ import annotations

from string import Formatter
from typing import Any

import pytest
import yaml

from custom_components.voipnow.phrases import PHRASES, alternatives, listing, say
from custom_components.voipnow.spoken import (
    spoken_forms,
    without_fillers,
    without_prefixes,
)
from custom_components.voipnow.targets import TransferTarget, find_targets
from custom_components.voipnow.voice import spoken_number
from tests.components.voice_helpers import sentence_file

LANGUAGES = ["de", "fr"]


def names(text: str) -> set[str]:
    """Return the `{names}` a phrase fills in."""
    return {name for _, name, _, _ in Formatter().parse(text) if name}


def sentences(language: str) -> dict[str, Any]:
    """Read the sentence file shipped for a language."""
    path = sentence_file(language)
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def slot_values(data: dict[str, Any]) -> dict[str, set[tuple[str, str]]]:
    """Return each intent's fixed slot values (`period: today`, `status: …`)."""
    return {
        intent: {
            (slot, str(value))
            for block in spec["data"]
            for slot, value in block.get("slots", {}).items()
        }
        for intent, spec in data["intents"].items()
    }


def wildcards(data: dict[str, Any]) -> dict[str, set[str]]:
    """Return the `{slots}` each intent's sentences fill from what was said."""
    found: dict[str, set[str]] = {}
    for intent, spec in data["intents"].items():
        found[intent] = {
            name
            for block in spec["data"]
            for sentence in block["sentences"]
            for name in names(sentence.replace("[", "").replace("]", ""))
        }
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_phrase_is_translated(language: str) -> None:
    """Every English phrase exists in the language, with the same values."""
    assert set(PHRASES[language]) == set(PHRASES["en"])
    for key, text in PHRASES["en"].items():
        assert names(PHRASES[language][key]) == names(text), (language, key)


@pytest.mark.parametrize("language", LANGUAGES)
def test_sentence_file_covers_what_english_does(language: str) -> None:
    """Same intents, same slots, same slot values, same wildcard lists."""
    english = sentences("en")
    translated = sentences(language)

    assert translated["language"] == language
    assert set(translated["intents"]) == set(english["intents"])
    assert slot_values(translated) == slot_values(english)
    assert wildcards(translated) == wildcards(english)
    assert translated["lists"] == english["lists"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_sentence_file_says_where_it_goes(language: str) -> None:
    """The file's header tells the user where to copy it."""
    text = sentence_file(language).read_text(encoding="utf-8")
    assert f"<config>/custom_sentences/{language}/voipnow.yaml" in text


@pytest.mark.parametrize(
    ("language", "items", "joined", "either"),
    [
        ("de", ["A", "B", "C"], "A, B und C", "A, B oder C"),
        ("fr", ["A", "B", "C"], "A, B et C", "A, B ou C"),
        ("de-CH", ["A", "B"], "A und B", "A oder B"),
        ("fr_BE", ["A"], "A", "A"),
    ],
)
def test_lists_read_in_the_language(
    language: str, items: list[str], joined: str, either: str
) -> None:
    """Lists and alternatives use the language's "and" and "or"."""
    assert listing(language, items) == joined
    assert alternatives(language, items) == either


def test_regional_variants_speak_the_language() -> None:
    """Swiss German is German, Belgian French is French."""
    assert say("de-CH", "no_call") == "Gerade gibt es keinen Anruf."
    assert say("fr-BE", "no_call") == "Il n'y a aucun appel en ce moment."


TARGETS = [
    TransferTarget(name="Empfang", number="0003*211"),
    TransferTarget(name="Rezeption", number="+4930123456"),
    TransferTarget(name="Mailbox", number="0003*210", voicemail=True),
    TransferTarget(name="Accueil", number="0003*211"),
    TransferTarget(name="Standard", number="+33140000000"),
    TransferTarget(name="Messagerie", number="0003*212", voicemail=True),
]


@pytest.mark.parametrize(
    ("language", "said", "target"),
    [
        ("de", "den Empfang", "Empfang"),
        ("de", "die Rezeption", "Rezeption"),
        ("de", "meine Mailbox", "Mailbox"),
        ("fr", "le standard", "Standard"),
        ("fr", "l'accueil", "Accueil"),
        ("fr", "l\u2019accueil", "Accueil"),
        ("fr", "ma messagerie", "Messagerie"),
        # English articles mean nothing in German, and the other way round.
        ("de", "the reception", None),
        ("en", "den Empfang", None),
        ("en", "the standard", "Standard"),
    ],
)
def test_targets_named_with_articles(
    language: str, said: str, target: str | None
) -> None:
    """The language's articles and possessives do not stop a target's match."""
    found = find_targets(TARGETS, said, language=language)

    assert [t.name for t in found] == ([target] if target else [])


@pytest.mark.parametrize(
    ("language", "said", "number"),
    [
        ("de", "0003 Stern 210", "0003*210"),
        ("de", "0 0 0 3 Sternchen 2 1 1", "0003*211"),
        ("fr", "0003 étoile 210", "0003*210"),
        ("fr", "0003 Etoile 210", "0003*210"),
        ("en", "0003 star 210", "0003*210"),
        ("de", "0003 star 210", None),
        ("fr", "0003 Stern 210", None),
    ],
)
def test_star_is_said_in_the_language(
    language: str, said: str, number: str | None
) -> None:
    """`*` in a number is "Stern" in German and "étoile" in French."""
    assert spoken_number(said, language) == number


@pytest.mark.parametrize(
    ("language", "said", "name"),
    [
        ("de", "der Warteschlange Marketing", "Marketing"),
        ("de", "meiner Anrufwarteschlange Vertrieb Nord", "Vertrieb Nord"),
        ("fr", "la file d'attente Marketing", "Marketing"),
        ("fr", "la file Service de garde", "Service de garde"),
        ("en", "the Marketing queue", "Marketing"),
    ],
)
def test_queue_said_back_without_its_fillers(
    language: str, said: str, name: str
) -> None:
    """An unknown queue is said back by its name, not by "the … queue" around it."""
    fillers = spoken_forms(language).queue_fillers

    assert without_fillers(said, language, fillers) == name


@pytest.mark.parametrize(
    ("language", "said", "name"),
    [
        ("de", "der Nebenstelle 999", "999"),
        ("de", "Apparat Keller", "Keller"),
        ("fr", "le poste 999", "999"),
        ("fr", "l'atelier", "atelier"),
        ("en", "the extension 999", "999"),
    ],
)
def test_extension_said_back_without_its_prefixes(
    language: str, said: str, name: str
) -> None:
    """An unknown extension is said back without "Nebenstelle", "le poste"."""
    assert without_prefixes(said, language) == name
