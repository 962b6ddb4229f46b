"""`get_call_history` does bounded work: a bounded period, two reads at once per entry.

Each day of a period costs PBX requests, and dates far off overflowed the time
arithmetic: a period lies between 2000-01-01 and tomorrow and lasts at most
366 days. A refused period sends nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.voipnow.const import DOMAIN
from voipnow_simulator import VoipNowSimulator

CDR_PATH = "/uapi/cdr"


def cdr_requests(simulator: VoipNowSimulator) -> int:
    """Count the CDR requests the PBX received."""
    return len(simulator.api_requests("GET", CDR_PATH))


async def async_history(hass: HomeAssistant, **data: Any) -> list[dict[str, Any]]:
    """Run `voipnow.get_call_history` and return its calls."""
    response = await hass.services.async_call(
        DOMAIN, "get_call_history", data, blocking=True, return_response=True
    )
    assert isinstance(response, dict)
    return list(response["calls"])


def ago(**delta: float) -> str:
    """A time this long before now, as an automation writes it."""
    return (dt_util.utcnow() - timedelta(**delta)).isoformat()


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"since": "0001-01-01T00:00:00"}, "period_out_of_range"),
        ({"since": "0001-01-01T00:00:00+05:00"}, "period_out_of_range"),
        ({"until": "9999-12-31T23:59:59"}, "period_out_of_range"),
        ({"until": "9999-12-31T23:59:59-05:00"}, "period_out_of_range"),
        ({"since": "1970-01-01T00:00:00+00:00"}, "period_out_of_range"),
        ({"since": "1999-12-31T23:59:59+00:00"}, "period_out_of_range"),
        (
            {"until": (dt_util.now() + timedelta(days=3)).isoformat()},
            "period_out_of_range",
        ),
        ({"since": "2000-01-01T00:00:00+00:00"}, "period_too_long"),
        ({"since": ago(days=367)}, "period_too_long"),
        (
            {"since": ago(days=400), "until": ago(days=33, minutes=1)},
            "period_too_long",
        ),
    ],
)
@pytest.mark.usefixtures("init_integration")
async def test_period_out_of_bounds_is_refused(
    hass: HomeAssistant, simulator: VoipNowSimulator, data: dict[str, Any], error: str
) -> None:
    """A translated validation error, no traceback, and nothing asked of the PBX."""
    simulator.clear_requests()

    with pytest.raises(ServiceValidationError) as err:
        await async_history(hass, **data)

    assert err.value.translation_key == error
    assert simulator.api_requests() == []


@pytest.mark.parametrize(
    "period",
    [
        lambda: {"since": ago(days=366, minutes=-10)},
        lambda: {"since": ago(days=400), "until": ago(days=34, minutes=10)},
        lambda: {"until": (dt_util.now() + timedelta(hours=23)).isoformat()},
    ],
    ids=["a_year", "a_year_ago", "until_tomorrow"],
)
async def test_period_within_bounds_is_read(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    period: Callable[[], dict[str, Any]],
) -> None:
    """A year back, or up to tomorrow, is read (times taken as the test runs)."""
    data = period()
    simulator.clear_requests()

    assert await async_history(hass, **data) == []

    assert cdr_requests(simulator) >= 1


async def test_at_most_two_reads_at_once(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
) -> None:
    """Four reads asked at once reach the PBX two at a time; all are answered."""
    simulator.clear_requests()
    simulator.inject_fault("delay", count=None, path_prefix=CDR_PATH, delay=1.0)

    reads = [asyncio.create_task(async_history(hass)) for _ in range(4)]
    # The first two are held a second by the PBX; the others must wait.
    await asyncio.sleep(0.6)
    assert cdr_requests(simulator) == 2

    assert await asyncio.gather(*reads) == [[], [], [], []]
    assert cdr_requests(simulator) == 4
