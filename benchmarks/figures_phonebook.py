"""Figures of the phonebook (#24): rows and checks."""

from __future__ import annotations

from .targets import PHONEBOOK_LOOKUP_OVER_DICT
from .verdicts import Check, Results, Row, mark


def lookup_rows(results: Results) -> list[Row]:
    """A caller's name in any format, over one plain dictionary read."""
    lookup = results["phonebook_lookup"]
    return [
        (
            (
                f"Phonebook lookup of a caller ({lookup['contacts']:,} contacts; "
                "E.164, national, `00` international)"
            ),
            f"{lookup['lookup_ns']:.0f} ns",
            (
                f"plain dict read {lookup['dict_read_ns']:.0f} ns "
                "(same keys, same numbers)"
            ),
            f"**{lookup['ratio']:.2f}x**",
            f"<= {PHONEBOOK_LOOKUP_OVER_DICT}x",
            mark(lookup["ratio"] <= PHONEBOOK_LOOKUP_OVER_DICT),
        ),
        (
            "... over a plain dict of one E.164 key per contact",
            "same",
            f"plain dict read {lookup['small_dict_read_ns']:.0f} ns",
            f"{lookup['small_ratio']:.2f}x",
            "",
            "",
        ),
        (
            "... of a caller the phonebook does not know",
            f"{lookup['unknown_ns']:.0f} ns",
            "the same-keys read",
            f"{lookup['unknown_ratio']:.2f}x",
            "",
            "",
        ),
        (
            "Phonebook memory per contact (the index)",
            f"{lookup['bytes_per_contact']:.0f} bytes",
            "",
            "",
            "",
            "",
        ),
    ]


def lookup_checks(results: Results) -> list[Check]:
    """The lookup's ratio."""
    return [
        Check(
            f"phonebook lookup <= {PHONEBOOK_LOOKUP_OVER_DICT}x a plain dict read",
            results["phonebook_lookup"]["ratio"],
            PHONEBOOK_LOOKUP_OVER_DICT,
        )
    ]


def load_rows(results: Results) -> list[Row]:
    """Reading a vCard file through `voipnow.reload_phonebook` (no target)."""
    load = results["phonebook_load"]
    return [
        (
            f"Phonebook load: a vCard file of {load['contacts']:,} contacts",
            (
                f"{load['load_s'] * 1e3:.0f} ms, "
                f"{load['load_us_per_contact']:.1f} µs per contact"
            ),
            (
                "event loop held at most "
                f"{load['longest_loop_block_ms']:.1f} ms meanwhile"
            ),
            "",
            "",
            "",
        )
    ]
