"""Push: callback to state latency, and subscriptions across restarts.

Callbacks are hints: a dial-in shows the call at once, an answer or a hangup
only starts a listing, which fires the event. Latency is therefore measured
on dial-in callbacks (to the `ringing` state and the `incoming_call` event);
a hangup's way to the `ended` event includes that listing and is shown apart.
"""

from __future__ import annotations

import gc
import time
from typing import Any

from homeassistant.components import webhook
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.event import async_track_state_change_event
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from .harness import (
    MakeSimulator,
    Record,
    async_add_entry,
    async_serve_http,
    entity_id,
    extension_numbers,
    held_callback,
    register_bare_webhook,
)
from .measure import median, percentile, profiled, rounds

WARMUP = rounds(20, 10)
ROUNDS = rounds(200, 60)
RESTARTS = 10
BARE_WEBHOOK_ID = "bare-webhook-for-the-baseline"


async def bench_push_latency(
    hass: HomeAssistant,
    make_simulator: MakeSimulator,
    hass_client_no_auth: ClientSessionGenerator,
    bench: Record,
) -> None:
    """Callback POST to sensor state and event entity, against a bare webhook."""
    sim = await make_simulator(1)
    (extension,) = extension_numbers(1)
    client = await async_serve_http(hass, hass_client_no_auth)
    await async_add_entry(hass, sim.url, push=True)
    sensor = entity_id("sensor", extension, "call_state")
    event_entity = entity_id("event", extension, "call")
    assert hass.states.get(sensor).state == "idle"
    written: dict[str, tuple[float, str]] = {}

    @callback
    def _on_state(event: Event[Any]) -> None:
        new = event.data["new_state"]
        shown = new.attributes.get("event_type") or new.state
        written.setdefault(event.data["entity_id"], (time.perf_counter(), shown))

    unsub = async_track_state_change_event(hass, [sensor, event_entity], _on_state)

    bare_path = register_bare_webhook(hass, BARE_WEBHOOK_ID)
    sim.block_callbacks()

    async def post(path: str, form: dict[str, str]) -> tuple[float, float]:
        written.clear()
        start = time.perf_counter()
        resp = await client.post(path, data=form)
        answered = time.perf_counter()
        assert resp.status == 200
        await resp.read()
        return start, answered

    def shown_at(entity: str, expected: str) -> float:
        at, shown = written[entity]
        assert shown == expected, (entity, shown)
        return at

    samples: dict[str, list[float]] = {
        "state": [],
        "event": [],
        "answer": [],
        "bare": [],
        "ended": [],
    }

    async def one_round(keep: bool) -> None:
        call_id = await sim.incoming_call(extension, "5551234")
        path, form = held_callback(sim, "dial_in")
        start, answered = await post(path, form)
        # A callback only wakes a listing: the state and the event follow it.
        await hass.async_block_till_done(wait_background_tasks=True)
        state_at = shown_at(sensor, "ringing")
        event_at = shown_at(event_entity, "incoming_call")
        bare_start, bare_answered = await post(bare_path, form)
        await hass.async_block_till_done(wait_background_tasks=True)
        await sim.hangup_call(call_id)
        path, form = held_callback(sim, "hangup")
        hangup_start, _ = await post(path, form)
        await hass.async_block_till_done(wait_background_tasks=True)
        ended_at = shown_at(event_entity, "missed")
        assert hass.states.get(sensor).state == "idle"
        if keep:
            samples["state"].append(state_at - start)
            samples["event"].append(event_at - start)
            samples["answer"].append(answered - start)
            samples["bare"].append(bare_answered - bare_start)
            samples["ended"].append(ended_at - hangup_start)

    gc.collect()
    for _ in range(WARMUP):
        await one_round(keep=False)
    with profiled("push_latency"):
        for _ in range(ROUNDS):
            await one_round(keep=True)
    unsub()
    webhook.async_unregister(hass, BARE_WEBHOOK_ID)

    bench(
        "push_latency",
        callbacks=len(samples["state"]),
        state_median_ms=median(samples["state"]) * 1e3,
        state_p99_ms=percentile(samples["state"], 0.99) * 1e3,
        event_median_ms=median(samples["event"]) * 1e3,
        event_p99_ms=percentile(samples["event"], 0.99) * 1e3,
        answer_median_ms=median(samples["answer"]) * 1e3,
        bare_median_ms=median(samples["bare"]) * 1e3,
        bare_p99_ms=percentile(samples["bare"], 0.99) * 1e3,
        ratio=median(samples["answer"]) / median(samples["bare"]),
        ended_median_ms=median(samples["ended"]) * 1e3,
        ended_p99_ms=percentile(samples["ended"], 0.99) * 1e3,
    )


async def bench_subscriptions_after_restarts(
    hass: HomeAssistant,
    make_simulator: MakeSimulator,
    hass_client_no_auth: ClientSessionGenerator,
    bench: Record,
) -> None:
    """Reload the entry ten times with push on: still five subscriptions each."""
    extensions = 3
    sim = await make_simulator(extensions)
    await async_serve_http(hass, hass_client_no_auth)
    entry = await async_add_entry(hass, sim.url, push=True)
    webhook_id = entry.data[CONF_WEBHOOK_ID]

    def ours() -> list[Any]:
        return [sub for sub in sim.subscriptions.values() if webhook_id in sub.url]

    first = len(ours())
    sim.clear_requests()

    for _ in range(RESTARTS):
        assert await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)

    bench(
        "subscriptions_after_restarts",
        restarts=RESTARTS,
        extensions=extensions,
        after_setup=first,
        after_restarts=len(ours()),
        expected=extensions * 5,
        subscriptions_on_pbx=len(sim.subscriptions),
        created_during_restarts=len(sim.api_requests("POST", "/uapi/extensions/")),
        deleted_during_restarts=len(sim.api_requests("DELETE", "/uapi/extensions/")),
    )
