"""Tests for the VoipNow config flow: user, reauth, reconfigure and options."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Generator
from functools import partial
import json
from pathlib import Path
import ssl
from typing import Any
from unittest.mock import AsyncMock, patch

import aiohttp
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH, SOURCE_USER, ConfigEntryState
from homeassistant.const import (
    CONF_CLIENT_ID,
    CONF_CLIENT_SECRET,
    CONF_URL,
    CONF_VERIFY_SSL,
    STATE_UNAVAILABLE,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResult, FlowResultType
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.voipnow.api import VoipNowClient
from custom_components.voipnow.config_flow import unique_id_for
from custom_components.voipnow.const import (
    CONF_ALLOW_INSECURE,
    CONF_PUSH,
    CONF_SERVER_ID,
    DOMAIN,
)
from tests.api.conftest import self_signed_certificate
from tests.conftest import (
    CLIENT_ID,
    CLIENT_SECRET,
    async_load,
    entry_data as user_input,
)
from voipnow_simulator import VoipNowSimulator

from .helpers import OFFICE_CALL_STATE, async_poll, async_state, calls_requests

STRINGS = json.loads(
    Path(__file__)
    .parents[2]
    .joinpath("custom_components/voipnow/translations/en.json")
    .read_text(encoding="utf-8")
)
NEW_SECRET = "regenerated-secret"


def assert_translated(result: FlowResult, section: str = "config") -> None:
    """Check that what the user sees of a flow step has a text in en.json."""
    strings = STRINGS[section]
    if result["type"] is FlowResultType.ABORT:
        assert result["reason"] in strings["abort"]
    if result["type"] is FlowResultType.FORM:
        step = strings["step"][result["step_id"]]
        for field in result["data_schema"].schema:
            assert str(field) in step["data"], f"{field} of {result['step_id']}"
            assert str(field) in step.get("data_description", {}), field
        for error in (result.get("errors") or {}).values():
            assert error in strings["error"], error


def server_unique_id(simulator: VoipNowSimulator) -> str:
    """Return the unique id the flow gives the simulator's App."""
    return f"127.0.0.1:{simulator.port}_{CLIENT_ID}"


@pytest.fixture
def mock_setup_entry() -> Generator[AsyncMock]:
    """Keep a created entry from being set up: only the flow is tested."""
    with patch(
        "custom_components.voipnow.async_setup_entry", return_value=True
    ) as mock_setup:
        yield mock_setup


@pytest.fixture
def flow_entry(simulator: VoipNowSimulator) -> MockConfigEntry:
    """Return an entry as the user flow creates it for the simulator."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="127.0.0.1",
        unique_id=server_unique_id(simulator),
        data=user_input(simulator),
        options={CONF_PUSH: False},
    )


async def async_reconfigure(
    hass: HomeAssistant, entry: MockConfigEntry, entered: dict[str, Any]
) -> FlowResult:
    """Open the entry's reconfigure form and submit what the user entered."""
    result = await entry.start_reconfigure_flow(hass)
    return await hass.config_entries.flow.async_configure(result["flow_id"], entered)


