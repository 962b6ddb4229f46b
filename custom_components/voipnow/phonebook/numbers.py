"""Phone numbers compared in any format, with Google's libphonenumber metadata.

No Home Assistant import. Parsing loads the metadata of a region the first
time it is needed (a file read): it happens while a phonebook is built, in
an executor. A lookup only cleans the caller's number (no parsing, no
metadata) and reads one dictionary: each public number of the phonebook is
indexed under every form a PBX may send it in (E.164, international with the
region's dialling prefix, national, national without the trunk prefix).
"""

from __future__ import annotations

import re
from typing import Final

import phonenumbers

# Visual separators in written numbers (RFC 3966 and what people type).
_SEPARATORS: Final = str.maketrans("", "", " -.()/\u00a0\t")
_DIALABLE: Final = re.compile(r"\+?[0-9*#]+")
# Longer text is not a phone number (E.164 has at most 15 digits).
_MAX_LENGTH: Final = 40


def clean_number(number: str | None) -> str:
    """Strip `tel:`, URI parameters and separators: `tel:+40-21-555-0100` -> `+40215550100`."""
    if not number or not isinstance(number, str):
        return ""
    if len(number) <= _MAX_LENGTH and _DIALABLE.fullmatch(number):
        # Already clean (what actions and the PBX mostly pass): as it is.
        return number
    text = number.strip()[:_MAX_LENGTH]
    if text[:4].casefold() == "tel:":
        text = text[4:]
    # `;ext=…`, `;phone-context=…` (RFC 3966) say nothing the PBX sends.
    text = text.split(";", 1)[0].translate(_SEPARATORS)
    return text if _DIALABLE.fullmatch(text) else ""


def is_clean(number: str) -> bool:
    """Tell whether a number is already as `clean_number` would write it."""
    return _DIALABLE.fullmatch(number) is not None


def warm_metadata(region: str | None) -> None:
    """Load a region's metadata (blocking: run it in an executor)."""
    if region:
        phonenumbers.PhoneMetadata.metadata_for_region(region.upper())


def number_forms(number: str | None, region: str | None) -> tuple[str, ...]:
    """Return every form a number may be sent in; the first is its key.

    Blocking on first use of a region (its metadata is read). A public
    number gives its E.164 form first; with the default `region`, its
    national forms too, and the international form with the region's own
    dialling prefix (`0040…` in Romania), and E.164 without its `+`. An extension (`0003*210`, `210`)
    or anything that is not a possible public number matches exactly.
    Without a region, only numbers written in international form parse.
    """
    cleaned = clean_number(number)
    if not cleaned:
        return ()
    if "*" in cleaned or "#" in cleaned:
        return (cleaned,)
    region = region.upper() if region else None
    try:
        parsed = phonenumbers.parse(cleaned, region)
    except phonenumbers.NumberParseException:
        return (cleaned,)
    if not phonenumbers.is_possible_number(parsed):
        return (cleaned,)
    # E.164 is `+`, the country code and the national significant number.
    national_number = phonenumbers.national_significant_number(parsed)
    e164 = f"+{parsed.country_code}{national_number}"
    # E.164 without its `+` (a template turns `+4021…` into the number 4021…).
    forms = [e164, e164[1:]]
    if region and (metadata := phonenumbers.PhoneMetadata.metadata_for_region(region)):
        prefix = (
            metadata.preferred_international_prefix or metadata.international_prefix
        )
        if prefix and prefix.isdigit():
            forms.append(prefix + e164[1:])
        if parsed.country_code == metadata.country_code:
            # Dialled at home: with the trunk prefix (`0` in Romania), and without.
            forms.append((metadata.national_prefix or "") + national_number)
            forms.append(national_number)
    # The cleaned form as written, last (a PBX may send it as the user typed it).
    forms.append(cleaned)
    return tuple(dict.fromkeys(forms))


def dialable(number: str) -> str:
    """Return a number as UnifiedAPI takes it: digits, `*` and a leading `+`."""
    return clean_number(number)
