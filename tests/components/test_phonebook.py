"""The phonebook typed in the options: caller names in any number format.

Against the simulator, as a user sees it: the call-state sensor, the call
events on the bus and in the logbook, the missed and last-call sensors, the
call history, and calling a phonebook name (with the non-administrator rule).
"""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Event, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser

from custom_components.voipnow.const import CONF_PUSH_TRANSPORT, DOMAIN, EVENT_CALL
from custom_components.voipnow.logbook import async_describe_events
from tests.conftest import EXT_OFFICE, UNIQUE_ID, async_load, entry_data
from voipnow_simulator import VoipNowSimulator

from .helpers import OFFICE_CALL_STATE, async_open_options, async_poll, async_run_as
from .push_helpers import record_bus_events
from .test_history import OFFICE_LAST_CALL, OFFICE_MISSED, async_history_refresh

MUM = {"name": "Mum", "number": "0215550100"}
# The same number as the PBX may send it, in Romania.
FORMS = ["+40215550100", "0040215550100", "0215550100", "40215550100"]
MAKE_CALL_PATH = "/uapi/phoneCalls/@me/simple"


def phonebook_entry(simulator: VoipNowSimulator, **options: Any) -> MockConfigEntry:
    """Return an entry whose options hold a phonebook."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="127.0.0.1",
        unique_id=UNIQUE_ID,
        data=entry_data(simulator),
        options={CONF_PUSH_TRANSPORT: "polling", "phonebook": [MUM], **options},
        entry_id="01JVOIPNOWPHONEBOOK000000",
    )


async def async_setup(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Set up an entry in Romania."""
    hass.config.country = "RO"
    await async_load(hass, entry)


async def async_ring_with_phonebook(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    number: str,
    name: str,
) -> None:
    """Set up the phonebook's entry; ring the office from `number`, named `name`."""
    await async_setup(hass, phonebook_entry(simulator))
    await simulator.incoming_call(EXT_OFFICE, number, name)
    await async_poll(hass, freezer)


@pytest.mark.parametrize("number", FORMS)
async def test_caller_named_in_any_format(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    number: str,
) -> None:
    """The phonebook's name wins; the PBX's stays in caller_id; events, logbook too."""
    await async_setup(hass, phonebook_entry(simulator))
    events = record_bus_events(hass)
    described: list[dict[str, str]] = []

    def _describe(domain: str, event_type: str, describe: Any) -> None:
        if event_type == EVENT_CALL:
            described.append(describe)

    async_describe_events(hass, _describe)

    call_id = await simulator.incoming_call(EXT_OFFICE, number, "PBX Name")
    await async_poll(hass, freezer)

    state = hass.states.get(OFFICE_CALL_STATE)
    assert state.state == "ringing"
    assert state.attributes["caller_name"] == "Mum"
    assert state.attributes["caller_name_source"] == "phonebook"
    assert state.attributes["caller_id"] == f"PBX Name <{number}>"
    assert events[0]["caller_name"] == "Mum"
    assert events[0]["caller_name_source"] == "phonebook"
    message = described[0](Event(EVENT_CALL, events[0]))["message"]
    assert message == f"Incoming call from Mum ({number})"

    await simulator.hangup_call(call_id)
    await async_poll(hass, freezer)
    assert events[-1]["type"] == "missed"
    assert events[-1]["caller_name"] == "Mum"
    assert hass.states.get(OFFICE_MISSED).attributes["caller_name"] == "Mum"


async def test_unknown_caller_keeps_the_pbx_name(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, simulator: VoipNowSimulator
) -> None:
    """A number the phonebook lacks shows the PBX's name, marked as such."""
    await async_ring_with_phonebook(
        hass, freezer, simulator, "+40215550199", "PBX Name"
    )

    state = hass.states.get(OFFICE_CALL_STATE)
    assert state.attributes["caller_name"] == "PBX Name"
    assert state.attributes["caller_name_source"] == "pbx"


async def test_without_a_country_only_international_numbers_match(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, simulator: VoipNowSimulator
) -> None:
    """Without Home Assistant's country, a national number is not guessed."""
    entry = phonebook_entry(
        simulator, phonebook=[{"name": "Mum", "number": "+40 21 555 0100"}]
    )
    entry.add_to_hass(hass)
    hass.config.country = None
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    await simulator.incoming_call(EXT_OFFICE, "0215550100", "PBX Name")
    await async_poll(hass, freezer)
    assert hass.states.get(OFFICE_CALL_STATE).attributes["caller_name"] == "PBX Name"

    await simulator.incoming_call(EXT_OFFICE, "+40215550100", "PBX Name")
    await async_poll(hass, freezer)
    names = {
        call.caller_name
        for call in entry.runtime_data.calls.data.state_of(EXT_OFFICE).calls
    }
    assert names == {"Mum", "PBX Name"}


