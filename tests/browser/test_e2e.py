"""End to end, as a person does it: add the PBX in the web UI and steer a call.

One long test, because every step needs the one before it: a real `hass`, the
simulator and Chromium take a few seconds each to start.  Run it with
`scripts/test-browser`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
import re
import time
from typing import Any

from playwright.sync_api import Page, expect
import pytest

from .harness import (
    CLIENT_ID,
    CLIENT_SECRET,
    PASSWORD,
    ROOT,
    USERNAME,
    HomeAssistant,
    Simulator,
    bootstrap,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

SALES = "0003*211"
RECEPTION = "0003*210"
LAST_CALL = "sensor.extension_0003_211_last_call"


def wait_for(predicate: Callable[[], Any], what: str, timeout: float = 20.0) -> Any:
    """Poll until predicate() is truthy; return its value."""
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)
    return value


def log_in(page: Page, ha: HomeAssistant) -> None:
    """Log in on Home Assistant's own login page."""
    page.goto(ha.url)
    expect(page.get_by_text("Welcome home!")).to_be_visible()
    page.get_by_label("Username").fill(USERNAME)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{ha.url}/lovelace/**")


def add_integration(
    page: Page, ha: HomeAssistant, sim: Simulator, screenshot: Callable[..., Any]
) -> None:
    """Add VoipNow: a wrong secret first (its error), then the right one."""
    page.goto(f"{ha.url}/config/integrations/dashboard")
    page.get_by_role("button", name="Add integration").click()
    page.get_by_label("Search for a brand name").fill("VoipNow")
    page.get_by_text("VoipNow", exact=True).click()

    expect(page.get_by_text("Connect to your VoipNow PBX")).to_be_visible()
    page.get_by_label("Server address").fill(sim.url)
    page.get_by_label("App ID").fill(CLIENT_ID)
    page.get_by_label("App secret").fill("not-the-secret")
    page.get_by_role("button", name="Submit").click()
    expect(
        page.get_by_text("VoipNow rejected the App ID or App secret")
    ).to_be_visible()
    screenshot(page, "config-flow-invalid-auth")

    # The form keeps the address and App ID; only the secret is typed again.
    expect(page.get_by_label("Server address")).to_have_value(sim.url)
    page.get_by_label("App secret").fill(CLIENT_SECRET)
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("Created configuration for 127.0.0.1")).to_be_visible()
    for extension in (RECEPTION, SALES):
        expect(page.get_by_text(f"Extension {extension}")).to_be_visible()
    screenshot(page, "config-flow-created")
    page.get_by_role("button", name="Finish").click()


def add_reception_target(page: Page, ha: HomeAssistant) -> None:
    """Add the transfer target Reception in the options."""
    page.goto(f"{ha.url}/config/integrations/integration/voipnow")
    expect(page.get_by_text("4 devices").first).to_be_visible()
    page.get_by_role("button", name="Configure").click()
    # The options open on a menu of subjects.
    expect(page.get_by_text("VoipNow options")).to_be_visible()
    page.get_by_text("Transfer targets").first.click()
    page.get_by_label("New target: name").fill("Reception")
    page.get_by_label("New target: number").fill(RECEPTION)
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("Options successfully saved")).to_be_visible()
    page.get_by_role("button", name="Finish").click()


def add_device_automation(
    page: Page, ha: HomeAssistant, screenshot: Callable[..., Any]
) -> None:
    """In the automation editor: when Sales rings, hang up (device trigger, action)."""
    device = f"Extension {SALES}"
    page.goto(f"{ha.url}/config/automation/edit/new")

    page.get_by_role("button", name="Add trigger").click()
    page.get_by_text("Device", exact=True).first.click()
    page.get_by_label("Device").last.fill(device)
    page.get_by_role("option", name=device).first.click()
    page.get_by_label("Trigger", exact=True).last.click()
    page.get_by_role("option", name="Incoming call", exact=True).click()

    page.get_by_role("button", name="Add action").click()
    page.get_by_text("Device", exact=True).last.click()
    page.get_by_label("Device").last.fill(device)
    page.get_by_role("option", name=device).first.click()
    page.get_by_label("Action", exact=True).last.click()
    page.get_by_role("option", name="Hang up the current call", exact=True).click()
    screenshot(page, "automation-editor-device-trigger")

    page.get_by_role("button", name="Save").last.click()
    page.get_by_label("Name").last.fill("Hang up on Sales")
    page.get_by_role("button", name="Save").last.click()
    page.wait_for_url("**/config/automation/edit/**")
    expect(page.get_by_text("Hang up on Sales").first).to_be_visible()
    # Saving reloads the automations: wait until this one is on.
    automation = "automation.hang_up_on_sales"
    assert not bootstrap.wait_for_entities(ha.url, ha.token, {automation}, 20)


def check_badges(section: Any) -> None:
    """A section's badges read naturally: "Missed calls · 0", never "0 calls"."""
    expect(section.get_by_text("Missed calls")).to_be_visible()
    text = section.locator("hui-heading-card").inner_text()
    assert not re.search(r"\b\d+ calls\b", text), text


def check_blueprints(page: Page, ha: HomeAssistant) -> None:
    """Settings -> Blueprints lists the project's blueprints, as the demo does."""
    names = [
        line.split(":", 1)[1].strip()
        for path in sorted(Path(ROOT, "blueprints/automation/voipnow").glob("*.yaml"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("  name:")
    ]
    assert names and len(names) == len(
        list(Path(ROOT, "blueprints/automation/voipnow").glob("*.yaml"))
    ), names
    page.goto(f"{ha.url}/config/blueprint/dashboard")
    for name in names:
        expect(page.get_by_text(name, exact=True)).to_be_visible()


def check_logbook(page: Page, ha: HomeAssistant, caller: str) -> None:
    """The logbook reads as a call log: one line per call event, no repeats.

    Sales' incoming call shows once for Sales and once for Reception, where it
    was transferred (the bus event's description), not a second time as the
    event entity's "detected an event"; neither the call state nor the last
    call (read from the call records after the call) adds a "changed to" line.
    """

    def last_call() -> Any:
        status, state = bootstrap.request(
            "GET", f"{ha.url}/api/states/{LAST_CALL}", token=ha.token
        )
        return status == 200 and state["state"] not in {"unknown", "unavailable"}

    wait_for(last_call, "the call records to show Sales' last call", timeout=60)
    incoming = page.get_by_text(f"Incoming call from {caller}")
    deadline = time.monotonic() + 30
    while True:  # what the recorder has not written yet appears on a reload
        page.goto(f"{ha.url}/logbook")
        page.wait_for_timeout(1500)
        if incoming.count() >= 2 or time.monotonic() > deadline:
            break
    expect(incoming).to_have_count(2)
    expect(
        page.get_by_text(f"Call with {caller} transferred to Reception")
    ).to_have_count(1)
    expect(page.get_by_text("detected an event")).to_have_count(0)
    expect(page.get_by_text("Last call", exact=False)).to_have_count(0)
    expect(page.get_by_text("Call state", exact=False)).to_have_count(0)


def test_add_the_pbx_and_transfer_a_ringing_call(
    page: Page,
    home_assistant: HomeAssistant,
    simulator: Simulator,
    screenshots: Callable[..., Any],
) -> None:
    """Log in, add the PBX, watch Sales ring, transfer the call to Reception."""
    ha, sim = home_assistant, simulator
    log_in(page, ha)
    add_integration(page, ha, sim, screenshots)
    add_reception_target(page, ha)
    # The dashboard also shows the voicemail buttons of the demo's second
    # target; that one is added as scripts/develop adds both.
    entry = bootstrap.voipnow_entries(ha.url, ha.token)[0]
    bootstrap.add_transfer_targets(
        ha.url, ha.token, entry["entry_id"], [bootstrap.DEFAULT_TARGETS[1]]
    )
    assert bootstrap.wait_for_entry(ha.url, ha.token, 30)["state"] == "loaded"

    # The device of the Sales extension: its call state and its buttons.
    page.goto(f"{ha.url}/config/integrations/integration/voipnow")
    page.get_by_text("4 devices").first.click()
    page.get_by_text(f"Extension {SALES}").click()
    page.wait_for_url("**/config/devices/device/**")
    expect(page.get_by_role("heading", name="Controls")).to_be_visible()
    # (exact: the device page's logbook names the entities too)
    expect(page.get_by_text("Call state", exact=True)).to_be_visible()
    expect(page.get_by_text("Idle").first).to_be_visible()
    expect(page.get_by_text("Transfer to Reception", exact=True)).to_be_visible()
    screenshots(page, "device")

    # The Overview (the demo's dashboard): one section per extension.
    page.goto(ha.url)

    def section(extension: str) -> Any:
        return page.locator("hui-grid-section").filter(
            has=page.get_by_text(extension, exact=True)
        )

    sales, reception = section(SALES), section(RECEPTION)
    expect(sales.get_by_text("Idle")).to_be_visible()
    expect(reception.get_by_text("Idle")).to_be_visible()
    assert not sim.call_actions()

    # A call for Sales: the dashboard shows it ringing, with the caller.
    call_id = sim.control(
        "calls/incoming",
        {"extension": SALES, "from_number": "5559876", "caller_name": "Jane Roe"},
    )["id"]
    expect(sales.get_by_text("Ringing")).to_be_visible()
    expect(sales.get_by_text("Jane Roe")).to_be_visible()
    check_badges(sales)
    screenshots(page, "dashboard-ringing")

    # Transfer it to Reception from the Sales section: the PBX receives
    # exactly one request, the transfer of that call to Reception.
    sales.locator("hui-tile-card").filter(has_text="Transfer to Reception").locator(
        "ha-tile-icon"
    ).click()
    wait_for(sim.call_actions, "the transfer request")
    time.sleep(1)  # a second request would have arrived by now
    actions = sim.call_actions()
    assert len(actions) == 1, actions
    transfer = actions[0]
    assert transfer["method"] == "PUT"
    assert transfer["path"].endswith(f"/{SALES}/{call_id}")
    assert transfer["json"]["action"] == "Transfer"
    assert transfer["json"]["sendCallTo"] == RECEPTION
    assert transfer["json"]["transferFromNumber"] == SALES

    # Reception rings now, and Sales is free again.
    expect(reception.get_by_text("Ringing")).to_be_visible()
    expect(sales.get_by_text("Idle")).to_be_visible()
    state = sim.control("state")
    assert [call["extension"] for call in state["calls"]] == [RECEPTION]
    screenshots(page, "dashboard-transferred")

    # An automation made in the editor, with no YAML: a call for Sales is hung
    # up by its device action as soon as its device trigger fires.
    add_device_automation(page, ha, screenshots)
    before = len(sim.call_actions())
    call_id = sim.control(
        "calls/incoming", {"extension": SALES, "from_number": "5550000"}
    )["id"]
    hang_up = wait_for(
        lambda: sim.call_actions()[before:], "the automation's hang-up request"
    )
    assert [(a["method"], a["path"].rsplit("/", 1)[-1]) for a in hang_up] == [
        ("DELETE", call_id)
    ]

    # The demo's other points: its blueprints are installed, and its logbook
    # reads as a call log.
    check_blueprints(page, ha)
    check_logbook(page, ha, "Jane Roe (5559876)")
    screenshots(page, "logbook")