def _self_signed_context(directory: Path) -> ssl.SSLContext:
    """Build a server TLS context with a self-signed certificate for 127.0.0.1."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*self_signed_certificate(directory))
    return context


@pytest.fixture
async def tls_url(simulator: VoipNowSimulator, tmp_path: Path) -> AsyncIterator[str]:
    """Put the simulator behind TLS with a self-signed certificate (an on-prem PBX)."""
    pipes: set[asyncio.Task[None]] = set()

    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.transport.abort()

    async def _forward(
        client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter
    ) -> None:
        # TLS starts here rather than in the server, so that a client refusing
        # the certificate is an expected event and not a loop error.
        try:
            await client_writer.start_tls(context)
        except (ssl.SSLError, ConnectionError, OSError):
            client_writer.close()
            return
        try:
            pbx_reader, pbx_writer = await asyncio.open_connection(
                simulator.host, simulator.port
            )
        except OSError:
            client_writer.close()
            return
        for task in (
            asyncio.create_task(_pipe(client_reader, pbx_writer)),
            asyncio.create_task(_pipe(pbx_reader, client_writer)),
        ):
            pipes.add(task)
            task.add_done_callback(pipes.discard)

    context = _self_signed_context(tmp_path)
    server = await asyncio.start_server(_forward, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield f"https://127.0.0.1:{port}"
    server.close()
    server.abort_clients()
    for task in list(pipes):
        task.cancel()
    await asyncio.gather(*pipes, return_exceptions=True)
    await server.wait_closed()


async def test_user_flow(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    mock_setup_entry: AsyncMock,
) -> None:
    """The user enters the server and the App: the flow checks them and adds it."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}
    assert_translated(result)

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        user_input(
            simulator,
            **{CONF_URL: f" {simulator.url}/uapi/ ", CONF_CLIENT_ID: " test-app-id "},
        ),
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "127.0.0.1"
    assert result["data"] == {
        CONF_URL: simulator.url,
        CONF_CLIENT_ID: CLIENT_ID,
        CONF_CLIENT_SECRET: CLIENT_SECRET,
        CONF_VERIFY_SSL: True,
        CONF_ALLOW_INSECURE: False,
    }
    assert result["result"].unique_id == server_unique_id(simulator)
    # The PBX was asked for a token and for the extensions.
    assert len(simulator.token_requests) == 1
    assert [request.path for request in simulator.api_requests()] == [
        "/uapi/extensions/@me/@self/presence"
    ]
    assert len(mock_setup_entry.mock_calls) == 1


async def _go_offline(simulator: VoipNowSimulator, _: str) -> dict[str, Any]:
    """Make the PBX refuse connections."""
    await simulator.go_offline()
    return {}


def _fault(
    kind: str, path_prefix: str
) -> Callable[[VoipNowSimulator, str], Awaitable[dict[str, Any]]]:
    """Make the PBX fail every request under a path, as a real one can."""

    async def cause(simulator: VoipNowSimulator, _: str) -> dict[str, Any]:
        # Every one: the client reads a listing again after a dropped connection.
        simulator.inject_fault(kind, count=None, path_prefix=path_prefix)
        return {}

    return cause


async def _wrong_secret(_: VoipNowSimulator, __: str) -> dict[str, Any]:
    """Type a secret the PBX does not accept."""
    return {CONF_CLIENT_SECRET: "wrong-secret"}


async def _bad_url(_: VoipNowSimulator, __: str) -> dict[str, Any]:
    """Type an address that is no web server's."""
    return {CONF_URL: "ftp://voip.example.test"}


async def _self_signed(_: VoipNowSimulator, tls_url: str) -> dict[str, Any]:
    """Point at a PBX with a self-signed certificate, checking certificates."""
    return {CONF_URL: tls_url}


