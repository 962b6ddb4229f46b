"""Tests for managing named transfer targets in the options, and their buttons."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntryState, ConfigFlowResult
from homeassistant.const import CONF_SCAN_INTERVAL, Platform
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.voipnow.const import CONF_PUSH_TRANSPORT, CONF_TRANSFER_TARGETS
from tests.conftest import EXT_KITCHEN, EXT_OFFICE
from voipnow_simulator import VoipNowSimulator

from .helpers import async_open_options

RECEPTION = {"name": "Reception", "number": EXT_KITCHEN, "voicemail": False}
MOBILE = {"name": "Mobile", "number": "+15551234567", "voicemail": False}
OFFICE_VOICEMAIL = {"name": "Office", "number": EXT_OFFICE, "voicemail": True}

OFFICE_TO_RECEPTION = "button.extension_0003_210_transfer_to_reception"
GARAGE_TO_RECEPTION = "button.extension_0003_212_transfer_to_reception"
OFFICE_TO_MOBILE = "button.extension_0003_210_transfer_to_mobile"
KITCHEN_TO_OFFICE_VOICEMAIL = "button.extension_0003_211_send_to_voicemail_of_office"


pytestmark = pytest.mark.platforms(Platform.BUTTON)


def typed(
    name: str | None, number: str | None, voicemail: bool | None = None
) -> dict[str, Any]:
    """What the user typed in the new target's fields (None: left empty)."""
    fields = {
        "new_target_name": name,
        "new_target_number": number,
        "new_target_voicemail": voicemail,
    }
    return {key: value for key, value in fields.items() if value is not None}


async def async_setup_with_targets(
    hass: HomeAssistant, entry: MockConfigEntry, targets: Any
) -> None:
    """Set the entry up with these transfer targets in its options."""
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        entry, options={**entry.options, CONF_TRANSFER_TARGETS: targets}
    )
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def async_submit(
    hass: HomeAssistant, entry: MockConfigEntry, **fields: Any
) -> ConfigFlowResult:
    """Open the options and submit them with these fields (the rest as shown)."""
    result = await async_open_options(hass, entry.entry_id, "transfer_targets")
    return await hass.config_entries.options.async_configure(result["flow_id"], fields)


async def async_save(
    hass: HomeAssistant, entry: MockConfigEntry, **fields: Any
) -> None:
    """Submit the options with these fields; they are saved and the entry reloads."""
    result = await async_submit(hass, entry, **fields)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()


def button_names(hass: HomeAssistant, extension: str) -> list[str]:
    """The friendly names of an extension's call buttons, as a dashboard shows them.

    The *Clear missed calls* and *Park* buttons every extension has are left out.
    """
    prefix = f"button.extension_{extension.replace('*', '_')}_"
    return sorted(
        state.name
        for state in hass.states.async_all(Platform.BUTTON)
        if state.entity_id.startswith(prefix)
        and not state.entity_id.endswith(("_clear_missed_calls", "_park"))
    )


async def test_add_targets_one_by_one(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    init_integration: MockConfigEntry,
) -> None:
    """An extension, a public number and a voicemail are added in three visits."""
    assert button_names(hass, EXT_OFFICE) == ["Extension 0003*210 Hang up"]

    await async_save(hass, init_integration, **typed(" Reception ", EXT_KITCHEN))
    assert init_integration.options[CONF_TRANSFER_TARGETS] == [RECEPTION]
    assert init_integration.state is ConfigEntryState.LOADED
    assert button_names(hass, EXT_OFFICE) == [
        "Extension 0003*210 Hang up",
        "Extension 0003*210 Transfer to Reception",
    ]

    # Spaces inside a typed number are dropped.
    await async_save(hass, init_integration, **typed("Mobile", "+1 555 123 4567"))

    await async_save(
        hass, init_integration, **typed("Office", EXT_OFFICE, voicemail=True)
    )

    # The other options are left as they were.
    assert init_integration.options == {
        CONF_PUSH_TRANSPORT: "polling",
        CONF_TRANSFER_TARGETS: [RECEPTION, MOBILE, OFFICE_VOICEMAIL],
    }
    assert button_names(hass, EXT_OFFICE) == [
        "Extension 0003*210 Hang up",
        "Extension 0003*210 Send to voicemail of Office",
        "Extension 0003*210 Transfer to Mobile",
        "Extension 0003*210 Transfer to Reception",
    ]
    # Reception is the kitchen phone: no button transfers Kitchen to itself.
    assert button_names(hass, EXT_KITCHEN) == [
        "Extension 0003*211 Hang up",
        "Extension 0003*211 Send to voicemail of Office",
        "Extension 0003*211 Transfer to Mobile",
    ]
    entry = entity_registry.async_get(KITCHEN_TO_OFFICE_VOICEMAIL)
    assert entry is not None
    assert entry.translation_key == "voicemail_to"


