"""Setup: loading a config entry against a bare token and listing round trip."""

from __future__ import annotations

import gc
import time

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from .conftest import (
    CALLS_PATH,
    PRESENCE_PATH,
    MakeExternalSimulator,
    Record,
    async_add_entry,
    async_fetch_token,
    median,
    rounds,
)

EXTENSIONS = 3
ROUNDS = rounds(20, 8)


async def bench_setup_time(
    hass: HomeAssistant, make_external_simulator: MakeExternalSimulator, bench: Record
) -> None:
    """Entry setup (token, extensions, calls, entities) over the same requests bare."""
    sim = await make_external_simulator(EXTENSIONS)
    session = async_get_clientsession(hass)

    async def bare() -> float:
        start = time.perf_counter()
        token = await async_fetch_token(session, sim.url)
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        for path in (PRESENCE_PATH, CALLS_PATH):
            async with session.get(
                f"{sim.url}{path}", params={"count": "500"}, headers=headers
            ) as resp:
                await resp.json()
        return time.perf_counter() - start

    start = time.perf_counter()
    entry = await async_add_entry(hass, sim.url)
    cold = time.perf_counter() - start
    warm: list[float] = []
    bares: list[float] = []
    gc.collect()
    for _ in range(ROUNDS):
        assert await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()
        bares.append(await bare())
        start = time.perf_counter()
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        warm.append(time.perf_counter() - start)
        assert entry.state is ConfigEntryState.LOADED

    bench(
        "setup_time",
        extensions=EXTENSIONS,
        entities=len(hass.states.async_all()),
        cold_ms=cold * 1e3,
        warm_median_ms=median(warm) * 1e3,
        bare_median_ms=median(bares) * 1e3,
        ratio=median(warm) / median(bares),
    )
