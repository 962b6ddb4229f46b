"""Actions: `voipnow.transfer_call` against a bare PUT and Home Assistant's floor.

Three ways to send the same Transfer PUT to the same PBX, interleaved round
by round, each on a fresh ringing call:

- *action*: `voipnow.transfer_call` through `hass.services.async_call`;
- *floor*: a do-nothing-else action registered here, on the same `hass`,
  that sends the PUT as *bare* does and answers the call id it was given:
  what any integration's action costs at least;
- *bare*: the PUT with the same session, no action at all.

The PUT of *floor* and *bare* is the least the integration must send and
read: Home Assistant's shared session, a token of the same App taken once
from the PBX's token endpoint, the same headers and JSON body, a timeout,
and the answer's status checked and its body read but not decoded (the
integration does not decode an action's answer either). The integration
also stops aiohttp from replaying a dropped write; that costs it a middleware
on aiohttp 3.12 and later, which the floor leaves out.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
import gc
from itertools import permutations
import time
from typing import Any

import aiohttp
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
)
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.aiohttp_client import async_get_clientsession
import voluptuous as vol

from voipnow_simulator import VoipNowSimulator

from .harness import (
    DOMAIN,
    TOKEN_PATH,
    MakeExternalSimulator,
    MakeSimulator,
    Record,
    async_add_entry,
    async_fetch_token,
    extension_numbers,
)
from .measure import median, percentile, profiled, rounds

WARMUP = rounds(30, 20)
# The medians of 300 rounds moved the ratios by +-2% between runs in a row;
# those of 1,500 by +-0.5% (runs far apart still drift by about 2%).
ROUNDS = rounds(1500, 200)
ACTIONS_PER_TOKEN = rounds(1000, 1000)
# The integration's timeout of one request (seconds); any timeout costs the same.
TIMEOUT = aiohttp.ClientTimeout(total=10)
FLOOR_DOMAIN = "bench_floor"
FLOOR_SCHEMA = vol.Schema(
    {
        vol.Required("extension"): cv.string,
        vol.Required("phone_call_id"): cv.string,
        vol.Required("send_call_to"): cv.string,
    }
)


def _token_requests(log: list[dict[str, Any]]) -> int:
    """Count the token requests in a simulator's request log."""
    return sum(1 for request in log if request["path"] == TOKEN_PATH)


def _puts(log: list[dict[str, Any]], extension: str) -> list[dict[str, Any]]:
    """Return the PUTs to the calls of one extension, in order."""
    prefix = f"/uapi/phoneCalls/@me/{extension}/"
    return [r for r in log if r["method"] == "PUT" and r["path"].startswith(prefix)]


def _transfer(extension: str, call_id: str, target: str) -> dict[str, str]:
    """Return the fields of a transfer of one call to another extension."""
    return {"extension": extension, "phone_call_id": call_id, "send_call_to": target}


