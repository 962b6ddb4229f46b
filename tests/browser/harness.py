"""What the browser tests run and talk to: hass, the simulator, Chromium.

Home Assistant and the simulator are subprocesses on free loopback ports; the
test process only drives the browser and reads the simulator's control API.
"""

from __future__ import annotations

from dataclasses import dataclass
import importlib.util
import os
from pathlib import Path
import re
import signal
import socket
import subprocess
import time
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("VOIPNOW_CHROMIUM", "/usr/bin/chromium"))
# What Chromium needs here, headless as root on a machine with no network: no
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
# The demo's extensions (scripts/develop), so its dashboard fits.
EXTENSIONS = ("0003*210", "0003*211", "0003*212", "0003*213")
USERNAME = "tester"
PASSWORD = "browser-test-password"
STARTUP_TIMEOUT = 90.0

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
automation: !include automations.yaml
lovelace:
  mode: yaml
# As the demo (config/configuration.yaml): its badges' counts and its logbook.
template: !include badges.yaml
recorder:
logbook: !include logbook.yaml
logger:
  default: warning
  logs:
    custom_components.voipnow: debug
    homeassistant.components.camera.img_util: critical
"""


def _load_bootstrap() -> ModuleType:
    """Import scripts/demo_bootstrap.py (a script, not a package)."""
    spec = importlib.util.spec_from_file_location(
        "demo_bootstrap", ROOT / "scripts" / "demo_bootstrap.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Onboarding, login-free API calls and config entries, shared with the demo.
bootstrap = _load_bootstrap()


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


def wait_for_line(process: subprocess.Popen[bytes], log: Path, text: str) -> None:
    """Wait until a subprocess has written a line containing text to its log."""
    deadline = time.monotonic() + 30
    while text not in log.read_text(errors="replace"):
        assert process.poll() is None, f"{process.args!r} exited:\n{log_tail(log)}"
        assert time.monotonic() < deadline, f"no {text!r} in {log}:\n{log_tail(log)}"
        time.sleep(0.1)


@dataclass
class Simulator:
    """The simulator subprocess, reached through its control API."""

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

    def call_actions(self) -> list[dict[str, Any]]:
        """The requests that acted on calls (transfer, hold, hang up), oldest first."""
        return [
            request
            for request in self.control("requests")
            if request["path"].startswith("/uapi/phoneCalls/")
            and request["method"] in {"PUT", "DELETE"}
        ]


@dataclass
class HomeAssistant:
    """The `hass` subprocess, its URL and an access token of its owner."""

    url: str
    token: str
    config_dir: Path
    log: Path


def shrink_png(source: Path, target: Path) -> None:
    """Write a smaller copy of a screenshot: 256 colours are plenty for a UI."""
    from PIL import Image

    target.parent.mkdir(parents=True, exist_ok=True)
    with Image.open(source) as image:
        small = image.convert("RGB").quantize(
            colors=256, method=Image.Quantize.MEDIANCUT
        )
        small.save(target, optimize=True)


def serve_brand_images(page: Any) -> None:
    """Answer Home Assistant's brand image requests here, with no network.

    The integration's icon and logo come from custom_components/voipnow/brand;
    every other brand is "not found", as Home Assistant shows it offline.
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
