"""Phone numbers, extension numbers, ids and caller ids: checks and parsing.

The grammars come from the UnifiedAPI "Data Types" page: extensions are
`*( DIGIT / "*" )`, public numbers `*( DIGIT / "+" )`; object ids are
alphanumeric, 1 to 255 characters (PhoneCallEvents Resource).
"""

from __future__ import annotations

import re
from typing import Final
import unicodedata

from .const import SELF
from .exceptions import VoipNowInvalidInputError

MAX_OBJECT_ID: Final = 255
# Callers choose their names: what reaches a state or a voice answer is cut.
MAX_NAME: Final = 64
MAX_NUMBER: Final = 32
# Used with `fullmatch`: `$` would let a trailing newline through.
USER_ID_RE: Final = re.compile(r"@me|@viewer|@owner|[0-9]{1,20}")
EXTENSION_RE: Final = re.compile(r"(?=[0-9*]*[0-9])[0-9*]{1,32}")
OBJECT_ID_RE: Final = re.compile(rf"[A-Za-z0-9]{{1,{MAX_OBJECT_ID}}}")
# Extensions (digits and `*`) and public numbers (digits, a leading `+`).
PHONE_NUMBER_RE: Final = re.compile(r"\+?(?=[0-9*]*[0-9])[0-9*]{1,32}")

# A caller id longer than this is cut before any regular expression sees it.
MAX_CALLER_ID: Final = 256
_CALLER_ID_RE: Final = re.compile(
    r"^\s*\"?(?P<name>[^\"<]*?)\"?\s*<(?P<number>[^>]*)>\s*$"
)
_BARE_NUMBER_RE: Final = re.compile(r"\+?[0-9*#]+")
# A caller id to present: `Name <number>`, `"Name" <number>`, `<number>`, a
# number or a name. Names hold no `<`, `>` or `"`: a PBX parser (Asterisk's
# takes the last `<`) must not find a second number in them.
_OVERRIDE_RE: Final = re.compile(
    r"\s*(?:\"(?P<quoted>[^<>\"]*)\"|(?P<name>[^<>\"]*?))\s*<(?P<number>[^<>\"]*)>\s*"
)


def validate_user_id(user_id: str) -> str:
    """Check a userId path segment: `@me`, `@viewer`, `@owner` or digits."""
    if not isinstance(user_id, str) or not USER_ID_RE.fullmatch(user_id):
        raise VoipNowInvalidInputError("user_id", user_id)
    return user_id


def validate_extension(extension: str, *, allow_self: bool = True) -> str:
    """Check an extension path segment: digits and `*`, or `@self`."""
    if allow_self and extension == SELF:
        return extension
    if not isinstance(extension, str) or not EXTENSION_RE.fullmatch(extension):
        raise VoipNowInvalidInputError("extension", extension)
    return extension


def validate_object_id(field: str, object_id: str) -> str:
    """Check an id the PBX handed out (a call, a view, a subscription)."""
    if not isinstance(object_id, str) or not OBJECT_ID_RE.fullmatch(object_id):
        raise VoipNowInvalidInputError(field, object_id)
    return object_id


def validate_number(field: str, number: str) -> str:
    """Check a phone number sent in a body: an extension or a public number."""
    if not isinstance(number, str) or not PHONE_NUMBER_RE.fullmatch(number):
        raise VoipNowInvalidInputError(field, number)
    return number


def validate_mailbox(field: str, number: str) -> str:
    """Check where a voicemail transfer goes: an extension (its mailbox).

    A public number has no mailbox on the PBX.
    """
    validate_number(field, number)
    if number.startswith("+"):
        raise VoipNowInvalidInputError(field, number, "voicemail_needs_extension")
    return number


def short_extension(number: str) -> str:
    """Return the part after the organization prefix: `0003*210` -> `210`."""
    return number.rsplit("*", 1)[-1]


def same_extension(left: str, right: str) -> bool:
    """Tell whether two extension numbers name the same extension.

    `0003*210` and `210` match; two extended numbers must match exactly.
    """
    if not left or not right:
        return False
    if left == right:
        return True
    if "*" in left and "*" in right:
        return False
    return short_extension(left) == short_extension(right)


def clean_text(value: str, limit: int) -> str:
    """Remove control and format characters, collapse spaces, cut to `limit`."""
    kept = "".join(
        " " if char.isspace() else char
        for char in value[: limit * 4]
        if char.isspace() or not unicodedata.category(char).startswith("C")
    )
    return " ".join(kept.split())[:limit].strip()


def split_caller_id(caller_id: str | None) -> tuple[str | None, str | None]:
    """Split `John Doe <3334444>` into (name, number), both cleaned and cut.

    A bare value is a number when it looks like one (`3334444`, `+4021`,
    `0003*210`), else a name (`Anonymous`).
    """
    if not caller_id or not isinstance(caller_id, str):
        return None, None
    caller_id = caller_id[:MAX_CALLER_ID]
    if match := _CALLER_ID_RE.match(caller_id):
        name, number = match["name"], match["number"]
    elif _BARE_NUMBER_RE.fullmatch(caller_id.strip()):
        name, number = "", caller_id
    else:
        name, number = caller_id, ""
    return (clean_text(name, MAX_NAME) or None), (
        clean_text(number, MAX_NUMBER) or None
    )


def parse_caller_id(caller_id: str) -> tuple[str | None, str | None]:
    """Read a caller id to present as exactly one name and one number.

    Anything else (a second `<`, text after the number, a name with `"`,
    control characters) is refused: what is sent is rebuilt from the parts.
    """
    refused = VoipNowInvalidInputError("caller_id", caller_id, "caller_id_invalid")
    if not isinstance(caller_id, str) or len(caller_id) > MAX_CALLER_ID:
        raise refused
    if match := _OVERRIDE_RE.fullmatch(caller_id):
        name = (match["quoted"] or match["name"] or "").strip()
        number: str | None = match["number"].strip()
    elif any(char in caller_id for char in '<>"'):
        raise refused
    elif PHONE_NUMBER_RE.fullmatch(caller_id.strip()):
        name, number = "", caller_id.strip()
    else:
        name, number = caller_id.strip(), None
    if number is not None and not PHONE_NUMBER_RE.fullmatch(number):
        raise refused
    # Spaces collapse; a control or format character is refused, not dropped.
    name = " ".join(name.split())
    if len(name) > MAX_NAME or clean_text(name, MAX_NAME) != name:
        raise refused
    if not name and number is None:
        raise refused
    return name or None, number


def format_caller_id(name: str | None, number: str | None) -> str | None:
    """Write a caller id one way whatever the source: `Name <number>` or `number`."""
    if name and number:
        return f"{name} <{number}>"
    return number or name
