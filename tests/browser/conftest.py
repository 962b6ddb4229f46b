"""A real Home Assistant, the simulator and Chromium, for the browser tests.

Nothing here runs in the test process but the browser's driver: Home Assistant
(`hass` from the venv, with --skip-pip and a fresh configuration directory)
and the simulator are subprocesses on free loopback ports, and Playwright
drives Debian's Chromium (/usr/bin/chromium: no browser is downloaded).  A
browser that cannot start fails the test; it is never skipped.

Screenshots go to the test's temporary directory; with VOIPNOW_SCREENSHOTS set
to a directory (scripts/test-browser --screenshots DIR) they are also written
there, shrunk with Pillow for the documentation.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
import importlib.util
import os
from pathlib import Path
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("VOIPNOW_CHROMIUM", "/usr/bin/chromium"))
# What this machine's Chromium needs headless as root with no network: no
# sandbox (root), no GPU, and none of its calls home.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}
CLIENT_ID = "browser-test-app"
CLIENT_SECRET = "browser-test-secret"
EXTENSIONS = ("0003*210", "0003*211", "0003*212", "0003*213")
USERNAME = "tester"
PASSWORD = "browser-test-password"
STARTUP_TIMEOUT = 90.0


def load_bootstrap() -> ModuleType:
    """Import scripts/demo_bootstrap.py (a script, not a package)."""
    spec = importlib.util.spec_from_file_location(
        "demo_bootstrap", ROOT / "scripts" / "demo_bootstrap.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bootstrap = load_bootstrap()


def free_port() -> int:
    """Return a loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def log_tail(path: Path, lines: int = 40) -> str:
    """The last lines of a log file, for failure messages."""
    if not path.exists():
        return f"({path} does not exist)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def stop_process(process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    """Ask a process to stop (SIGTERM), and kill it if it does not."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """No in-process Home Assistant here: the one under test is a subprocess."""


@pytest.fixture(autouse=True)
def loopback_sockets(socket_enabled: None) -> None:
    """Allow sockets; Home Assistant's test plugin keeps them on 127.0.0.1."""


@dataclass
class Simulator:
    """The simulator subprocess and its control API."""

    url: str
    log: Path

    def control(self, path: str, body: dict[str, Any] | None = None) -> Any:
        """GET (no body) or POST (body) the control API; return the JSON answer."""
        status, answer = bootstrap.request(
            "GET" if body is None else "POST",
            f"{self.url}/_sim/{path}",
            json_body=body,
        )
        assert status == 200, f"/_sim/{path}: HTTP {status}: {answer}"
        return answer

    def requests(self) -> list[dict[str, Any]]:
        """The API requests the simulator received, oldest first."""
        return list(self.control("requests"))


@pytest.fixture
def simulator(tmp_path: Path) -> Iterator[Simulator]:
    """Run the simulator with the demo's four extensions, without random calls."""
    log = tmp_path / "simulator.log"
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-u",
                "-m",
                "voipnow_simulator",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--client-id",
                CLIENT_ID,
                "--client-secret",
                CLIENT_SECRET,
                "--extensions",
                ",".join(EXTENSIONS),
            ],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while "listening on" not in log.read_text():
            assert process.poll() is None, f"the simulator exited:\n{log_tail(log)}"
            assert time.monotonic() < deadline, f"no simulator:\n{log_tail(log)}"
            time.sleep(0.1)
        yield Simulator(f"http://127.0.0.1:{port}", log)
    finally:
        stop_process(process)


@dataclass
class HomeAssistant:
    """The Home Assistant subprocess, its URL and an owner's access token."""

    url: str
    token: str
    config_dir: Path
    log: Path


CONFIGURATION = """\
homeassistant:
  name: Browser test
  unit_system: metric
  time_zone: UTC
  country: US
  currency: USD
  language: en
  internal_url: {url}
http:
  server_host: 127.0.0.1
  server_port: {port}
frontend:
lovelace:
  mode: yaml
logger:
  default: warning
  logs:
    custom_components.voipnow: debug
    homeassistant.components.camera.img_util: critical
"""


