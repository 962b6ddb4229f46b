"""The repair issue raised when the PBX's callbacks do not reach Home Assistant."""

from __future__ import annotations

from datetime import timedelta

from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.voipnow.const import DOMAIN
from tests.conftest import EXT_GARAGE, EXT_KITCHEN, EXT_OFFICE
from voipnow_simulator import VoipNowSimulator

from .helpers import SILENT_FOR, UNHERALDED_CALLS
from .push_helpers import async_settle, base_url


@pytest.fixture
def setup(
    http: TestClient, push_config_entry: MockConfigEntry
) -> tuple[MockConfigEntry, str]:
    """Push set up; return the entry and the webhook URL's base (no secret)."""
    return push_config_entry, f"{base_url(http)}/api/webhook/…"


@pytest.fixture
def silenced(
    simulator: VoipNowSimulator, setup: tuple[MockConfigEntry, str]
) -> MockConfigEntry:
    """Push set up, then the PBX's callbacks stop reaching Home Assistant."""
    simulator.block_callbacks()
    return setup[0]


def raised(issue_registry: ir.IssueRegistry, entry: MockConfigEntry) -> bool:
    """Tell whether the entry's "callbacks do not arrive" issue is up."""
    issue = f"callbacks_not_arriving_{entry.entry_id}"
    return issue_registry.async_get_issue(DOMAIN, issue) is not None


async def async_call_found_by_polling(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    entry: MockConfigEntry,
    extension: str = EXT_OFFICE,
) -> None:
    """A call push does not announce: only the next listing finds it."""
    call_id = await simulator.incoming_call(extension)
    await entry.runtime_data.calls.async_refresh()
    await simulator.hangup_call(call_id)
    await entry.runtime_data.calls.async_refresh()
    await async_settle(hass)


async def test_raised_after_calls_push_missed_and_cleared_by_a_callback(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    issue_registry: ir.IssueRegistry,
    setup: tuple[MockConfigEntry, str],
    silenced: MockConfigEntry,
) -> None:
    """Three calls only polling found raise it; the first callback clears it."""
    entry, shown = setup
    for extension in (EXT_OFFICE, EXT_KITCHEN, EXT_GARAGE)[:UNHERALDED_CALLS]:
        assert not raised(issue_registry, entry)
        await async_call_found_by_polling(hass, simulator, entry, extension)

    issue = issue_registry.async_get_issue(
        DOMAIN, f"callbacks_not_arriving_{entry.entry_id}"
    )
    assert issue is not None
    assert issue.severity is ir.IssueSeverity.WARNING
    assert issue.translation_key == "callbacks_not_arriving"
    assert issue.translation_placeholders == {"title": entry.title, "url": shown}
    # The URL shown hides the webhook id, the secret of the callbacks.
    webhook_id = entry.data["webhook_id"]
    assert webhook_id not in str(issue.translation_placeholders)

    simulator.block_callbacks(False)
    await simulator.incoming_call(EXT_OFFICE)
    await async_settle(hass)

    assert not raised(issue_registry, entry)


async def test_raised_after_half_an_hour_of_silence(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    issue_registry: ir.IssueRegistry,
    silenced: MockConfigEntry,
) -> None:
    """One call polling found, after 30 minutes without a callback, raises it."""
    freezer.tick(SILENT_FOR - timedelta(minutes=1))
    await async_call_found_by_polling(hass, simulator, silenced)
    assert not raised(issue_registry, silenced)

    freezer.tick(timedelta(minutes=2))
    await async_call_found_by_polling(hass, simulator, silenced)

    assert raised(issue_registry, silenced)


async def test_not_raised_while_callbacks_arrive(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    issue_registry: ir.IssueRegistry,
    setup: tuple[MockConfigEntry, str],
) -> None:
    """Calls push announced, even an hour apart, raise nothing."""
    entry, _ = setup
    for _ in range(UNHERALDED_CALLS + 2):
        freezer.tick(SILENT_FOR)
        call_id = await simulator.incoming_call(EXT_OFFICE)
        await async_settle(hass)
        await entry.runtime_data.calls.async_refresh()
        await simulator.hangup_call(call_id)
        await async_settle(hass)

    assert not raised(issue_registry, entry)


async def test_cleared_when_the_entry_is_unloaded(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    issue_registry: ir.IssueRegistry,
    silenced: MockConfigEntry,
) -> None:
    """An entry that stops does not leave the issue behind."""
    for _ in range(UNHERALDED_CALLS):
        await async_call_found_by_polling(hass, simulator, silenced)
    assert raised(issue_registry, silenced)

    assert await hass.config_entries.async_unload(silenced.entry_id)

    assert not raised(issue_registry, silenced)
