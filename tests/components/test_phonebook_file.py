"""A vCard file as the phonebook: read safely, re-read when it changes.

The file lives in a temporary configuration folder; callers ring through the
simulator and the names show on the call-state sensor.
"""

from __future__ import annotations

from datetime import timedelta
import os
from pathlib import Path

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser

from custom_components.voipnow.const import CONF_PUSH_TRANSPORT, DOMAIN
from custom_components.voipnow.phonebook.file import MAX_FILE_SIZE
from tests.conftest import EXT_OFFICE, UNIQUE_ID, async_load, entry_data
from voipnow_simulator import VoipNowSimulator

from .helpers import async_caller_name, async_poll

ENTRY_ID = "01JVOIPNOWPHONEBOOKFILE00"
ISSUE = f"phonebook_file_{ENTRY_ID}"
VCARD_3 = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nN:;Mum;;;\r\nFN:Mum\r\n"
    "item1.TEL;type=HOME;type=VOICE:021 555 0100\r\n"
    "item1.X-ABLabel:home\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;John;;;\r\n"
    "TEL;TYPE=CELL:+44 20 7946 \r\n 0000\r\nEND:VCARD\r\n"
)
VCARD_4 = (
    "BEGIN:VCARD\nVERSION:4.0\nFN:Mum\n"
    'TEL;VALUE=uri;TYPE="voice,home":tel:+40-21-555-0100\nEND:VCARD\n'
)


def file_entry(simulator: VoipNowSimulator, path: str) -> MockConfigEntry:
    """Return an entry whose phonebook is a file of the configuration folder."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="127.0.0.1",
        unique_id=UNIQUE_ID,
        data=entry_data(simulator),
        options={CONF_PUSH_TRANSPORT: "polling", "phonebook_file": path},
        entry_id=ENTRY_ID,
    )


async def async_setup(
    hass: HomeAssistant, simulator: VoipNowSimulator, config_dir: Path, path: str
) -> MockConfigEntry:
    """Set up an entry in Romania, with `config_dir` as the configuration folder."""
    hass.config.country = "RO"
    hass.config.config_dir = str(config_dir)
    entry = file_entry(simulator, path)
    await async_load(hass, entry)
    return entry


def issue(hass: HomeAssistant) -> ir.IssueEntry | None:
    """Return the repair issue of the phonebook file, if raised."""
    return ir.async_get(hass).async_get_issue(DOMAIN, ISSUE)


@pytest.mark.parametrize("text", [VCARD_3, VCARD_4], ids=["vcard3", "vcard4"])
async def test_file_names_callers(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    text: str,
) -> None:
    """A vCard 3.0 or 4.0 file names a caller calling in another format."""
    (tmp_path / "contacts").mkdir()
    (tmp_path / "contacts" / "phones.vcf").write_text(text)
    await async_setup(hass, simulator, tmp_path, "contacts/phones.vcf")

    assert await async_caller_name(hass, freezer, simulator, "0040215550100") == "Mum"
    assert issue(hass) is None
    if text is VCARD_3:
        assert await async_caller_name(hass, freezer, simulator, "00442079460000") == (
            "John Doe"
        )
    # The content is never logged.
    assert "555 0100" not in caplog.text


async def test_changed_file_is_read_again(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    tmp_path: Path,
) -> None:
    """A change is seen within a minute; a broken file keeps the last good names."""
    path = tmp_path / "phones.vcf"
    path.write_text(VCARD_4)
    entry = await async_setup(hass, simulator, tmp_path, "phones.vcf")
    assert await async_caller_name(hass, freezer, simulator) == "Mum"

    path.write_text(VCARD_4.replace("FN:Mum", "FN:Mother"))
    os.utime(path, ns=(1, 1))
    await async_poll(hass, freezer, timedelta(minutes=1))
    assert await async_caller_name(hass, freezer, simulator) == "Mother"

    path.unlink()
    await async_poll(hass, freezer, timedelta(minutes=1))
    raised = issue(hass)
    assert raised is not None
    assert raised.translation_key == "phonebook_file_unreadable"
    assert raised.translation_placeholders["reason"] == "missing"
    assert await async_caller_name(hass, freezer, simulator) == "Mother"

    path.write_text(VCARD_4)
    await async_poll(hass, freezer, timedelta(minutes=1))
    assert issue(hass) is None
    assert await async_caller_name(hass, freezer, simulator) == "Mum"

    # A reload reads the file at once.
    path.write_text(VCARD_4.replace("FN:Mum", "FN:Mama"))
    await hass.services.async_call(
        DOMAIN, "reload_phonebook", {"config_entry_id": entry.entry_id}, blocking=True
    )
    assert await async_caller_name(hass, freezer, simulator) == "Mama"


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda root, outside: (root / "p.vcf").symlink_to(outside), "outside"),
        (
            lambda root, outside: (root / "p.vcf").symlink_to(root / "secrets.yaml"),
            "refused",
        ),
        (
            lambda root, outside: os.truncate(
                (root / "p.vcf").open("w").name, MAX_FILE_SIZE + 1
            ),
            "too_big",
        ),
        (lambda root, outside: (root / "p.vcf").mkdir(), "unreadable"),
    ],
    ids=["link_out", "link_to_secrets", "too_big", "directory"],
)
async def test_refused_files_raise_a_repair_issue(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    tmp_path: Path,
    make: object,
    reason: str,
) -> None:
    """A link out of the folder, to secrets, a huge file: refused, with an issue."""
    root = tmp_path / "config"
    root.mkdir()
    outside = tmp_path / "outside.vcf"
    outside.write_text(VCARD_4)
    (root / "secrets.yaml").write_text(VCARD_4)
    make(root, outside)  # type: ignore[operator]
    await async_setup(hass, simulator, root, "p.vcf")

    raised = issue(hass)
    assert raised is not None
    assert raised.translation_placeholders["reason"] == reason
    assert await async_caller_name(hass, freezer, simulator) == "PBX Name"


async def test_file_names_need_rights_to_call(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    tmp_path: Path,
    hass_user: MockUser,
) -> None:
    """A file's name is called by an automation, not by a non-administrator."""
    (tmp_path / "phones.vcf").write_text(VCARD_4)
    await async_setup(hass, simulator, tmp_path, "phones.vcf")

    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "make_call",
            {"extension": EXT_OFFICE, "destination": "Mum"},
            blocking=True,
            context=Context(user_id=hass_user.id),
        )
    assert err.value.translation_key == "number_not_allowed"
    assert simulator.api_requests("POST", "/uapi/phoneCalls") == []

    await hass.services.async_call(
        DOMAIN,
        "make_call",
        {"extension": EXT_OFFICE, "destination": "Mum"},
        blocking=True,
    )
    (sent,) = simulator.api_requests("POST", "/uapi/phoneCalls")
    assert sent.json["phoneCallView"][0]["destination"] == ["+40215550100"]
