"""Actions: the cost of `voipnow.transfer_call` over a bare PUT, and its tokens."""

from __future__ import annotations

import gc
import time
from typing import Any
from unittest.mock import patch

from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from custom_components.voipnow import services
from custom_components.voipnow.const import DOMAIN
from voipnow_simulator import VoipNowSimulator

from .conftest import (
    MakeExternalSimulator,
    MakeSimulator,
    Record,
    async_add_entry,
    extension_numbers,
    median,
    percentile,
)

WARMUP = 30
ROUNDS = 300
ACTIONS_PER_TOKEN = 1000


def _token_requests(log: list[dict[str, Any]]) -> int:
    """Count the token requests in a simulator's request log."""
    return sum(1 for request in log if request["path"] == "/oauth/token.php")


async def _answered_call(sim: VoipNowSimulator, extension: str, caller: str) -> str:
    """Ring an extension from outside and answer."""
    call_id = await sim.incoming_call(extension, caller)
    await sim.answer_call(call_id)
    return call_id


class Transfers:
    """Move a call back and forth between two extensions, one hop per round."""

    def __init__(self, call_id: str, first: str, second: str) -> None:
        """Start with the call on `first`."""
        self.call_id = call_id
        self.ends = (first, second)
        self.hops = 0

    def next_hop(self) -> tuple[str, str]:
        """Return (from, to) of the next transfer."""
        source, target = self.ends if self.hops % 2 == 0 else self.ends[::-1]
        self.hops += 1
        return source, target


async def bench_action_overhead(
    hass: HomeAssistant, make_external_simulator: MakeExternalSimulator, bench: Record
) -> None:
    """Median transfer_call through Home Assistant over the same PUT sent bare."""
    sim = await make_external_simulator(4)
    a, b, c, d = extension_numbers(4)
    entry = await async_add_entry(hass, sim)
    client = entry.runtime_data.client
    action_call = Transfers(await sim.answered_call(a, "5550001"), a, b)
    bare_call = Transfers(await sim.answered_call(c, "5550002"), c, d)
    await entry.runtime_data.async_refresh()
    session = async_get_clientsession(hass)
    token = await client._async_token()
    headers = {"Accept": "application/json", "Authorization": f"Bearer {token}"}

    async def action() -> None:
        source, target = action_call.next_hop()
        response = await hass.services.async_call(
            DOMAIN,
            "transfer_call",
            {
                "extension": source,
                "phone_call_id": action_call.call_id,
                "send_call_to": target,
            },
            blocking=True,
            return_response=True,
        )
        assert response is not None

    async def bare() -> None:
        source, target = bare_call.next_hop()
        url = f"{sim.url}/uapi/phoneCalls/@me/{source}/{bare_call.call_id}"
        body = {
            "action": "Transfer",
            "sendCallTo": target,
            "transferFromNumber": source,
        }
        async with session.put(url, json=body, headers=headers) as resp:
            assert resp.status == 200
            await resp.json()

    # Where the time goes: the same action without the refresh it starts.
    refresh_soon = services._refresh_soon
    skip_refresh = False

    def maybe_refresh(coordinator: Any) -> None:
        if not skip_refresh:
            refresh_soon(coordinator)

    async def action_without_refresh() -> None:
        nonlocal skip_refresh
        skip_refresh = True
        try:
            await action()
        finally:
            skip_refresh = False

    async def timed(operation: Any) -> float:
        start = time.perf_counter()
        await operation()
        elapsed = time.perf_counter() - start
        # The refresh an action starts is waited for outside the timing.
        await hass.async_block_till_done()
        return elapsed

    variants = {"action": action, "bare": bare, "unrefreshed": action_without_refresh}

    async def measure(rounds: int) -> dict[str, list[float]]:
        times: dict[str, list[float]] = {name: [] for name in variants}
        order = list(variants)
        for index in range(rounds):
            # Rotate the order so no variant always runs first.
            for name in order[index % 3 :] + order[: index % 3]:
                times[name].append(await timed(variants[name]))
        return times

    gc.collect()
    with patch.object(services, "_refresh_soon", maybe_refresh):
        await measure(WARMUP)
        tokens_before = _token_requests(await sim.requests())
        times = await measure(ROUNDS)
        token_requests = _token_requests(await sim.requests()) - tokens_before

    bare_median = median(times["bare"])
    bench(
        "action_overhead",
        rounds=ROUNDS,
        action_median_us=median(times["action"]) * 1e6,
        action_p90_us=percentile(times["action"], 0.9) * 1e6,
        bare_median_us=bare_median * 1e6,
        bare_p90_us=percentile(times["bare"], 0.9) * 1e6,
        unrefreshed_median_us=median(times["unrefreshed"]) * 1e6,
        ratio=median(times["action"]) / bare_median,
        ratio_without_refresh=median(times["unrefreshed"]) / bare_median,
        token_requests=token_requests,
    )


async def bench_tokens_per_thousand_actions(
    hass: HomeAssistant, make_simulator: MakeSimulator, bench: Record
) -> None:
    """Token requests while 1000 actions run within one token lifetime."""
    sim = await make_simulator(2)
    a, b = extension_numbers(2)
    entry = await async_add_entry(hass, sim)
    call = Transfers(await _answered_call(sim, a, "5550001"), a, b)
    entry.runtime_data.client.invalidate_token()
    sim.clear_requests()

    for _ in range(ACTIONS_PER_TOKEN):
        source, target = call.next_hop()
        await hass.services.async_call(
            DOMAIN,
            "transfer_call",
            {
                "extension": source,
                "phone_call_id": call.call_id,
                "send_call_to": target,
            },
            blocking=True,
        )
        await hass.async_block_till_done()

    bench(
        "tokens_per_actions",
        actions=ACTIONS_PER_TOKEN,
        puts=len(sim.api_requests("PUT")),
        token_requests=len(sim.token_requests),
        token_lifetime_s=sim.token_lifetime,
    )