@pytest.fixture
def home_assistant(tmp_path: Path) -> Iterator[HomeAssistant]:
    """Run `hass` on a fresh configuration whose owner exists but has not logged in.

    Its Overview is the demo's dashboard (config/ui-lovelace.yaml), so the
    test checks that one too.
    """
    config = tmp_path / "ha-config"
    config.mkdir()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    (config / "configuration.yaml").write_text(CONFIGURATION.format(url=url, port=port))
    (config / "custom_components").symlink_to(ROOT / "custom_components")
    shutil.copy(ROOT / "config" / "ui-lovelace.yaml", config / "ui-lovelace.yaml")
    bootstrap.prepare_config(config)
    log = config / "home-assistant.log"
    hass = Path(sys.executable).parent / "hass"
    with (config / "console.log").open("wb") as out:
        process = subprocess.Popen(
            [str(hass), "-c", str(config), "--skip-pip"],
            cwd=config,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        try:
            bootstrap.wait_until_up(url, STARTUP_TIMEOUT)
        except bootstrap.BootstrapError:
            pytest.fail(f"Home Assistant did not start:\n{log_tail(config / 'console.log')}")
        token = bootstrap.create_owner(url, "Tester", USERNAME, PASSWORD)
        yield HomeAssistant(url, token, config, log)
    finally:
        stop_process(process)
        # Shown with the output of a failed test.
        print(f"---- {log}:\n{log_tail(log, 60)}")  # noqa: T201


@pytest.fixture
def screenshots(tmp_path: Path) -> Iterator[Any]:
    """Return a function that saves a screenshot of the page under a name."""
    shots = tmp_path / "screenshots"
    shots.mkdir()
    docs_dir = os.environ.get("VOIPNOW_SCREENSHOTS")

    def take(page: Any, name: str) -> Path:
        # Let animations (dialogs, ripples) settle.
        page.wait_for_timeout(600)
        path = shots / f"{name}.png"
        page.screenshot(path=str(path))
        if docs_dir:
            shrink_png(path, Path(docs_dir) / path.name)
        return path

    yield take
    print(f"screenshots: {shots}")  # noqa: T201


def shrink_png(source: Path, target: Path) -> None:
    """Write a smaller copy of a screenshot: 256 colours are plenty for a UI."""
    from PIL import Image

    target.parent.mkdir(parents=True, exist_ok=True)
    with Image.open(source) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
        small.save(target, optimize=True)


def serve_brand_images(page: Any) -> None:
    """Answer Home Assistant's brand image requests here, with no network.

    The integration's own icon and logo come from custom_components/voipnow/brand;
    every other brand is "not found", as Home Assistant shows without internet.
    """
    brand = ROOT / "custom_components" / "voipnow" / "brand"

    def handle(route: Any) -> None:
        url: str = route.request.url
        name = url.rsplit("/", 1)[-1]
        if re.search(r"/voipnow/[a-z_@0-9]+\.png$", url) and (brand / name).exists():
            route.fulfill(path=str(brand / name), content_type="image/png")
        else:
            route.fulfill(status=404, body="")

    page.route("https://brands.home-assistant.io/**", handle)


@pytest.fixture
def page(tmp_path: Path) -> Iterator[Any]:
    """A fresh Chromium page (new profile) at 1280x800; fails if Chromium cannot start."""
    from playwright.sync_api import Error, expect, sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} not found: install Debian's Chromium "
            "(apt-get install chromium), or set VOIPNOW_CHROMIUM"
        )
    with sync_playwright() as playwright:
        try:
            context = playwright.chromium.launch_persistent_context(
                str(tmp_path / "chromium-profile"),
                executable_path=str(CHROMIUM),
                args=CHROMIUM_ARGS,
                viewport=VIEWPORT,  # type: ignore[arg-type]
                locale="en-US",
            )
        except Error as err:
            pytest.fail(f"Chromium ({CHROMIUM}) did not start: {err}")
        context.set_default_timeout(20_000)
        expect.set_options(timeout=20_000)
        browser_page = context.pages[0] if context.pages else context.new_page()
        serve_brand_images(browser_page)
        errors: list[str] = []
        browser_page.on("pageerror", lambda exc: errors.append(str(exc)))
        try:
            yield browser_page
        finally:
            context.close()
            if errors:
                print("JavaScript errors:\n" + "\n".join(errors))  # noqa: T201
