"""Tests of the voice phrasebook: every language says every phrase it has right."""

from __future__ import annotations

from string import Formatter

import pytest

from custom_components.voipnow.phrases import PHRASES, alternatives, listing, say


def names(text: str) -> set[str]:
    """Return the `{names}` a phrase fills in."""
    return {name for _, name, _, _ in Formatter().parse(text) if name}


@pytest.mark.parametrize("language", sorted(set(PHRASES) - {"en"}))
def test_each_language_fills_what_english_fills(language: str) -> None:
    """A translated phrase exists in English and takes the same values."""
    for key, text in PHRASES[language].items():
        assert key in PHRASES["en"], (language, key)
        assert names(text) == names(PHRASES["en"][key]), (language, key)


def test_fallback_to_english() -> None:
    """A language (or region) without the phrase speaks English."""
    assert say("xx", "no_call") == "There is no call right now."
    assert say("en-GB", "no_call") == "There is no call right now."
    assert say(None, "hung_up", party="Bob") == "Hung up the call with Bob."


def test_lists() -> None:
    """Lists and alternatives read naturally."""
    assert listing("en", []) == ""
    assert listing("en", ["A"]) == "A"
    assert listing("en", ["A", "B", "C"]) == "A, B and C"
    assert alternatives("en", ["A", "B"]) == "A or B"
