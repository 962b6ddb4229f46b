"""The phonebook's index: any form of a number -> a name, in one dictionary read.

No Home Assistant import. Built from entries of every source (blocking: the
numbers are parsed, run it in an executor); read in the event loop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final, cast
import unicodedata

from .numbers import clean_number, dialable, is_clean, number_forms

# Names are cleaned like callers' names: no control characters, 64 at most.
MAX_NAME: Final = 64
# A phonebook holds at most this many numbers (a bigger one is cut).
MAX_ENTRIES: Final = 50_000


class PhonebookSource(StrEnum):
    """Where a phonebook entry comes from (the options win, then the file)."""

    OPTIONS = "options"
    FILE = "file"
    CARDDAV = "carddav"


@dataclass(frozen=True, slots=True)
class PhonebookEntry:
    """One name for one number, as a source gives it."""

    name: str
    number: str
    source: PhonebookSource


def clean_name(value: str) -> str:
    """Remove control and format characters, collapse spaces, cut to 64."""
    kept = "".join(
        " " if char.isspace() else char
        for char in value[: MAX_NAME * 4]
        if char.isspace() or not unicodedata.category(char).startswith("C")
    )
    return " ".join(kept.split())[:MAX_NAME].strip()


def fold_name(name: str) -> str:
    """Fold a name for comparison: case, accents and spaces ignored."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return " ".join(
        "".join(c for c in decomposed if not unicodedata.combining(c)).split()
    )


class NamesByNumber(dict[str, str]):
    """Names keyed by every form of every number, read with `names[number]`.

    A number the PBX sends in any stored form is one dictionary read. Only
    a miss calls `__missing__`: a number written with separators or `tel:`
    is cleaned and read once more; anything else has no name (None).
    """

    __slots__ = ()

    def __missing__(self, number: object) -> str | None:
        """Clean a number that is not stored as it is written, and read again."""
        if not number or not isinstance(number, str):
            return None
        # Most callers are not in the phonebook, and sent as digits: no regex.
        if number.isdigit() or (number[0] == "+" and number[1:].isdigit()):
            return None
        if is_clean(number):
            return None
        return self.get(clean_number(number))


@dataclass(slots=True)
class PhonebookIndex:
    """Names by number (every form of it) and numbers by name."""

    names: NamesByNumber = field(default_factory=NamesByNumber)
    by_name: dict[str, list[PhonebookEntry]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    # The name of a number in any format, or None: one dictionary read
    # (the bound `__getitem__` of `names`, set once).
    name_of: Callable[[str | None], str | None] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        """Bind the lookup to the names: no Python frame between a caller and the dict."""
        self.name_of = cast(
            "Callable[[str | None], str | None]", self.names.__getitem__
        )

    def entries_named(self, name: str) -> list[PhonebookEntry]:
        """Return the entries whose name is `name` (case and accents ignored)."""
        return self.by_name.get(fold_name(name), [])

    def clear(self) -> None:
        """Empty the index (a big one is freed in the executor, not the loop)."""
        self.names.clear()
        self.by_name.clear()
        self.counts.clear()

    def __len__(self) -> int:
        """Return how many entries the index holds."""
        return sum(self.counts.values())


def build_index(
    entries: Iterable[PhonebookEntry], region: str | None
) -> PhonebookIndex:
    """Index entries (blocking: numbers are parsed with the region's metadata).

    Earlier entries win a number: pass the options first, so that what an
    administrator typed beats a file or an address book.
    """
    index = PhonebookIndex()
    for entry in entries:
        if len(index) >= MAX_ENTRIES:
            break
        name = clean_name(entry.name)
        forms = number_forms(entry.number, region)
        if not name or not forms:
            continue
        kept = PhonebookEntry(
            name=name, number=dialable(entry.number), source=entry.source
        )
        for form in forms:
            index.names.setdefault(form, name)
        index.by_name.setdefault(fold_name(name), []).append(kept)
        index.counts[entry.source] = index.counts.get(entry.source, 0) + 1
    return index
