"""Fixtures for the API client tests: the simulator, scripted servers, a client.

Everything talks real HTTP on 127.0.0.1. Home Assistant's test plugin blocks
sockets, so every server fixture asks for `socket_enabled` (connections stay
limited to 127.0.0.1 by the plugin's allow-list).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
import ipaddress
from pathlib import Path
import ssl
import time
from typing import Any

import aiohttp
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
import pytest

from custom_components.voipnow.api import VoipNowClient, auth as auth_module
from tests.conftest import async_running_simulator
from voipnow_simulator import VoipNowSimulator

CLIENT_ID = "test-app-id"
# Distinctive, so that a leak into a log or a message is easy to find.
CLIENT_SECRET = "S3cret-of-the-App-7f2c9d"
EXT_OFFICE = "0003*210"
EXT_SALES = "0003*211"
EXT_GARAGE = "0003*212"
OUTSIDE = "5551234"
HOOK_URL = "https://ha.example.com/api/webhook/0f1e2d3c4b5a69788796a5b4c3d2e1f0"
# Short enough to keep timeout tests fast, long enough for a loaded machine.
TIMEOUT = 0.3
SCRIPTED_TOKEN = "scripted-access-token-0123456789"
TOKEN_PATH = "/oauth/token.php"

type Answer = Callable[[web.Request], Awaitable[web.StreamResponse]]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the repository-wide fixture: the client needs no Home Assistant.

    The API client imports nothing of Home Assistant; its tests need no `hass`
    instance, and skipping one per test keeps this suite fast.
    """


@pytest.fixture
async def sim(socket_enabled: None) -> AsyncIterator[VoipNowSimulator]:
    """Run the simulator on a free loopback port with three extensions."""
    async with async_running_simulator("Sales", CLIENT_SECRET) as simulator:
        yield simulator


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """Give a plain aiohttp session, closed at teardown."""
    async with aiohttp.ClientSession() as http:
        yield http


def make_client(
    session: aiohttp.ClientSession, url: str, **kwargs: Any
) -> VoipNowClient:
    """Build a client with the test credentials and the short test timeout."""
    kwargs.setdefault("request_timeout", TIMEOUT * 10)
    return VoipNowClient(session, url, CLIENT_ID, CLIENT_SECRET, **kwargs)


@pytest.fixture
def client(sim: VoipNowSimulator, session: aiohttp.ClientSession) -> VoipNowClient:
    """Give a client of the simulator's App."""
    return make_client(session, sim.url)


class FakeClock:
    """Stand in for the `time` module inside the client: a clock tests can move."""

    def __init__(self) -> None:
        """Start in step with the real monotonic clock."""
        self.offset = 0.0

    def monotonic(self) -> float:
        """Return the real monotonic time plus how far the test moved it."""
        return time.monotonic() + self.offset

    def advance(self, seconds: float) -> None:
        """Move the client's clock forward."""
        self.offset += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """Give the client a clock of its own (the event loop keeps the real one)."""
    fake = FakeClock()
    monkeypatch.setattr(auth_module, "time", fake)
    return fake


def json_answer(data: Any, status: int = 200) -> Answer:
    """Script a JSON answer."""

    async def answer(request: web.Request) -> web.StreamResponse:
        """Answer with the JSON."""
        return web.json_response(data, status=status)

    return answer


def text_answer(
    text: str, status: int = 200, content_type: str = "application/json"
) -> Answer:
    """Script a raw text answer."""

    async def answer(request: web.Request) -> web.StreamResponse:
        """Answer with the text."""
        return web.Response(text=text, status=status, content_type=content_type)

    return answer


class ScriptedServer:
    """An HTTP server answering what a test scripts: what the simulator never says."""

    def __init__(self) -> None:
        """Answer tokens normally and everything else with 404 until told."""
        self.url = ""
        self.requests: list[str] = []
        self.token_answer: Answer = json_answer(
            {"access_token": SCRIPTED_TOKEN, "expires_in": 3600}
        )
        self.answer: Answer = text_answer("", status=404)
        self._runner: web.AppRunner | None = None

    @property
    def api_requests(self) -> list[str]:
        """Return `METHOD /raw/path?query` of every request but token requests."""
        return [r for r in self.requests if TOKEN_PATH not in r]

    @property
    def token_requests(self) -> list[str]:
        """Return the token requests."""
        return [r for r in self.requests if TOKEN_PATH in r]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        """Record the request and answer as scripted."""
        await request.read()
        self.requests.append(f"{request.method} {request.raw_path}")
        if request.path.endswith(TOKEN_PATH):
            return await self.token_answer(request)
        return await self.answer(request)

    async def start(self, ssl_context: ssl.SSLContext | None = None) -> None:
        """Listen on a free loopback port (with TLS when given a context)."""
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=ssl_context)
        await site.start()
        scheme = "https" if ssl_context else "http"
        self.url = f"{scheme}://127.0.0.1:{self._runner.addresses[0][1]}"

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()


@pytest.fixture
async def scripted(socket_enabled: None) -> AsyncIterator[ScriptedServer]:
    """Run a scripted plain-HTTP server."""
    server = ScriptedServer()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def scripted_client(
    scripted: ScriptedServer, session: aiohttp.ClientSession
) -> VoipNowClient:
    """Give a client of the scripted server."""
    return make_client(session, scripted.url)


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """Write a self-signed certificate for 127.0.0.1; return (cert, key) paths."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "voipnow.test")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    cert_path = directory / "cert.pem"
    key_path = directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
async def tls_server(
    socket_enabled: None, tmp_path: Path
) -> AsyncIterator[tuple[ScriptedServer, Path]]:
    """Run a scripted server over TLS with a self-signed certificate.

    Return the server and the certificate, for a client that chooses to trust it.
    """
    cert, key = self_signed_certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    server = ScriptedServer()
    await server.start(ssl_context=context)
    yield server, cert
    await server.stop()


async def ring(
    sim: VoipNowSimulator,
    extension: str = EXT_OFFICE,
    from_number: str = OUTSIDE,
    *,
    answer: bool = True,
) -> str:
    """Ring an extension from outside (and answer); return the call id."""
    call_id = await sim.incoming_call(
        extension, from_number=from_number, caller_name="Jane Doe"
    )
    if answer:
        await sim.answer_call(call_id)
    return call_id
