"""Call events name the kind of the caller's number, from Home Assistant's country.

`extension`, `national`, `international` or `unknown`: the *Missed call*
blueprint offers *Call back* only for the kinds a user allows ("wangiri"
scams ring once from international premium numbers).
"""

from __future__ import annotations

import threading
from typing import Any

from homeassistant.core import Event, HomeAssistant, callback
import phonenumbers
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.voipnow.const import EVENT_CALL
from custom_components.voipnow.number_kind import NumberKind, number_kind
from tests.conftest import EXT_OFFICE
from voipnow_simulator import VoipNowSimulator


@pytest.mark.parametrize(
    ("country", "number", "kind"),
    [
        ("US", "+15551234567", "national"),
        ("US", "5551234567", "national"),
        ("US", "+447911123456", "international"),
        ("US", "011447911123456", "international"),
        ("RO", "+40212345678", "national"),
        ("RO", "0040212345678", "national"),
        ("RO", "0212345678", "national"),
        ("RO", "+19005550100", "international"),
        ("US", "0003*211", "extension"),
        ("US", "211", "extension"),
        ("US", "0003*999", "extension"),
        ("US", "999", "unknown"),
        (None, "+15551234567", "unknown"),
        (None, "0003*211", "extension"),
    ],
)
async def test_incoming_call_names_its_number_kind(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    country: str | None,
    number: str,
    kind: str,
) -> None:
    """Every event of a call carries the kind of the other party's number."""
    hass.config.country = country
    events: list[dict[str, Any]] = []

    @callback
    def record(event: Event[dict[str, Any]]) -> None:
        events.append(event.data)

    hass.bus.async_listen(EVENT_CALL, record)

    await simulator.incoming_call(EXT_OFFICE, number, "Caller")
    await init_integration.runtime_data.calls.async_refresh()
    await hass.async_block_till_done()

    # A call from another extension is also that extension's outgoing call.
    [ringing] = [event for event in events if event["extension"] == EXT_OFFICE]
    assert ringing["number_kind"] == kind


async def test_metadata_is_read_in_the_executor(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Region metadata (files) is read once at setup, off the event loop."""
    threads: list[threading.Thread] = []
    load_all = phonenumbers.PhoneMetadata.load_all

    def recording() -> None:
        threads.append(threading.current_thread())
        load_all()

    monkeypatch.setattr(phonenumbers.PhoneMetadata, "load_all", recording)
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    [thread] = threads
    assert thread is not threading.main_thread()


@pytest.mark.parametrize("number", [None, "", "+" + "1" * 40, "not a number"])
def test_no_number_is_unknown(number: str | None) -> None:
    """A hidden, overlong or unreadable number is of no known kind."""
    assert number_kind(number, "US") is NumberKind.UNKNOWN
