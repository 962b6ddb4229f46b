"""A caller ID to present carries one name and one number, rebuilt before it is sent.

A PBX parser (Asterisk's takes the last `<`) could find a second number in
what a check let through: such values are refused, and what is sent is
written from the parsed parts, never the text as given.
"""

from __future__ import annotations

from typing import Any

from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockUser

from custom_components.voipnow.const import DOMAIN
from tests.conftest import EXT_KITCHEN, EXT_OFFICE
from voipnow_simulator import VoipNowSimulator

PREMIUM = "+19005550100"


async def async_make_call(
    hass: HomeAssistant, caller_id: str, user: MockUser | None = None
) -> None:
    """Place a call from the office to the kitchen, presenting `caller_id`."""
    await hass.services.async_call(
        DOMAIN,
        "make_call",
        {"extension": EXT_OFFICE, "destination": EXT_KITCHEN, "caller_id": caller_id},
        blocking=True,
        context=Context(user_id=user.id if user else None),
    )


async def async_refusal(
    hass: HomeAssistant, caller_id: str, user: MockUser | None = None
) -> str | None:
    """Try to present `caller_id`, which must be refused; return why (the key)."""
    with pytest.raises(ServiceValidationError) as err:
        await async_make_call(hass, caller_id, user)
    return err.value.translation_key


def presented(simulator: VoipNowSimulator) -> Any:
    """The caller ID the PBX received with the one call placed."""
    (request,) = simulator.api_requests("POST")
    return request.json["phoneCallView"][0].get("callerId")


@pytest.mark.parametrize(
    "caller_id",
    [
        f"Bank <{PREMIUM}",
        f"Bank <210> <{PREMIUM}>",
        f"<{PREMIUM}> x",
        f'"Bank" <{PREMIUM}>>',
        f'Bank" <{PREMIUM}>',
        f"Bank > <{PREMIUM}>",
        f"Ba<nk {PREMIUM}",
        "Bank <555-0100>",
        "Bank <>",
        "Bank\u0000 <210>",
        "   ",
        "x" * 65,
    ],
)
@pytest.mark.usefixtures("init_integration")
async def test_caller_id_with_more_than_one_name_and_number_is_refused(
    hass: HomeAssistant, simulator: VoipNowSimulator, caller_id: str
) -> None:
    """Even an automation cannot present such a value; nothing reaches the PBX."""
    simulator.clear_requests()

    assert await async_refusal(hass, caller_id) == "caller_id_invalid"
    assert simulator.api_requests() == []


@pytest.mark.parametrize(
    ("caller_id", "sent"),
    [
        (f"Bank <{PREMIUM}>", f"Bank <{PREMIUM}>"),
        (f'  "Front  desk"   < {PREMIUM} > ', f"Front desk <{PREMIUM}>"),
        (f"<{PREMIUM}>", PREMIUM),
        (f'"" <{PREMIUM}>', PREMIUM),
        (f" {PREMIUM} ", PREMIUM),
        ("0003*210", "0003*210"),
        ("Front desk", "Front desk"),
        ("Zoë's café", "Zoë's café"),
    ],
)
@pytest.mark.usefixtures("init_integration")
async def test_caller_id_is_rebuilt_from_its_parts(
    hass: HomeAssistant, simulator: VoipNowSimulator, caller_id: str, sent: str
) -> None:
    """What the PBX receives is written from the parsed name and number."""
    simulator.clear_requests()

    await async_make_call(hass, caller_id)

    assert presented(simulator) == sent


@pytest.mark.usefixtures("init_integration")
async def test_non_admin_presents_only_allowed_numbers(
    hass: HomeAssistant, simulator: VoipNowSimulator, hass_user: MockUser
) -> None:
    """An ordinary user may present an extension, not a public number."""
    simulator.clear_requests()

    public = f'"Office" <{PREMIUM}>'
    assert await async_refusal(hass, public, hass_user) == "number_not_allowed"
    two_numbers = f"Office <210> <{PREMIUM}>"
    assert await async_refusal(hass, two_numbers, hass_user) == "caller_id_invalid"
    assert simulator.api_requests() == []

    await async_make_call(hass, '"Office" <0003*210>', hass_user)

    assert presented(simulator) == "Office <0003*210>"