@pytest.mark.parametrize(
    ("cause", "error"),
    [
        (_wrong_secret, {"base": "invalid_auth"}),
        (_go_offline, {CONF_URL: "cannot_connect"}),
        (_fault("disconnect", "/oauth"), {CONF_URL: "cannot_connect"}),
        (_fault("disconnect", "/uapi"), {CONF_URL: "cannot_connect"}),
        # An HTML error page, as a proxy in front of something else answers.
        (_fault("html_error", "/uapi"), {CONF_URL: "cannot_connect"}),
        (_fault("http_500", "/oauth"), {CONF_URL: "cannot_connect"}),
        (_fault("http_500", "/uapi"), {CONF_URL: "cannot_connect"}),
        (_fault("malformed_json", "/oauth"), {CONF_URL: "cannot_connect"}),
        (_fault("malformed_json", "/uapi"), {CONF_URL: "cannot_connect"}),
        (_fault("empty_200", "/oauth"), {CONF_URL: "cannot_connect"}),
        (_bad_url, {CONF_URL: "invalid_url"}),
        (_self_signed, {CONF_URL: "ssl_error"}),
    ],
    ids=[
        "invalid_auth",
        "refused",
        "token_dropped",
        "listing_dropped",
        "not_voipnow",
        "token_500",
        "listing_500",
        "token_malformed",
        "listing_malformed",
        "token_empty",
        "invalid_url",
        "self_signed",
    ],
)
async def test_user_flow_error_recovers(
    hass: HomeAssistant,
    caplog: pytest.LogCaptureFixture,
    simulator: VoipNowSimulator,
    tls_url: str,
    mock_setup_entry: AsyncMock,
    cause: Callable[[VoipNowSimulator, str], Awaitable[dict[str, Any]]],
    error: dict[str, str],
) -> None:
    """Each error shows on the form, and fixing its cause creates the entry."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    overrides = await cause(simulator, tls_url)

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator, **overrides)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == error
    assert_translated(result)
    # Only an unexpected failure is logged as one.
    assert "Unexpected error" not in caplog.text

    await simulator.go_online()
    simulator.clear_faults()
    if cause is _self_signed:
        # The remedy the message tells: stop verifying this PBX's certificate.
        fixed = user_input(simulator, **{CONF_URL: tls_url, CONF_VERIFY_SSL: False})
    else:
        fixed = user_input(simulator)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], fixed)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_URL] == fixed[CONF_URL]
    assert result["data"][CONF_VERIFY_SSL] is fixed[CONF_VERIFY_SSL]


async def test_user_flow_unexpected_error_recovers(
    hass: HomeAssistant,
    caplog: pytest.LogCaptureFixture,
    simulator: VoipNowSimulator,
    mock_setup_entry: AsyncMock,
) -> None:
    """A failure no PBX answer explains is logged with its traceback, then recovers.

    No server can make the client raise anything but its own errors, so the
    failure is put in aiohttp, under the client, as a bug there would be.
    """
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    with patch.object(
        aiohttp.ClientSession, "request", side_effect=RuntimeError("Boom")
    ):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], user_input(simulator)
        )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "unknown"}
    assert_translated(result)
    assert "Unexpected error while checking the PBX" in caplog.text
    assert "RuntimeError: Boom" in caplog.text
    assert simulator.requests == []

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_user_flow_timeout_recovers(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    mock_setup_entry: AsyncMock,
) -> None:
    """A PBX that does not answer in time is reported as unreachable."""
    simulator.inject_fault("delay", path_prefix="/oauth", delay=1.0)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    # The PBX's delay is the failure; the client's timeout is only shortened
    # (from 10 s) to keep the test fast.
    with patch(
        "custom_components.voipnow.config_flow.VoipNowClient",
        partial(VoipNowClient, request_timeout=0.05),
    ):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], user_input(simulator)
        )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_URL: "cannot_connect"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize(
    ("url", "client_id"),
    [
        ("{url}", CLIENT_ID),
        ("{url}/uapi/", CLIENT_ID),
        ("{url}/", f"  {CLIENT_ID} "),
        ("HTTP://127.0.0.1:{port}/oauth/token.php", CLIENT_ID),
    ],
)
async def test_user_flow_already_configured(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    flow_entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
    url: str,
    client_id: str,
) -> None:
    """The same App on the same PBX, however the address is typed, is refused."""
    flow_entry.add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        user_input(
            simulator,
            **{
                CONF_URL: url.format(url=simulator.url, port=simulator.port),
                CONF_CLIENT_ID: client_id,
            },
        ),
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert_translated(result)
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


@pytest.mark.parametrize(
    ("url", "unique_id"),
    [
        ("voip.example.test", "voip.example.test_test-app-id"),
        ("https://VOIP.example.test:443/uapi/", "voip.example.test_test-app-id"),
        ("http://voip.example.test:80", "voip.example.test_test-app-id"),
        ("https://voip.example.test:8443", "voip.example.test:8443_test-app-id"),
    ],
)
def test_unique_id_ignores_default_ports(url: str, unique_id: str) -> None:
    """Addresses naming the same server on its default port give one unique id."""
    assert unique_id_for(url, f" {CLIENT_ID} ") == unique_id


@pytest.fixture
async def reauth_flow(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
) -> FlowResult:
    """The App's secret was regenerated: the next poll starts a reauth flow."""
    simulator.set_client_secret(NEW_SECRET)
    await async_poll(hass, freezer)
    assert hass.states.get(OFFICE_CALL_STATE).state == STATE_UNAVAILABLE
    [flow] = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flow["context"]["source"] == SOURCE_REAUTH
    return flow