async def test_form_lists_the_targets(
    hass: HomeAssistant, simulator: VoipNowSimulator, mock_config_entry: MockConfigEntry
) -> None:
    """The form shows each target, all ticked, with its number."""
    await async_setup_with_targets(
        hass, mock_config_entry, [RECEPTION, OFFICE_VOICEMAIL]
    )

    result = await async_open_options(
        hass, mock_config_entry.entry_id, "transfer_targets"
    )

    schema = result["data_schema"].schema
    [targets_key] = [key for key in schema if key == CONF_TRANSFER_TARGETS]
    assert targets_key.default() == [
        f"transfer_{EXT_KITCHEN}",
        f"voicemail_{EXT_OFFICE}",
    ]
    options = schema[targets_key].config["options"]
    assert [option["label"] for option in options] == [
        "Reception → 0003*211",
        "Office → voicemail 0003*210",
    ]


async def test_form_without_targets_has_no_list(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """With no targets yet, the form only offers to add one."""
    result = await async_open_options(
        hass, init_integration.entry_id, "transfer_targets"
    )

    assert CONF_TRANSFER_TARGETS not in result["data_schema"].schema


NAME_MISSING = {"new_target_name": "target_name_missing"}
BAD_NUMBER = {"new_target_number": "invalid_target_number"}
TARGET_EXISTS = {"new_target_name": "target_exists"}
# What is typed for a new target, and the error it shows on its field.
NEW_TARGET_ERRORS: dict[str, tuple[dict[str, Any], dict[str, str]]] = {
    "name_missing": (typed(None, EXT_OFFICE), NAME_MISSING),
    "name_blank": (typed("   ", EXT_OFFICE), NAME_MISSING),
    "number_missing": (typed("Desk", None), BAD_NUMBER),
    "bad_number": (typed("Desk", "555-1234"), BAD_NUMBER),
    "letters": (typed("Desk", "reception"), BAD_NUMBER),
    "voicemail_public_number": (
        typed("Mobile box", "+15551234567", voicemail=True),
        {"new_target_number": "voicemail_needs_extension"},
    ),
    "duplicate_name": (typed("reception", "0003*100"), TARGET_EXISTS),
    "duplicate_number": (typed("Kitchen", EXT_KITCHEN), TARGET_EXISTS),
}


@pytest.mark.parametrize(
    ("fields", "errors"), NEW_TARGET_ERRORS.values(), ids=NEW_TARGET_ERRORS
)
async def test_new_target_errors_recover(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    mock_config_entry: MockConfigEntry,
    fields: dict[str, Any],
    errors: dict[str, str],
) -> None:
    """A wrong new target shows the error on its field; fixing it saves the entry."""
    await async_setup_with_targets(hass, mock_config_entry, [RECEPTION])
    result = await async_open_options(
        hass, mock_config_entry.entry_id, "transfer_targets"
    )

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], fields
    )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    # What was typed is offered again, not lost.
    suggested = {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description and "suggested_value" in key.description
    }
    assert suggested == {
        "new_target_name": fields.get("new_target_name"),
        "new_target_number": fields.get("new_target_number"),
    }
    assert mock_config_entry.options[CONF_TRANSFER_TARGETS] == [RECEPTION]

    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"new_target_name": "Front desk", "new_target_number": "0003*100"},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    # The voicemail box stays as the user left it.
    voicemail = fields.get("new_target_voicemail", False)
    assert mock_config_entry.options[CONF_TRANSFER_TARGETS] == [
        RECEPTION,
        {"name": "Front desk", "number": "0003*100", "voicemail": voicemail},
    ]
    kind = "send_to_voicemail_of" if voicemail else "transfer_to"
    assert hass.states.get(f"button.extension_0003_210_{kind}_front_desk")


