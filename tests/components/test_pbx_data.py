"""A misbehaving PBX's extension listing is checked before it becomes devices or logs.

Numbers must have the documented form (digits and `*`, at most 32); others
are skipped with one warning per listing that shows them with `repr`. Names
are cleaned. At most 5,000 extensions are kept (on Home Assistant 2026, what
fits its 10,000 entities per entry), with a repair issue.
"""

from __future__ import annotations

import logging

from homeassistant.core import HomeAssistant
from homeassistant.helpers import (
    device_registry as dr,
    entity_platform,
    entity_registry as er,
    issue_registry as ir,
)
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.voipnow import device_action, pbx_data
from custom_components.voipnow.const import DOMAIN
from custom_components.voipnow.devices import device_entry
from tests.conftest import EXT_GARAGE, EXT_OFFICE, async_load
from voipnow_simulator import VoipNowSimulator

from .helpers import GARAGE_CALL_STATE, KITCHEN_CALL_STATE, OFFICE_CALL_STATE

FAKE_LOG = "0003*299\n2099-01-01 00:00:00.000 ERROR (MainThread) [homeassistant] FAKE"
HUGE = "1" * 3000
EVIL_NAME = "Evil\x1b[31m\u202e name\n" + "x" * 100


async def test_malformed_extensions_are_skipped(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    mock_config_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """No device for a number with a newline or 3,000 digits; one warning, in repr."""
    simulator.add_extension(FAKE_LOG, "Fake")
    simulator.add_extension(HUGE, "Huge")
    simulator.add_extension("0003*2 10", "Space")
    caplog.set_level(logging.WARNING)

    await async_load(hass, mock_config_entry)

    devices = dr.async_entries_for_config_entry(
        device_registry, mock_config_entry.entry_id
    )
    assert len(devices) == 3
    assert hass.states.get(OFFICE_CALL_STATE) is not None
    [warning] = [r for r in caplog.records if "left out" in r.getMessage()]
    message = warning.getMessage()
    assert "\n" not in message
    assert repr(FAKE_LOG[:40]) in message
    assert HUGE not in message
    assert "FAKE" not in caplog.text.replace(repr(FAKE_LOG[:40]), "")
    assert message.startswith("The PBX listed 3 extension numbers")


async def test_names_are_cleaned(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    """A name with control characters reaches the editor clean and cut to 64."""
    simulator.set_modes(presence_names=True)
    simulator.add_extension("0003*213", EVIL_NAME)
    await async_load(hass, mock_config_entry)
    office = device_entry(mock_config_entry.runtime_data.calls, EXT_OFFICE)
    assert office is not None

    capabilities = await device_action.async_get_action_capabilities(
        hass, {"type": "transfer_call", "device_id": office.id}
    )

    fields = capabilities["extra_fields"].schema
    selector = next(value for key, value in fields.items() if key == "send_call_to")
    [label] = [
        option["label"]
        for option in selector.config["options"]
        if option["value"] == "0003*213"
    ]
    name = label.removesuffix(" (0003*213)")
    assert name == ("Evil[31m name " + "x" * 100)[:64].strip()
    assert all(char.isprintable() for char in name)


async def test_at_most_so_many_extensions(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    mock_config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    issue_registry: ir.IssueRegistry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The first by number are kept; a repair issue says how many were left out."""
    assert pbx_data.MAX_EXTENSIONS == 5000
    # Three extensions stand for 5,001: the rule is the same, the test fast.
    monkeypatch.setattr(pbx_data, "MAX_EXTENSIONS", 2)
    await async_load(hass, mock_config_entry)

    assert hass.states.get(OFFICE_CALL_STATE) is not None
    assert hass.states.get(KITCHEN_CALL_STATE) is not None
    assert hass.states.get(GARAGE_CALL_STATE) is None
    issue_id = f"too_many_extensions_{mock_config_entry.entry_id}"
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders == {
        "title": mock_config_entry.title,
        "limit": "2",
        "count": "1",
    }

    # Fewer extensions: the issue goes.
    simulator.remove_extension(EXT_GARAGE)
    await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None

    # So does an entry that is removed with the issue up.
    simulator.add_extension(EXT_GARAGE)
    await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None
    await hass.config_entries.async_remove(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_entities_per_extension(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Each extension has the entities its limit counts, all enabled."""
    await async_load(hass, mock_config_entry)
    device = device_entry(mock_config_entry.runtime_data.calls, EXT_OFFICE)
    assert device is not None
    entities = er.async_entries_for_device(entity_registry, device.id)
    assert len(entities) == pbx_data.ENTITIES_PER_EXTENSION
    assert not [entity.entity_id for entity in entities if entity.disabled]


def test_the_limit_is_what_home_assistant_lets_an_entry_have() -> None:
    """Home Assistant 2026 adds at most 10,000 enabled entities per entry."""
    assert (
        getattr(entity_platform, "MAX_ENABLED_ENTITIES_PER_CONFIG_ENTRY", None)
        == pbx_data.ENTITY_LIMIT
    )
    # Home Assistant 2025.4: no limit but ours.
    assert pbx_data.extension_limit(None) == 5000
    # 9 entities each, a tenth of the limit kept for the call queues.
    assert pbx_data.extension_limit(10_000) == 1000
    assert pbx_data.extension_limit(100_000) == 5000


async def test_an_extension_has_all_its_entities_or_none(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Under Home Assistant's entity limit, extensions beyond it are left out whole.

    Home Assistant adds no entity beyond its limit, whichever platform comes
    first: 5,000 extensions got their buttons, and no call state for most.
    """
    # Three extensions with room for two (and the queues' tenth).
    monkeypatch.setattr(pbx_data, "ENTITY_LIMIT", 20 + 7)
    await async_load(hass, mock_config_entry)

    assert hass.states.get(OFFICE_CALL_STATE) is not None
    assert hass.states.get(KITCHEN_CALL_STATE) is not None
    assert hass.states.get(GARAGE_CALL_STATE) is None
    issue = issue_registry.async_get_issue(
        DOMAIN, f"too_many_extensions_{mock_config_entry.entry_id}"
    )
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["limit"] == "2"
