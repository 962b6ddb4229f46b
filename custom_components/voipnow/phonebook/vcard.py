"""A small, tolerant vCard reader: names and phone numbers, nothing else.

No Home Assistant import. Reads vCard 3.0 and 4.0 (and the 2.1 Outlook still
writes) as exported by Google Contacts, Apple Contacts, Nextcloud or Outlook:
folded lines, groups (`item1.TEL`), quoted parameters, `tel:` URIs,
escaped text and quoted-printable names. A card without a name or a number
is skipped; broken lines are ignored rather than failing the whole file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
import quopri
import re
from typing import Final

_UNFOLD: Final = re.compile(r"\r?\n[ \t]")
# Quoted-printable soft line breaks (vCard 2.1).
_QP_SOFT_BREAK: Final = re.compile(r"=\r?\n")
_ESCAPES: Final = {"n": " ", "N": " ", ",": ",", ";": ";", "\\": "\\"}


@dataclass(frozen=True, slots=True)
class Card:
    """One contact: its display name and its phone numbers."""

    name: str
    numbers: tuple[str, ...]


def _split_line(line: str) -> tuple[str, str, str] | None:
    """Split `item1.TEL;TYPE="a,b":value` into (name, parameters, value)."""
    quoted = False
    for position, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            head, value = line[:position], line[position + 1 :]
            name, _, params = head.partition(";")
            return name.rsplit(".", 1)[-1].strip().upper(), params.upper(), value
    return None


def _unescape(value: str) -> str:
    """Undo vCard text escapes (a backslash before `,` `;` `n`)."""
    out: list[str] = []
    chars = iter(value)
    for char in chars:
        if char == "\\":
            following = next(chars, "")
            out.append(_ESCAPES.get(following, following))
        else:
            out.append(char)
    return "".join(out)


def _components(value: str) -> list[str]:
    """Split a structured value (`N:Doe;John;;;`) at unescaped semicolons."""
    parts = re.split(r"(?<!\\);", value)
    return [_unescape(part).strip() for part in parts]


def _decode(params: str, value: str) -> str:
    """Decode a quoted-printable value (vCard 2.1), else return it unchanged."""
    if "QUOTED-PRINTABLE" not in params:
        return value
    charset = "utf-8"
    if match := re.search(r"CHARSET=([A-Z0-9_-]+)", params):
        charset = match.group(1).lower()
    try:
        return quopri.decodestring(value.encode("latin-1", "replace")).decode(
            charset, "replace"
        )
    except LookupError:
        return value


def parse_vcards(text: str) -> Iterator[Card]:
    """Yield the cards of a vCard file (one or many `BEGIN:VCARD` blocks)."""
    text = _UNFOLD.sub("", _QP_SOFT_BREAK.sub("", text.lstrip("\ufeff")))
    in_card = False
    full_name = structured = org = ""
    numbers: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        split = _split_line(line)
        if split is None:
            continue
        name, params, value = split
        if name == "BEGIN" and value.strip().upper() == "VCARD":
            in_card = True
            full_name = structured = org = ""
            numbers = []
        elif name == "END" and value.strip().upper() == "VCARD":
            shown = full_name or structured or org
            if in_card and numbers and shown:
                yield Card(name=shown, numbers=tuple(numbers))
            in_card = False
        elif not in_card:
            continue
        elif name == "FN":
            full_name = _unescape(_decode(params, value)).strip()
        elif name == "N":
            parts = _components(_decode(params, value))
            # family; given; additional; prefixes; suffixes
            order = [parts[3:4], parts[1:2], parts[2:3], parts[0:1], parts[4:5]]
            structured = " ".join(p for group in order for p in group if p)
        elif name == "ORG":
            org = _components(_decode(params, value))[0]
        elif name == "TEL" and value.strip():
            numbers.append(value.strip())