async def test_voicemail_and_transfer_to_the_same_number(
    hass: HomeAssistant, simulator: VoipNowSimulator, mock_config_entry: MockConfigEntry
) -> None:
    """The same extension can be a transfer target and a voicemail target."""
    await async_setup_with_targets(hass, mock_config_entry, [RECEPTION])

    await async_save(
        hass,
        mock_config_entry,
        **typed("Kitchen voicemail", EXT_KITCHEN, voicemail=True),
    )
    assert button_names(hass, EXT_OFFICE) == [
        "Extension 0003*210 Hang up",
        "Extension 0003*210 Send to voicemail of Kitchen voicemail",
        "Extension 0003*210 Transfer to Reception",
    ]


async def test_remove_a_target_by_unticking_it(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    simulator: VoipNowSimulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Unticking Reception removes it and its buttons; Mobile stays."""
    await async_setup_with_targets(hass, mock_config_entry, [RECEPTION, MOBILE])
    assert entity_registry.async_get(OFFICE_TO_RECEPTION) is not None
    assert entity_registry.async_get(GARAGE_TO_RECEPTION) is not None

    await async_save(
        hass, mock_config_entry, transfer_targets=["transfer_+15551234567"]
    )
    assert mock_config_entry.options[CONF_TRANSFER_TARGETS] == [MOBILE]
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert entity_registry.async_get(OFFICE_TO_RECEPTION) is None
    assert entity_registry.async_get(GARAGE_TO_RECEPTION) is None
    assert hass.states.get(OFFICE_TO_RECEPTION) is None
    assert entity_registry.async_get(OFFICE_TO_MOBILE) is not None
    assert button_names(hass, EXT_OFFICE) == [
        "Extension 0003*210 Hang up",
        "Extension 0003*210 Transfer to Mobile",
    ]


async def test_remove_and_add_in_one_visit(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    simulator: VoipNowSimulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Unticking every target while adding one leaves only the new one."""
    await async_setup_with_targets(hass, mock_config_entry, [RECEPTION, MOBILE])

    await async_save(
        hass,
        mock_config_entry,
        transfer_targets=[],
        new_target_name="Office",
        new_target_number=EXT_OFFICE,
        new_target_voicemail=True,
    )
    assert mock_config_entry.options[CONF_TRANSFER_TARGETS] == [OFFICE_VOICEMAIL]
    assert entity_registry.async_get(OFFICE_TO_MOBILE) is None
    assert button_names(hass, EXT_KITCHEN) == [
        "Extension 0003*211 Hang up",
        "Extension 0003*211 Send to voicemail of Office",
    ]


async def test_renamed_target_keeps_its_buttons(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    simulator: VoipNowSimulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Renaming a target (same number) keeps the button's entity id for automations."""
    await async_setup_with_targets(hass, mock_config_entry, [RECEPTION])
    unique_id = entity_registry.async_get(OFFICE_TO_RECEPTION).unique_id

    await async_save(
        hass,
        mock_config_entry,
        transfer_targets=[],
        new_target_name="Front desk",
        new_target_number=EXT_KITCHEN,
    )
    entry = entity_registry.async_get(OFFICE_TO_RECEPTION)
    assert entry is not None
    assert entry.unique_id == unique_id
    assert (
        hass.states.get(OFFICE_TO_RECEPTION).name
        == "Extension 0003*210 Transfer to Front desk"
    )


async def test_other_options_are_saved_with_the_targets(
    hass: HomeAssistant, simulator: VoipNowSimulator, mock_config_entry: MockConfigEntry
) -> None:
    """Saving the settings keeps the targets; saving the targets keeps the settings."""
    await async_setup_with_targets(hass, mock_config_entry, [RECEPTION])

    result = await async_open_options(hass, mock_config_entry.entry_id, "settings")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            CONF_SCAN_INTERVAL: 30,
            CONF_PUSH_TRANSPORT: "polling",
            "allow_any_number": False,
            "renew_callback": False,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    await async_save(hass, mock_config_entry)
    assert mock_config_entry.options == {
        CONF_PUSH_TRANSPORT: "polling",
        CONF_SCAN_INTERVAL: 30,
        "allow_any_number": False,
        "allow_listen_in": False,
        CONF_TRANSFER_TARGETS: [RECEPTION],
    }
    assert hass.states.get(OFFICE_TO_RECEPTION) is not None
