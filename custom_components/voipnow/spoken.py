"""How each language says what voice hears: stars, articles, prefixes, queue words.

Wildcard slots keep the words around a name ("the reception", "den Empfang",
"l'accueil", "Nebenstelle 210"); matching drops them by these lists, per
language, English when the language has none.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
import re
from typing import Final


@dataclass(frozen=True, slots=True, kw_only=True)
class SpokenForms:
    """The words one language wraps around names and numbers."""

    # `0003 star 210`: the word said for `*`.
    star: re.Pattern[str]
    # What may stand before an extension's name or number, dropped in order.
    prefixes: tuple[str, ...]
    # The articles among them: a name is also tried with only these dropped.
    articles: tuple[str, ...]
    # Said after a name ("Office's call"), dropped from its end.
    possessive: re.Pattern[str] | None = None
    # Parts of words dropped wherever they are ("Anna's mobile").
    marks: tuple[str, ...] = ()
    # Elided articles glued to the next word (`l'accueil`, `d'attente`).
    elisions: tuple[str, ...] = ()
    # Words dropped from a transfer target's name ("the", "meine", "ma").
    target_fillers: frozenset[str]
    # Words dropped from a queue's name ("queue", "Warteschlange", "file").
    queue_fillers: frozenset[str]
    # Words dropped from "all (call) queues" before reading "all".
    every_fillers: frozenset[str]
    # The words for "all" in "out of all queues".
    every: frozenset[str]


_GERMAN_ARTICLES = ("der ", "die ", "das ", "den ", "dem ", "des ")
_GERMAN_MY = frozenset({"mein", "meine", "meinen", "meinem", "meiner"})
_GERMAN_ARTICLE_WORDS = frozenset(article.strip() for article in _GERMAN_ARTICLES)
_GERMAN_QUEUE = frozenset(
    {"warteschlange", "warteschlangen", "anrufwarteschlange", "anrufwarteschlangen"}
)
_FRENCH_ARTICLES = ("le ", "la ", "les ", "l'", "l\u2019")
_FRENCH_ARTICLE_WORDS = frozenset({"le", "la", "les", "un", "une", "au", "aux"})
_FRENCH_MY = frozenset({"mon", "ma", "mes"})
_FRENCH_QUEUE = frozenset({"file", "files", "attente", "appels", "de", "des", "du"})

SPOKEN: Final[dict[str, SpokenForms]] = {
    "en": SpokenForms(
        star=re.compile(r"\bstar\b"),
        prefixes=("the ", "extension ", "phone "),
        articles=("the ",),
        possessive=re.compile("['\u2019]s?$"),
        marks=("'s",),
        target_fillers=frozenset({"the", "a", "an", "my"}),
        queue_fillers=frozenset({"the", "queue", "my"}),
        every_fillers=frozenset({"the", "call", "queue", "queues", "my"}),
        every=frozenset({"all", "every"}),
    ),
    "de": SpokenForms(
        star=re.compile(r"\b(?:stern|sternchen)\b"),
        prefixes=(
            *_GERMAN_ARTICLES,
            "meine ",
            "meinem ",
            "meinen ",
            "mein ",
            "nebenstelle ",
            "durchwahl ",
            "apparat ",
            "telefon ",
        ),
        articles=_GERMAN_ARTICLES,
        target_fillers=_GERMAN_ARTICLE_WORDS
        | _GERMAN_MY
        | {"ein", "eine", "einen", "einem", "einer", "zum", "zur"},
        queue_fillers=_GERMAN_ARTICLE_WORDS | _GERMAN_MY | _GERMAN_QUEUE,
        every_fillers=_GERMAN_ARTICLE_WORDS | _GERMAN_MY | _GERMAN_QUEUE,
        every=frozenset({"alle", "allen", "jede", "jeder", "sämtliche", "sämtlichen"}),
    ),
    "fr": SpokenForms(
        star=re.compile(r"\b(?:étoile|etoile|astérisque|asterisque)\b"),
        prefixes=(
            *_FRENCH_ARTICLES,
            "mon ",
            "ma ",
            "poste ",
            "extension ",
            "téléphone ",
        ),
        articles=_FRENCH_ARTICLES,
        elisions=("l'", "l\u2019", "d'", "d\u2019"),
        target_fillers=_FRENCH_ARTICLE_WORDS | _FRENCH_MY,
        queue_fillers=_FRENCH_ARTICLE_WORDS | _FRENCH_MY | _FRENCH_QUEUE,
        every_fillers=_FRENCH_ARTICLE_WORDS | _FRENCH_MY | _FRENCH_QUEUE,
        every=frozenset({"toutes", "tous", "chaque"}),
    ),
}


def base_language(language: str | None) -> str:
    """Return the language without its region (`de-CH` is `de`), English for none."""
    return (language or "en").split("-")[0].split("_")[0].lower()


def spoken_forms(language: str | None) -> SpokenForms:
    """Return a language's spoken forms (English when it has none)."""
    return SPOKEN.get(base_language(language), SPOKEN["en"])


def _unelided(word: str, elisions: tuple[str, ...]) -> str:
    """Return a word without the article glued to it (`l'accueil` is `accueil`)."""
    for elided in elisions:
        word = word.removeprefix(elided)
    return word


def content_words(text: str, language: str | None, fillers: Iterable[str]) -> str:
    """Fold text for comparison: casefolded, without elisions, marks and fillers."""
    forms = spoken_forms(language)
    folded = text.casefold()
    for mark in forms.marks:
        folded = folded.replace(mark, "")
    dropped = frozenset(fillers)
    words = (_unelided(word, forms.elisions) for word in folded.split())
    return " ".join(word for word in words if word and word not in dropped)


def without_fillers(text: str, language: str | None, fillers: Iterable[str]) -> str:
    """Say a name back as it was said, without the filler words around it.

    `der Warteschlange Vertrieb` is `Vertrieb`; words inside the name stay.
    """
    dropped = frozenset(fillers)
    words = text.split()
    while words and content_words(words[0], language, dropped) == "":
        words.pop(0)
    while words and content_words(words[-1], language, dropped) == "":
        words.pop()
    return " ".join(words) or text.strip()


def without_prefixes(text: str, language: str | None) -> str:
    """Say an extension back as it was said, without `the`, `Nebenstelle`, `poste`."""
    said = text.strip()
    for prefix in spoken_forms(language).prefixes:
        if said.casefold().startswith(prefix):
            said = said[len(prefix) :].strip()
    return said
