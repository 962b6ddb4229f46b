"""A real CardDAV server for the tests: Radicale, in its own virtual environment.

Radicale's pins need not agree with Home Assistant's, so it lives in
`.cache/radicale-venv-<python>` (built once, with pip from PyPI). Nothing is
skipped: when Radicale cannot be installed or started, the test fails and
says why.
"""

from __future__ import annotations

from base64 import b64encode
from collections.abc import Iterator
from dataclasses import dataclass
import fcntl
import os
from pathlib import Path
import socket
import subprocess
import sys
import time

import aiohttp
import pytest

RADICALE_VERSION = "3.9.0"
ROOT = Path(__file__).resolve().parents[2]
USER = "alice"
PASSWORD = "wonderland"
BOOK = f"/{USER}/contacts/"
_MKCOL = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">'
    "<D:set><D:prop><D:resourcetype><D:collection/><C:addressbook/>"
    "</D:resourcetype></D:prop></D:set></D:mkcol>"
)


def radicale_python() -> Path:
    """Return the Python of Radicale's venv, building it on first use.

    Test workers (pytest -n) take turns: one builds, the others wait and use it.
    """
    lock_path = ROOT / ".cache" / "radicale.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _built_python()


def _built_python() -> Path:
    """Return the Python of Radicale's venv, building it when missing."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    venv = Path(
        os.environ.get(
            "VOIPNOW_RADICALE_VENV", ROOT / ".cache" / f"radicale-venv-{version}"
        )
    )
    python = venv / "bin" / "python"
    probe = [
        str(python),
        "-c",
        f"import radicale; assert radicale.VERSION == '{RADICALE_VERSION}'",
    ]
    if (
        python.exists()
        and subprocess.run(probe, capture_output=True, check=False).returncode == 0
    ):
        return python
    steps = [
        [sys.executable, "-m", "venv", "--clear", str(venv)],
        [str(python), "-m", "pip", "install", "-q", f"radicale=={RADICALE_VERSION}"],
    ]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            pytest.fail(
                f"Radicale could not be installed ({' '.join(step)}):\n"
                f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
            )
    return python


@dataclass
class Radicale:
    """A running Radicale: its address book's URL and its password file."""

    url: str
    book_url: str
    htpasswd: Path

    def set_password(self, password: str) -> None:
        """Change the user's password (Radicale reads the file on every login)."""
        self.htpasswd.write_text(f"{USER}:{password}\n")

    async def async_put_cards(self, cards: dict[str, str]) -> None:
        """Create the address book and put vCards in it, as a client would."""
        token = b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        headers = {"Authorization": f"Basic {token}"}
        async with aiohttp.ClientSession(headers=headers) as session:
            async with session.request("MKCOL", self.book_url, data=_MKCOL) as response:
                assert response.status in (201, 405), response.status
            for name, text in cards.items():
                async with session.put(
                    f"{self.book_url}{name}.vcf",
                    data=text.encode(),
                    headers={"Content-Type": "text/vcard; charset=utf-8"},
                ) as response:
                    assert response.status in (201, 204), await response.text()


def _free_port() -> int:
    """Return a free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def radicale_python_path() -> Path:
    """Radicale's Python, installed once per session."""
    return radicale_python()


@pytest.fixture
def radicale(
    radicale_python_path: Path, tmp_path: Path, socket_enabled: None
) -> Iterator[Radicale]:
    """Start Radicale with plain htpasswd logins on a free loopback port."""
    port = _free_port()
    htpasswd = tmp_path / "htpasswd"
    htpasswd.write_text(f"{USER}:{PASSWORD}\n")
    command = [
        str(radicale_python_path),
        "-m",
        "radicale",
        "--config",
        "",
        "--server-hosts",
        f"127.0.0.1:{port}",
        "--auth-type",
        "htpasswd",
        "--auth-htpasswd-filename",
        str(htpasswd),
        "--auth-htpasswd-encryption",
        "plain",
        "--storage-filesystem-folder",
        str(tmp_path / "collections"),
        "--rights-type",
        "owner_only",
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 30
    while True:
        if process.poll() is not None:
            pytest.fail(f"Radicale stopped: {process.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail("Radicale did not start within 30 s")
            time.sleep(0.1)
    url = f"http://127.0.0.1:{port}"
    try:
        yield Radicale(url=url, book_url=f"{url}{BOOK}", htpasswd=htpasswd)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
