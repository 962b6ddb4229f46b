"""A phonebook lookup: one dictionary read for any form a PBX sends.

The index keys every form of every number (normalized once, when it is
built); a lookup is the bound `__getitem__` of that dictionary. Only a miss
runs Python: a number written with separators or `tel:` is cleaned and read
once more.
"""

from __future__ import annotations

import pytest

from custom_components.voipnow.phonebook.index import (
    MAX_ENTRIES,
    NamesByNumber,
    PhonebookEntry,
    PhonebookSource,
    build_index,
)

MUM = PhonebookEntry("Mum", "021 555 0100", PhonebookSource.OPTIONS)
DESK = PhonebookEntry("Desk", "0003*210", PhonebookSource.FILE)


def test_lookup_is_the_dictionary_read() -> None:
    """`name_of` is the names dictionary's own `__getitem__`: no Python frame."""
    index = build_index([MUM, DESK], "RO")
    assert isinstance(index.names, NamesByNumber)
    assert type(index.names) is not dict
    assert index.name_of.__self__ is index.names  # type: ignore[attr-defined]
    assert index.name_of.__name__ == "__getitem__"  # type: ignore[attr-defined]
    # Every stored form is a key: a PBX's number is found without cleaning.
    assert {"+40215550100", "40215550100", "0040215550100", "0215550100"} <= set(
        index.names
    )


@pytest.mark.parametrize(
    ("number", "name"),
    [
        ("+40215550100", "Mum"),
        ("0040215550100", "Mum"),
        ("0215550100", "Mum"),
        ("215550100", "Mum"),
        # Written with separators or as a URI: cleaned on the miss, then read.
        ("+40 21 555 0100", "Mum"),
        ("tel:+40-21-555-0100", "Mum"),
        ("(021) 555.0100", "Mum"),
        ("0003*210", "Desk"),
        # Unknown callers, digits or not, and nothing at all.
        ("+40215550199", None),
        ("0215550199", None),
        ("0003*211", None),
        ("tel:+40-21-555-0199", None),
        ("not a number", None),
        ("", None),
        (None, None),
        ("٠٢١٥٥٥٠١٠٠", None),
    ],
)
def test_any_form_or_none(number: str | None, name: str | None) -> None:
    """Each form of a stored number names it; anything else is None."""
    index = build_index([MUM, DESK], "RO")
    assert index.name_of(number) == name


def test_a_miss_stores_nothing() -> None:
    """Unknown callers do not grow the index (a miss is never cached)."""
    index = build_index([MUM], "RO")
    size = len(index.names)
    for number in ("+40215550199", "tel:+40-21-555-0199", "", None, "x" * 100):
        assert index.name_of(number) is None
    assert len(index.names) == size


def test_cleared_index_names_nothing() -> None:
    """A cleared index (freed after a rebuild) answers None, and its lookup still works."""
    index = build_index([MUM], "RO")
    lookup = index.name_of
    index.clear()
    assert lookup("+40215550100") is None
    assert len(index) == 0


def test_nameless_and_numberless_entries_are_left_out() -> None:
    """An entry without a name or a number is not indexed; the first name wins a number."""
    index = build_index(
        [
            PhonebookEntry("\u0000\u200b ", "0215550100", PhonebookSource.FILE),
            PhonebookEntry("Nobody", "tel:;;", PhonebookSource.FILE),
            MUM,
            PhonebookEntry("Mother", "+40215550100", PhonebookSource.CARDDAV),
        ],
        "RO",
    )
    assert index.name_of("0215550100") == "Mum"
    assert index.counts == {"options": 1, "carddav": 1}
    assert [e.name for e in index.entries_named("mother")] == ["Mother"]


def test_a_huge_phonebook_is_cut() -> None:
    """At most MAX_ENTRIES numbers are indexed (extensions: no parsing needed)."""
    entries = [
        PhonebookEntry(f"Desk {n}", f"0003*{n}", PhonebookSource.FILE)
        for n in range(MAX_ENTRIES + 10)
    ]
    index = build_index(entries, None)
    assert len(index) == MAX_ENTRIES
    assert index.name_of(f"0003*{MAX_ENTRIES - 1}") == f"Desk {MAX_ENTRIES - 1}"
    assert index.name_of(f"0003*{MAX_ENTRIES}") is None