async def test_reauth_shows_connection_errors(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    reauth_flow: FlowResult,
) -> None:
    """An unreachable PBX during reauth is shown on the form, then it recovers."""
    result = await hass.config_entries.flow.async_configure(reauth_flow["flow_id"])

    await simulator.go_offline()
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_CLIENT_SECRET: NEW_SECRET}
    )
    # The form has no address field: the error is the form's own.
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}
    assert_translated(result)

    await simulator.go_online()
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_CLIENT_SECRET: NEW_SECRET}
    )
    await hass.async_block_till_done()
    assert result["reason"] == "reauth_successful"
    assert init_integration.state is ConfigEntryState.LOADED


async def test_reauth_after_secret_regenerated(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    reauth_flow: FlowResult,
) -> None:
    """A regenerated App secret asks for the new one; the entry then works again."""
    result = await hass.config_entries.flow.async_configure(reauth_flow["flow_id"])
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert result["description_placeholders"]["client_id"] == CLIENT_ID
    assert result["description_placeholders"]["url"] == simulator.url
    assert_translated(result)

    # The old secret is refused; the form says so and stays.
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_CLIENT_SECRET: CLIENT_SECRET}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}

    simulator.clear_requests()
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_CLIENT_SECRET: NEW_SECRET}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert_translated(result)
    # Checked once by the flow, then set up again once (not reloaded twice).
    assert len(simulator.api_requests("GET", "/uapi/extensions/")) == 2
    assert init_integration.data[CONF_CLIENT_SECRET] == NEW_SECRET
    assert init_integration.state is ConfigEntryState.LOADED
    assert hass.states.get(OFFICE_CALL_STATE).state == "idle"

    simulator.clear_requests()
    await async_poll(hass, freezer)
    assert calls_requests(simulator) == 1
    assert hass.states.get(OFFICE_CALL_STATE).state == "idle"


async def test_reconfigure_secret_and_tls_check(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    flow_entry: MockConfigEntry,
) -> None:
    """Reconfiguring the same App with a new secret reloads the entry with it."""
    await async_load(hass, flow_entry)
    simulator.set_client_secret(NEW_SECRET)

    result = await flow_entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert_translated(result)

    # A wrong secret shows an error; the right one goes through.
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator, **{CONF_CLIENT_SECRET: "wrong"})
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}
    assert_translated(result)

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        user_input(
            simulator, **{CONF_CLIENT_SECRET: NEW_SECRET, CONF_VERIFY_SSL: False}
        ),
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert_translated(result)
    assert flow_entry.data[CONF_CLIENT_SECRET] == NEW_SECRET
    assert flow_entry.data[CONF_VERIFY_SSL] is False
    assert flow_entry.unique_id == server_unique_id(simulator)
    assert flow_entry.state is ConfigEntryState.LOADED
    assert hass.states.get(OFFICE_CALL_STATE).state == "idle"


