"""The whole call flow as a stateful property test (see `call_flow_model`).

Hypothesis generates sequences of rules (calls ringing, answered, held,
transferred and hung up; callbacks lost, doubled, delayed and forged; the API
down and back; the entry reloaded) and checks the model's invariants after
each one. A failure shrinks to the shortest sequence of rules that still
fails, printed as Python calls on the machine.

Settings: 25 examples of up to 30 steps, derandomized (profile
`call_flow_ci`), so every run, CI's included, plays the same sequences.
`HYPOTHESIS_PROFILE=call_flow` explores new random sequences instead.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
import os

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from .call_flow_model import CallFlowModel, World
from .push_helpers import async_serve_http, base_url

settings.register_profile(
    "call_flow",
    max_examples=25,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile(
    "call_flow_ci", settings.get_profile("call_flow"), derandomize=True
)


def model_settings() -> settings:
    """The call flow's profile: derandomized unless exploring is asked for."""
    wanted = os.environ.get("HYPOTHESIS_PROFILE")
    if wanted not in ("call_flow", "call_flow_ci"):
        wanted = "call_flow_ci"
    return settings.get_profile(wanted)


@pytest.mark.timeout(180)
async def test_call_flow_model(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    freezer: FrozenDateTimeFactory,
    socket_enabled: None,
) -> None:
    """Whatever the PBX, its callbacks, its API and a user do, Home Assistant agrees."""
    http = await async_serve_http(hass, hass_client_no_auth)
    hass.config.internal_url = base_url(http)
    world = World(hass, http, freezer)

    class Model(CallFlowModel):
        """The model, bound to this test's Home Assistant."""

    Model.world = world
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="call-flow")
    try:
        await hass.loop.run_in_executor(
            pool,
            lambda: run_state_machine_as_test(Model, settings=model_settings()),
        )
    finally:
        pool.shutdown(wait=True)
