"""Named transfer targets, managed in the options (Reception, Mobile, voicemail)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .const import CONF_TRANSFER_TARGETS
from .spoken import content_words, spoken_forms

CONF_NAME = "name"
CONF_NUMBER = "number"
CONF_VOICEMAIL = "voicemail"


@dataclass(frozen=True, slots=True, kw_only=True)
class TransferTarget:
    """Where a button or a sentence sends a call."""

    name: str
    number: str
    voicemail: bool = False

    @property
    def key(self) -> str:
        """A stable key: it survives renaming the target."""
        return f"{'voicemail' if self.voicemail else 'transfer'}_{self.number}"

    def as_option(self) -> dict[str, Any]:
        """Return the target as stored in the options."""
        return {
            CONF_NAME: self.name,
            CONF_NUMBER: self.number,
            CONF_VOICEMAIL: self.voicemail,
        }


def transfer_targets(options: Mapping[str, Any]) -> tuple[TransferTarget, ...]:
    """Read the targets the options flow stored in an entry's options."""
    return tuple(
        TransferTarget(
            name=item[CONF_NAME],
            number=item[CONF_NUMBER],
            voicemail=item[CONF_VOICEMAIL],
        )
        for item in options.get(CONF_TRANSFER_TARGETS, ())
    )


def _normalise(text: str, language: str | None) -> str:
    """Fold a spoken or typed name for comparison, without its articles."""
    return content_words(text, language, spoken_forms(language).target_fillers)


def find_targets(
    targets: Iterable[TransferTarget],
    text: str,
    *,
    partial: bool = True,
    language: str | None = None,
) -> list[TransferTarget]:
    """Return the targets a name or number means: exact matches, else partial ones.

    Names are compared without the articles of the language they were said
    in ("the reception", "den Empfang", "l'accueil"); English by default.
    """
    candidates = list(targets)
    if not candidates:
        return []
    wanted = _normalise(text, language)
    exact = [
        target
        for target in candidates
        if _normalise(target.name, language) == wanted or target.number == text.strip()
    ]
    if exact or not wanted or not partial:
        return exact
    return [
        target for target in candidates if wanted in _normalise(target.name, language)
    ]