@pytest.fixture
async def moved_simulator() -> AsyncIterator[VoipNowSimulator]:
    """Run the same App on a PBX at another address (the PBX moved)."""
    sim = VoipNowSimulator(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    sim.add_extension("0003*210", name="Office")
    await sim.start(host="127.0.0.1", port=0)
    yield sim
    await sim.stop()


async def test_reconfigure_new_address(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    moved_simulator: VoipNowSimulator,
    flow_entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
) -> None:
    """A new address for the same App moves the entry, unique id included."""
    flow_entry.add_to_hass(hass)
    result = await async_reconfigure(
        hass,
        flow_entry,
        user_input(simulator, **{CONF_URL: f"127.0.0.1:{moved_simulator.port}"}),
    )
    # Without a scheme the PBX is reached over TLS, which it does not speak:
    # that is no certificate problem, so no advice to turn checks off.
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_URL: "cannot_connect"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        user_input(simulator, **{CONF_URL: f"{moved_simulator.url}/"}),
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert flow_entry.data[CONF_URL] == moved_simulator.url
    assert flow_entry.unique_id == server_unique_id(moved_simulator)
    # Entities keep the identity they were created with.
    assert flow_entry.data[CONF_SERVER_ID] == server_unique_id(simulator)
    assert len(moved_simulator.token_requests) == 1


async def test_reconfigure_new_address_keeps_entities(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    moved_simulator: VoipNowSimulator,
    flow_entry: MockConfigEntry,
) -> None:
    """After moving the PBX, the same entities (ids, history) show the new PBX."""
    await async_load(hass, flow_entry)
    registry = er.async_get(hass)
    before = registry.async_get(OFFICE_CALL_STATE)
    assert before is not None

    result = await async_reconfigure(
        hass, flow_entry, user_input(simulator, **{CONF_URL: moved_simulator.url})
    )
    await hass.async_block_till_done()
    assert result["reason"] == "reconfigure_successful"

    after = registry.async_get(OFFICE_CALL_STATE)
    assert after is not None
    assert (after.unique_id, after.device_id) == (before.unique_id, before.device_id)
    await moved_simulator.incoming_call("0003*210", from_number="5551234")
    await flow_entry.runtime_data.calls.async_refresh()
    assert await async_state(hass, OFFICE_CALL_STATE) == "ringing"


async def test_reconfigure_different_app(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    flow_entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
) -> None:
    """Another App ID is refused before its secret is sent anywhere."""
    flow_entry.add_to_hass(hass)
    result = await async_reconfigure(
        hass, flow_entry, user_input(simulator, **{CONF_CLIENT_ID: "another-app"})
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "different_app"
    assert_translated(result)
    assert simulator.requests == []
    assert flow_entry.data[CONF_CLIENT_ID] == CLIENT_ID


async def test_reconfigure_to_another_entrys_address(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    moved_simulator: VoipNowSimulator,
    flow_entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
) -> None:
    """Moving an entry onto the PBX and App of another entry is refused."""
    flow_entry.add_to_hass(hass)
    other = MockConfigEntry(
        domain=DOMAIN,
        title="127.0.0.1",
        unique_id=server_unique_id(moved_simulator),
        data=user_input(moved_simulator),
    )
    other.add_to_hass(hass)
    result = await async_reconfigure(hass, flow_entry, user_input(moved_simulator))

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert flow_entry.data[CONF_URL] == simulator.url
    assert flow_entry.unique_id == server_unique_id(simulator)


@pytest.mark.parametrize("step", ["user", "reconfigure"])
async def test_plain_http_to_a_remote_pbx_needs_consent(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    flow_entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
    step: str,
) -> None:
    """http:// to a PBX off the local network: refused, unless the user agrees."""
    if step == "user":
        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": SOURCE_USER}
        )
    else:
        flow_entry.add_to_hass(hass)
        result = await flow_entry.start_reconfigure_flow(hass)
    remote = "http://voip.example.com"

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator, **{CONF_URL: remote})
    )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_URL: "insecure_url"}
    assert_translated(result)
    # Nothing was sent anywhere, the secret least of all.
    assert simulator.requests == []

    # Ticking "Allow an unencrypted connection" lets the same address through
    # (here the simulator, taken for a remote server).
    with patch(
        "custom_components.voipnow.config_flow.is_local_url", return_value=False
    ):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"],
            user_input(simulator, **{CONF_ALLOW_INSECURE: True}),
        )

    if step == "user":
        assert result["type"] is FlowResultType.CREATE_ENTRY
        assert result["data"][CONF_ALLOW_INSECURE] is True
    else:
        assert result["type"] is FlowResultType.ABORT
        assert result["reason"] == "reconfigure_successful"
        assert flow_entry.data[CONF_ALLOW_INSECURE] is True
    assert simulator.token_requests


async def test_plain_http_on_the_local_network_is_fine(
    hass: HomeAssistant, simulator: VoipNowSimulator, mock_setup_entry: AsyncMock
) -> None:
    """A PBX on the LAN (here 127.0.0.1) needs no consent for plain HTTP."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator)
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_URL].startswith("http://127.0.0.1")
