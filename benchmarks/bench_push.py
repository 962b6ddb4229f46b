"""Push: callback to state latency, and subscriptions across restarts."""

from __future__ import annotations

import gc
import time
from typing import Any

from aiohttp import web
from homeassistant.components import webhook
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from yarl import URL

from custom_components.voipnow.push import async_note
from voipnow_simulator import VoipNowSimulator

from .conftest import (
    MakeSimulator,
    Record,
    async_add_entry,
    extension_numbers,
    median,
    percentile,
)

WARMUP = 20
ROUNDS = 200
RESTARTS = 10
BARE_WEBHOOK_ID = "bare-webhook-for-the-baseline"


async def _serve(
    hass: HomeAssistant, hass_client_no_auth: ClientSessionGenerator
) -> Any:
    """Serve Home Assistant's HTTP API on loopback; the PBX reaches the internal URL."""
    assert await async_setup_component(hass, "webhook", {})
    client = await hass_client_no_auth()
    hass.config.internal_url = f"http://127.0.0.1:{client.server.port}"
    return client


def _replay(sim: VoipNowSimulator, marker: str) -> tuple[str, dict[str, str]]:
    """Return the last held-back callback of one kind: path and form."""
    sent = next(
        s for s in reversed(sim.callbacks_dropped) if f"ha_event={marker}" in s.url
    )
    return str(URL(sent.url).relative()), sent.params


async def bench_push_latency(
    hass: HomeAssistant,
    make_simulator: MakeSimulator,
    hass_client_no_auth: ClientSessionGenerator,
    bench: Record,
) -> None:
    """Callback POST to sensor state and event entity, against a bare webhook."""
    sim = await make_simulator(1)
    (extension,) = extension_numbers(1)
    client = await _serve(hass, hass_client_no_auth)
    entry = await async_add_entry(hass, sim, push=True)
    slug = extension.replace("*", "_")
    sensor, event_entity = (
        f"sensor.extension_{slug}_call_state",
        f"event.extension_{slug}_call",
    )
    assert hass.states.get(sensor).state == "idle"
    written: dict[str, float] = {}

    @callback
    def _on_state(event: Event[Any]) -> None:
        written.setdefault(event.data["entity_id"], time.perf_counter())

    unsub = async_track_state_change_event(hass, [sensor, event_entity], _on_state)

    async def _bare(
        hass: HomeAssistant, webhook_id: str, request: web.Request
    ) -> web.Response:
        await request.post()
        return web.Response(status=200)

    webhook.async_register(hass, "bench", "bare", BARE_WEBHOOK_ID, _bare)
    bare_path = webhook.async_generate_path(BARE_WEBHOOK_ID)
    sim.block_callbacks()

    async def post(path: str, form: dict[str, str]) -> tuple[float, float]:
        written.clear()
        start = time.perf_counter()
        resp = await client.post(path, data=form)
        answered = time.perf_counter()
        assert resp.status == 200
        await resp.read()
        return start, answered

    samples: dict[str, list[float]] = {
        "state": [],
        "event": [],
        "answer": [],
        "bare": [],
    }

    async def one_round(keep: bool) -> None:
        call_id = await sim.incoming_call(extension, "5551234")
        for marker in ("dial_in", "hangup"):
            if marker == "hangup":
                await sim.hangup_call(call_id)
            path, form = _replay(sim, marker)
            start, answered = await post(path, form)
            state_at, event_at = written.get(sensor), written.get(event_entity)
            assert state_at is not None and event_at is not None
            bare_start, bare_answered = await post(bare_path, form)
            if keep:
                samples["state"].append(state_at - start)
                samples["event"].append(event_at - start)
                samples["answer"].append(answered - start)
                samples["bare"].append(bare_answered - bare_start)
            # The refresh the callback asked for is done outside the timing.
            await hass.async_block_till_done(wait_background_tasks=True)

    gc.collect()
    for index in range(WARMUP + ROUNDS // 2):
        await one_round(keep=index >= WARMUP)
    unsub()
    webhook.async_unregister(hass, BARE_WEBHOOK_ID)
    assert entry.runtime_data.push is not None

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
    await _serve(hass, hass_client_no_auth)
    entry = await async_add_entry(hass, sim, push=True)
    note = await async_note(hass, entry.entry_id)
    first = sum(1 for sub in sim.subscriptions.values() if sub.note == note)
    sim.clear_requests()

    for _ in range(RESTARTS):
        assert await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)

    ours = [sub for sub in sim.subscriptions.values() if sub.note == note]
    webhook_id = entry.data[CONF_WEBHOOK_ID]
    bench(
        "subscriptions_after_restarts",
        restarts=RESTARTS,
        extensions=extensions,
        after_setup=first,
        after_restarts=len(ours),
        expected=extensions * 5,
        pointing_at_webhook=sum(1 for sub in ours if webhook_id in sub.url),
        created_during_restarts=len(sim.api_requests("POST", "/uapi/extensions/")),
        deleted_during_restarts=len(sim.api_requests("DELETE", "/uapi/extensions/")),
    )
