"""What kind of number called: an extension, a national or an international number.

A missed call from an international premium number, made to be called back
("wangiri"), is a known fraud: automations and the *Missed call* blueprint
offer *Call back* only for the kinds the user allows. Numbers are read with
`phonenumbers` (libphonenumber) against Home Assistant's country.

`phonenumbers` loads each region's metadata on first use, from files: it is
loaded once, in the executor, before any number is classified in the loop.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Final

from homeassistant.core import HomeAssistant
from homeassistant.util.hass_dict import HassKey
import phonenumbers

from .api.numbers import EXTENSION_RE

_LOADED: HassKey[bool] = HassKey("voipnow_phonenumbers_loaded")
# A number longer than this is no phone number (E.164 allows 15 digits).
_MAX_NUMBER: Final = 32


class NumberKind(StrEnum):
    """The kinds of numbers a call event names."""

    EXTENSION = "extension"
    NATIONAL = "national"
    INTERNATIONAL = "international"
    UNKNOWN = "unknown"


async def async_load_metadata(hass: HomeAssistant) -> None:
    """Load every region's metadata once, in the executor (file reads)."""
    if hass.data.get(_LOADED):
        return
    await hass.async_add_executor_job(phonenumbers.PhoneMetadata.load_all)
    hass.data[_LOADED] = True


def number_kind(
    number: str | None,
    country: str | None,
    is_extension: Callable[[str], bool] = lambda number: False,
) -> NumberKind:
    """Tell what kind of number `number` is, seen from `country` (ISO 3166 alpha-2).

    An extension of the PBX, or a number in the extension form with `*`, is
    an extension. Without a country, no other number's kind is known.
    """
    if not number or len(number) > _MAX_NUMBER:
        return NumberKind.UNKNOWN
    number = number.strip()
    if is_extension(number) or ("*" in number and EXTENSION_RE.fullmatch(number)):
        return NumberKind.EXTENSION
    if not country:
        return NumberKind.UNKNOWN
    try:
        parsed = phonenumbers.parse(number, country)
    except phonenumbers.NumberParseException:
        return NumberKind.UNKNOWN
    if not phonenumbers.is_possible_number(parsed):
        return NumberKind.UNKNOWN
    if parsed.country_code == phonenumbers.country_code_for_region(country):
        return NumberKind.NATIONAL
    return NumberKind.INTERNATIONAL
