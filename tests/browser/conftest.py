"""Fixtures of the browser tests: a real Home Assistant, the simulator, Chromium.

Playwright drives Debian's Chromium (/usr/bin/chromium; no browser is
downloaded).  A browser that cannot start fails the test: it is never skipped.

Screenshots go to the test's temporary directory; with VOIPNOW_SCREENSHOTS set
to a directory (scripts/test-browser --screenshots DIR) smaller copies for the
documentation are written there too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
import importlib.util
import os
from pathlib import Path
import shutil
import subprocess
import sys
from typing import Any

import pytest

from .harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    CLIENT_ID,
    CLIENT_SECRET,
    CONFIGURATION,
    EXTENSIONS,
    PASSWORD,
    ROOT,
    STARTUP_TIMEOUT,
    USERNAME,
    VIEWPORT,
    HomeAssistant,
    Simulator,
    bootstrap,
    free_port,
    log_tail,
    serve_brand_images,
    shrink_png,
    stop_process,
    wait_for_line,
)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """No in-process Home Assistant here: the one under test is a subprocess."""


@pytest.fixture(autouse=True)
def loopback_sockets(socket_enabled: None) -> None:
    """Allow sockets; Home Assistant's test plugin keeps them on 127.0.0.1."""


@pytest.fixture
def simulator(tmp_path: Path) -> Iterator[Simulator]:
    """Run the simulator with the demo's four extensions, without random calls."""
    log = tmp_path / "simulator.log"
    port = free_port()
    command = [
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
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=out)
    try:
        wait_for_line(process, log, "listening on")
        yield Simulator(f"http://127.0.0.1:{port}", log)
    finally:
        stop_process(process)


@pytest.fixture
def home_assistant(tmp_path: Path) -> Iterator[HomeAssistant]:
    """Run `hass` on a fresh configuration whose owner exists but never logged in.

    Its Overview is the demo's dashboard (config/ui-lovelace.yaml, with the
    badges' counts of config/badges.yaml), its logbook the demo's
    (config/logbook.yaml), and its blueprints are linked in as scripts/develop
    links them, so the test checks the demo too.
    """
    if importlib.util.find_spec("hass_frontend") is None:
        pytest.fail(
            "home-assistant-frontend is not installed in this venv "
            "(requirements_test.txt; scripts/setup)"
        )
    config = tmp_path / "ha-config"
    config.mkdir()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    (config / "configuration.yaml").write_text(CONFIGURATION.format(url=url, port=port))
    (config / "automations.yaml").write_text("[]\n")
    (config / "custom_components").symlink_to(ROOT / "custom_components")
    for name in ("ui-lovelace.yaml", "badges.yaml", "logbook.yaml"):
        shutil.copy(ROOT / "config" / name, config / name)
    # The blueprints, one link per file as scripts/develop makes them.
    blueprints = config / "blueprints" / "automation" / "voipnow"
    blueprints.mkdir(parents=True)
    for blueprint in (ROOT / "blueprints" / "automation" / "voipnow").glob("*.yaml"):
        (blueprints / blueprint.name).symlink_to(blueprint)
    bootstrap.prepare_config(config)
    console = config / "console.log"
    hass = Path(sys.executable).parent / "hass"
    with console.open("wb") as out:
        process = subprocess.Popen(
            [str(hass), "-c", str(config), "--skip-pip"],
            cwd=config,
            stdout=out,
            stderr=out,
        )
    log = config / "home-assistant.log"
    try:
        try:
            bootstrap.wait_until_up(url, STARTUP_TIMEOUT)
        except bootstrap.BootstrapError as err:
            pytest.fail(f"{err}:\n{log_tail(console)}")
        token = bootstrap.create_owner(url, "Tester", USERNAME, PASSWORD)
        yield HomeAssistant(url, token, config, log)
    finally:
        stop_process(process)
        # Shown with the output of a failed test.
        print(f"---- {log}:\n{log_tail(log, 60)}")  # noqa: T201


@pytest.fixture
def screenshots(tmp_path: Path) -> Iterator[Callable[[Any, str], Path]]:
    """Return a function that saves a screenshot of the page under a name."""
    shots = tmp_path / "screenshots"
    shots.mkdir()
    docs_dir = os.environ.get("VOIPNOW_SCREENSHOTS")

    def take(page: Any, name: str) -> Path:
        page.wait_for_timeout(600)  # let dialogs and ripples settle
        path = shots / f"{name}.png"
        page.screenshot(path=str(path))
        if docs_dir:
            shrink_png(path, Path(docs_dir) / path.name)
        return path

    yield take
    print(f"screenshots: {shots}")  # noqa: T201


@pytest.fixture
def page(tmp_path: Path) -> Iterator[Any]:
    """A page of a fresh Chromium profile at 1280x800; fails if Chromium can't start."""
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