async def test_history_names_the_caller(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, simulator: VoipNowSimulator
) -> None:
    """The CDR's records and the last-call sensor carry the phonebook's name."""
    await async_setup(hass, phonebook_entry(simulator))
    call_id = await simulator.incoming_call(EXT_OFFICE, "+40215550100", "PBX Name")
    await simulator.answer_call(call_id)
    await simulator.hangup_call(call_id)
    await async_history_refresh(hass, freezer)

    assert hass.states.get(OFFICE_LAST_CALL).attributes["caller_name"] == "Mum"
    response = await hass.services.async_call(
        DOMAIN, "get_call_history", {}, blocking=True, return_response=True
    )
    assert [call["caller_name"] for call in response["calls"]] == ["Mum"]


# --- the options step ------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_input", "field", "error"),
    [
        ({"new_entry_number": "0215550100"}, "new_entry_name", "entry_name_missing"),
        (
            {"new_entry_name": "Dad", "new_entry_number": "call me"},
            "new_entry_number",
            "invalid_entry_number",
        ),
        (
            {"new_entry_name": "Mum again", "new_entry_number": "+40 21 555 0100"},
            "new_entry_number",
            "entry_exists",
        ),
        ({"phonebook_file": "../contacts.vcf"}, "phonebook_file", "file_outside"),
        ({"phonebook_file": "/etc/passwd"}, "phonebook_file", "file_outside"),
        ({"phonebook_file": "secrets.yaml"}, "phonebook_file", "file_refused"),
        ({"phonebook_file": ".storage/core.config"}, "phonebook_file", "file_refused"),
        ({"phonebook_file": "missing.vcf"}, "phonebook_file", "file_missing"),
    ],
)
async def test_options_step_errors_then_saves(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    tmp_path: Any,
    user_input: dict[str, Any],
    field: str,
    error: str,
) -> None:
    """A wrong entry or file is refused on its field; a right one is saved."""
    hass.config.config_dir = str(tmp_path)
    entry = phonebook_entry(simulator)
    await async_setup(hass, entry)
    result = await async_open_options(hass, entry.entry_id, "phonebook")

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"phonebook": ["0"], **user_input}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {field: error}

    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "phonebook": ["0"],
            "new_entry_name": "Dad",
            "new_entry_number": "tel:+40-21-555-0111",
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options["phonebook"] == [
        MUM,
        {"name": "Dad", "number": "+40215550111"},
    ]
    assert "phonebook_file" not in entry.options


async def test_options_step_removes_an_entry(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, simulator: VoipNowSimulator
) -> None:
    """Unticking an entry removes it: its caller is no longer named."""
    entry = phonebook_entry(simulator)
    await async_setup(hass, entry)
    result = await async_open_options(hass, entry.entry_id, "phonebook")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"phonebook": []}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.options["phonebook"] == []

    await simulator.incoming_call(EXT_OFFICE, "0215550100", "PBX Name")
    await async_poll(hass, freezer)
    assert hass.states.get(OFFICE_CALL_STATE).attributes["caller_name"] == "PBX Name"


# --- calling by name -------------------------------------------------------------


def dialled(simulator: VoipNowSimulator) -> list[str]:
    """Return the destinations of the calls the PBX was asked to place."""
    return [
        r.json["phoneCallView"][0]["destination"][0]
        for r in simulator.api_requests("POST", MAKE_CALL_PATH)
    ]


async def test_make_call_by_name(
    hass: HomeAssistant, simulator: VoipNowSimulator, hass_user: MockUser
) -> None:
    """A phonebook name of the options is a destination, for non-admins too."""
    await async_setup(hass, phonebook_entry(simulator))

    await async_run_as(
        hass, None, "make_call", {"extension": EXT_OFFICE, "destination": "mum"}
    )
    await async_run_as(
        hass, hass_user, "make_call", {"extension": EXT_OFFICE, "destination": "Mum"}
    )

    assert dialled(simulator) == ["0215550100", "0215550100"]


async def test_transfer_call_by_name(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, simulator: VoipNowSimulator
) -> None:
    """`send_call_to` takes a phonebook name."""
    await async_ring_with_phonebook(hass, freezer, simulator, "5551234", "John Doe")
    simulator.clear_requests()

    await async_run_as(
        hass, None, "transfer_call", {"extension": EXT_OFFICE, "send_call_to": "Mum"}
    )

    (transfer,) = simulator.api_requests("PUT")
    assert transfer.json["sendCallTo"] == "0215550100"


async def test_ambiguous_name_is_refused(
    hass: HomeAssistant, simulator: VoipNowSimulator
) -> None:
    """A name with two numbers sends nothing and says which numbers it has."""
    entry = phonebook_entry(
        simulator,
        phonebook=[MUM, {"name": "Mum", "number": "0722000111"}],
    )
    await async_setup(hass, entry)

    with pytest.raises(ServiceValidationError) as err:
        await async_run_as(
            hass, None, "make_call", {"extension": EXT_OFFICE, "destination": "Mum"}
        )

    assert err.value.translation_key == "phonebook_name_ambiguous"
    assert err.value.translation_placeholders == {
        "name": "Mum",
        "numbers": "0215550100, 0722000111",
    }
    assert dialled(simulator) == []
