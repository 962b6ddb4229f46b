"""A CardDAV address book as the phonebook, against a real Radicale server.

Radicale runs as a subprocess (tests/components/radicale.py) with plain
htpasswd logins; the test creates the address book and its cards over HTTP,
as a contacts app would.
"""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.aiohttp_client import async_get_clientsession
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.voipnow.const import CONF_PUSH_TRANSPORT, DOMAIN
from custom_components.voipnow.diagnostics import async_get_config_entry_diagnostics
from custom_components.voipnow.phonebook.carddav import CardDavClient, CardDavError
from tests.conftest import UNIQUE_ID, entry_data
from voipnow_simulator import VoipNowSimulator

from .helpers import async_caller_name, async_open_options, async_poll
from .radicale import PASSWORD, USER, Radicale
from .test_phonebook import async_setup

ENTRY_ID = "01JVOIPNOWPHONEBOOKDAV000"
CARDS = {
    "mum": "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:mum\r\nFN:Mum\r\n"
    "TEL;VALUE=uri;TYPE=home:tel:+40-21-555-0100\r\nEND:VCARD\r\n",
    "john": "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:john\r\nN:Doe;John;;;\r\nFN:John Doe\r\n"
    "TEL;TYPE=CELL:0722 000 111\r\nEND:VCARD\r\n",
}


def dav_entry(simulator: VoipNowSimulator, radicale: Radicale) -> MockConfigEntry:
    """Return an entry whose data names Radicale's address book."""
    carddav = {"url": radicale.book_url, "username": USER, "password": PASSWORD}
    return MockConfigEntry(
        domain=DOMAIN,
        title="127.0.0.1",
        unique_id=UNIQUE_ID,
        data=entry_data(simulator, carddav=carddav),
        options={CONF_PUSH_TRANSPORT: "polling"},
        entry_id=ENTRY_ID,
    )


async def test_address_book_names_callers(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    radicale: Radicale,
) -> None:
    """Cards of the address book name callers; a refused login raises an issue."""
    await radicale.async_put_cards(CARDS)
    entry = dav_entry(simulator, radicale)
    await async_setup(hass, entry)

    assert await async_caller_name(hass, freezer, simulator, "0215550100") == "Mum"
    assert await async_caller_name(hass, freezer, simulator, "+40722000111") == (
        "John Doe"
    )

    # A new card arrives with the next sync (every 6 hours).
    await radicale.async_put_cards(
        {
            "dad": CARDS["mum"]
            .replace("mum", "dad")
            .replace("Mum", "Dad")
            .replace("0100", "0111")
        }
    )
    await async_poll(hass, freezer, timedelta(hours=6))
    assert await async_caller_name(hass, freezer, simulator, "0215550111") == "Dad"

    # The password changed on the server: a repair issue, the names stay.
    radicale.set_password("changed")
    await hass.services.async_call(DOMAIN, "reload_phonebook", {}, blocking=True)
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"carddav_auth_{ENTRY_ID}")
    assert issue is not None
    assert issue.translation_key == "carddav_auth_failed"
    assert await async_caller_name(hass, freezer, simulator, "0215550100") == "Mum"

    # (Six hours on, the web API's token has expired: asked directly.)
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    assert PASSWORD not in str(diagnostics)
    assert radicale.book_url not in str(diagnostics)
    assert diagnostics["phonebook"]["entries"] == {"carddav": 3}

    radicale.set_password(PASSWORD)
    await hass.services.async_call(DOMAIN, "reload_phonebook", {}, blocking=True)
    assert (
        ir.async_get(hass).async_get_issue(DOMAIN, f"carddav_auth_{ENTRY_ID}") is None
    )


@pytest.mark.parametrize(
    ("url", "password", "error"),
    [
        ("ftp://example.test/book/", PASSWORD, {"url": "carddav_invalid_url"}),
        (None, "wrong", {"password": "carddav_auth"}),
        ("http://127.0.0.1:1/book/", PASSWORD, {"url": "carddav_cannot_connect"}),
    ],
)
async def test_options_step_checks_the_login(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    radicale: Radicale,
    url: str | None,
    password: str,
    error: dict[str, str],
) -> None:
    """The address book is read once when entered; a refused one is not saved."""
    await radicale.async_put_cards(CARDS)
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="127.0.0.1",
        unique_id=UNIQUE_ID,
        data=entry_data(simulator),
        options={CONF_PUSH_TRANSPORT: "polling"},
        entry_id=ENTRY_ID,
    )
    await async_setup(hass, entry)
    result = await async_open_options(hass, entry.entry_id, "carddav")

    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"url": url or radicale.book_url, "username": USER, "password": password},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == error
    assert "carddav" not in entry.data

    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"url": radicale.book_url, "username": USER, "password": PASSWORD},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.data["carddav"]["password"] == PASSWORD
    assert "carddav" not in entry.options
    assert await async_caller_name(hass, freezer, simulator, "0215550100") == "Mum"

    # Left empty, the password is kept; an empty address removes the book.
    result = await async_open_options(hass, entry.entry_id, "carddav")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"url": radicale.book_url, "username": USER}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.data["carddav"]["password"] == PASSWORD
    result = await async_open_options(hass, entry.entry_id, "carddav")
    result = await hass.config_entries.options.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert "carddav" not in entry.data
    assert await async_caller_name(hass, freezer, simulator, "0215550100") == (
        "PBX Name"
    )


async def test_cards_one_by_one(hass: HomeAssistant, radicale: Radicale) -> None:
    """Where a server cannot answer a query, the cards are listed and fetched."""
    await radicale.async_put_cards(CARDS)
    client = CardDavClient(
        async_get_clientsession(hass), radicale.book_url.rstrip("/"), USER, PASSWORD
    )

    cards = await client._async_fetch_one_by_one()

    assert sorted(card.split("UID:")[1][:3] for card in cards) == ["joh", "mum"]
    wrong = CardDavClient(
        async_get_clientsession(hass), f"{radicale.url}/nobody/", USER, PASSWORD
    )
    with pytest.raises(CardDavError):
        await wrong._async_fetch_one_by_one()
