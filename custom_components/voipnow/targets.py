"""Named transfer targets, managed in the options (Reception, Mobile, voicemail)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .const import CONF_TRANSFER_TARGETS

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
    """Read the targets from an entry's options, skipping damaged items."""
    targets: list[TransferTarget] = []
    raw = options.get(CONF_TRANSFER_TARGETS) or []
    if not isinstance(raw, list):
        return ()
    for item in raw:
        if not isinstance(item, Mapping):
            continue
        name, number = item.get(CONF_NAME), item.get(CONF_NUMBER)
        if isinstance(name, str) and name and isinstance(number, str) and number:
            targets.append(
                TransferTarget(
                    name=name, number=number, voicemail=bool(item.get(CONF_VOICEMAIL))
                )
            )
    return tuple(targets)


def _normalise(text: str) -> str:
    """Fold a spoken or typed name for comparison."""
    words = text.casefold().replace("'s", "").split()
    return " ".join(word for word in words if word not in {"the", "a", "an", "my"})


def find_targets(
    targets: Iterable[TransferTarget], text: str, *, partial: bool = True
) -> list[TransferTarget]:
    """Return the targets a name or number means: exact matches, else partial ones."""
    wanted = _normalise(text)
    candidates = list(targets)
    exact = [
        target
        for target in candidates
        if _normalise(target.name) == wanted or target.number == text.strip()
    ]
    if exact or not wanted or not partial:
        return exact
    return [target for target in candidates if wanted in _normalise(target.name)]