async def bench_action_overhead(
    hass: HomeAssistant, make_external_simulator: MakeExternalSimulator, bench: Record
) -> None:
    """Median transfer_call over the same PUT bare, and over Home Assistant's floor."""
    sim = await make_external_simulator(6)
    a, b, c, d, e, f = extension_numbers(6)
    # The first call rings before setup: the first listing shows it.
    next_call = await sim.ring(a, "5550001")
    await async_add_entry(hass, sim.url)
    session = async_get_clientsession(hass)
    token = await async_fetch_token(session, sim.url)
    headers = {"Accept": "application/json", "Authorization": f"Bearer {token}"}

    async def put(fields: dict[str, str]) -> None:
        """Send the Transfer PUT of one call, as the integration sends it."""
        source = fields["extension"]
        url = f"{sim.url}/uapi/phoneCalls/@me/{source}/{fields['phone_call_id']}"
        body = {
            "action": "Transfer",
            "sendCallTo": fields["send_call_to"],
            "transferFromNumber": source,
        }
        async with session.put(
            url, json=body, headers=headers, timeout=TIMEOUT, allow_redirects=False
        ) as resp:
            # Read, not decoded: the integration only needs the status.
            await resp.read()
            assert resp.status == 200, resp.status

    async def floor_action(call: ServiceCall) -> ServiceResponse:
        """The least an action sending this PUT can do."""
        await put(dict(call.data))
        return {
            "phone_call_id": call.data["phone_call_id"],
            "extension": call.data["extension"],
        }

    hass.services.async_register(
        FLOOR_DOMAIN,
        "transfer_call",
        floor_action,
        schema=FLOOR_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )

    async def action(call_id: str) -> None:
        response = await hass.services.async_call(
            DOMAIN,
            "transfer_call",
            _transfer(a, call_id, b),
            blocking=True,
            return_response=True,
        )
        assert response is not None and response["phone_call_id"] == call_id

    async def floor(call_id: str) -> None:
        response = await hass.services.async_call(
            FLOOR_DOMAIN,
            "transfer_call",
            _transfer(c, call_id, d),
            blocking=True,
            return_response=True,
        )
        assert response is not None and response["phone_call_id"] == call_id

    async def bare(call_id: str) -> None:
        await put(_transfer(e, call_id, f))

    variants: dict[str, tuple[Callable[[str], Awaitable[None]], str]] = {
        "action": (action, a),
        "floor": (floor, c),
        "bare": (bare, e),
    }

    async def timed(operation: Callable[[str], Awaitable[None]], call: str) -> float:
        start = time.perf_counter()
        await operation(call)
        elapsed = time.perf_counter() - start
        # The listing an action starts runs after the caller has its answer:
        # it is waited for outside the timing.
        await hass.async_block_till_done()
        return elapsed

    async def measure(count: int) -> dict[str, list[float]]:
        nonlocal next_call
        times: dict[str, list[float]] = {name: [] for name in variants}
        # Every order in turn: each variant follows each other one as often.
        orders = list(permutations(variants))
        for index in range(count):
            calls = {
                "action": next_call,
                "floor": await sim.ring(c, "5550002"),
                "bare": await sim.ring(e, "5550003"),
            }
            # Rung now, listed by the refresh this round's action starts.
            next_call = await sim.ring(a, "5550001")
            for name in orders[index % len(orders)]:
                operation, _ = variants[name]
                # The same small request first, so that each variant starts
                # with both processes in the same state: how long a request
                # takes depends on what the PBX and Home Assistant just did.
                await sim.control("GET", "modes")
                times[name].append(await timed(operation, calls[name]))
            for call_id in calls.values():
                await sim.control("POST", f"calls/{call_id}/hangup")
        return times

    gc.collect()
    await measure(WARMUP)
    tokens_before = _token_requests(await sim.requests())
    with profiled("action_overhead"):
        times = await measure(ROUNDS)
    log = await sim.requests()
    token_requests = _token_requests(log) - tokens_before
    # The three send the same request: same path shape, same body fields.
    sent = {
        name: _puts(log, extension)[-1] for name, (_, extension) in variants.items()
    }
    shapes = {
        name: (request["path"].count("/"), sorted(request["json"]))
        for name, request in sent.items()
    }
    assert shapes["action"] == shapes["floor"] == shapes["bare"], shapes

    action_median = median(times["action"])
    bench(
        "action_overhead",
        rounds=ROUNDS,
        action_median_us=action_median * 1e6,
        action_p90_us=percentile(times["action"], 0.9) * 1e6,
        bare_median_us=median(times["bare"]) * 1e6,
        bare_p90_us=percentile(times["bare"], 0.9) * 1e6,
        floor_median_us=median(times["floor"]) * 1e6,
        floor_p90_us=percentile(times["floor"], 0.9) * 1e6,
        ratio=action_median / median(times["bare"]),
        floor_ratio=action_median / median(times["floor"]),
        floor_over_bare=median(times["floor"]) / median(times["bare"]),
        token_requests=token_requests,
    )


async def bench_tokens_per_thousand_actions(
    hass: HomeAssistant, make_simulator: MakeSimulator, bench: Record
) -> None:
    """Token requests for setup and 1000 actions within one token lifetime."""
    sim: VoipNowSimulator = await make_simulator(2)
    a, b = extension_numbers(2)
    call_id = await sim.incoming_call(a, "5550001")
    await async_add_entry(hass, sim.url)

    for _ in range(ACTIONS_PER_TOKEN):
        # The next call rings first: the listing this action starts shows it.
        next_call = await sim.incoming_call(a, "5550001")
        await hass.services.async_call(
            DOMAIN, "transfer_call", _transfer(a, call_id, b), blocking=True
        )
        await hass.async_block_till_done()
        await sim.hangup_call(call_id)
        call_id = next_call

    bench(
        "tokens_per_actions",
        actions=ACTIONS_PER_TOKEN,
        puts=len(sim.api_requests("PUT")),
        token_requests=len(sim.token_requests),
        token_lifetime_s=sim.token_lifetime,
    )
