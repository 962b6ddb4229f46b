"""Bring the development Home Assistant of scripts/develop to a ready demo.

No clicking: everything goes through Home Assistant's own HTTP APIs, the same
ones its frontend uses, so it keeps working when the storage formats change.

    demo_bootstrap.py prepare CONFIG_DIR
        Before the first start: mark every onboarding step but the user as
        done.  Home Assistant then asks only for the owner account, and does
        not set up the integrations its "core config" step brings (weather,
        radio, text-to-speech), which need the internet and packages the
        development environment does not have.

    demo_bootstrap.py configure --ha URL --pbx URL ...
        With Home Assistant running: create the demo owner if there is none
        yet (onboarding), log in, add the VoipNow integration for the PBX
        through its config flow, add the transfer targets through its options
        flow, wait until the entities the dashboard shows exist, and expose
        the extensions' call states to Assist (voice reaches only exposed
        extensions).  Every step is skipped when already done, so a second
        run takes a moment.

The standard library does all but the websocket call that exposes entities
(aiohttp, which Home Assistant itself needs).  The browser test reuses
`prepare_config` and `create_owner`.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from http import HTTPStatus
import json
import os
from pathlib import Path
import re
import sys
import time
from typing import Any
import urllib.error
import urllib.parse
import urllib.request

DOMAIN = "voipnow"
ONBOARDING_STORE = {
    "version": 4,
    "minor_version": 1,
    "key": "onboarding",
    "data": {"done": ["core_config", "analytics", "integration"]},
}
DEMO_QUEUE = {"name": "Sales", "number": "0003*300"}
DEFAULT_TARGETS = (
    {"name": "Reception", "number": "0003*210", "voicemail": False},
    {"name": "Support", "number": "0003*212", "voicemail": True},
)
ENTITY_ID = re.compile(r"\bentity(?:_id)?:\s*([a-z_]+\.[a-z0-9_]+)\b")


class BootstrapError(Exception):
    """A step failed; the message says which and why."""


def say(text: str) -> None:
    """Print one progress line."""
    print(f"bootstrap: {text}", flush=True)


# --------------------------------------------------------------- before start
def prepare_config(config_dir: Path) -> bool:
    """Leave only the owner account to onboarding; True when the store was written.

    Nothing is written into a configuration directory that has already been
    used (an auth store exists): its onboarding state is its own.
    """
    storage = config_dir / ".storage"
    onboarding = storage / "onboarding"
    if onboarding.exists() or (storage / "auth").exists():
        return False
    storage.mkdir(parents=True, exist_ok=True)
    onboarding.write_text(json.dumps(ONBOARDING_STORE, indent=2), encoding="utf-8")
    return True


# ------------------------------------------------------------------ HTTP
def request(
    method: str,
    url: str,
    *,
    token: str | None = None,
    json_body: Any = None,
    form: dict[str, str] | None = None,
    timeout: float = 30.0,
) -> tuple[int, Any]:
    """Send one request; return the status and the decoded JSON (or text)."""
    headers = {}
    data = None
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if json_body is not None:
        data = json.dumps(json_body).encode()
        headers["Content-Type"] = "application/json"
    elif form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    req = urllib.request.Request(url, data=data, headers=headers, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310
            status, body = resp.status, resp.read()
    except urllib.error.HTTPError as err:
        status, body = err.code, err.read()
    text = body.decode("utf-8", "replace")
    try:
        return status, json.loads(text) if text else None
    except json.JSONDecodeError:
        return status, text


def expect(
    status: int, body: Any, what: str, ok: Iterable[int] = (HTTPStatus.OK,)
) -> Any:
    """Return the body of a successful answer, else raise with the details."""
    if status not in set(ok):
        raise BootstrapError(f"{what} failed: HTTP {status}: {body}")
    return body


def wait_until_up(ha: str, timeout: float, pid: int | None = None) -> None:
    """Wait until Home Assistant answers HTTP; give up early if its process ended."""
    deadline = time.monotonic() + timeout
    while True:
        if pid is not None and not _running(pid):
            raise BootstrapError("Home Assistant exited while starting")
        try:
            status, _ = request("GET", f"{ha}/manifest.json", timeout=5)
            if status == HTTPStatus.OK:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise BootstrapError(
                f"Home Assistant did not answer on {ha} in {timeout:.0f} s"
            )
        time.sleep(0.3)


def _running(pid: int) -> bool:
    """True while the process exists (and is not a zombie of ours)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    # On Linux a process that exited but was not reaped yet is a zombie ("Z").
    return not (stat.exists() and stat.read_text().split(") ")[-1].startswith("Z"))


# --------------------------------------------------------------- accounts
def _client_id(ha: str) -> str:
    """The OAuth client id of this script: Home Assistant's own URL, as the UI's."""
    return f"{ha}/"


def _token_from_code(ha: str, code: str) -> str:
    """Exchange an authorization code for an access token."""
    status, body = request(
        "POST",
        f"{ha}/auth/token",
        form={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": _client_id(ha),
        },
    )
    return str(expect(status, body, "token request")["access_token"])


def owner_needed(ha: str) -> bool:
    """True while onboarding still waits for the owner account."""
    status, body = request("GET", f"{ha}/api/onboarding")
    if status == HTTPStatus.NOT_FOUND:  # onboarding finished long ago
        return False
    steps = expect(status, body, "reading the onboarding state")
    return any(step["step"] == "user" and not step["done"] for step in steps)


def create_owner(ha: str, name: str, username: str, password: str) -> str:
    """Create the owner account through onboarding; return an access token."""
    status, body = request(
        "POST",
        f"{ha}/api/onboarding/users",
        json_body={
            "client_id": _client_id(ha),
            "name": name,
            "username": username,
            "password": password,
            "language": "en",
        },
    )
    return _token_from_code(ha, expect(status, body, "creating the owner")["auth_code"])


def log_in(ha: str, username: str, password: str) -> str:
    """Log in with a username and password; return an access token."""
    status, body = request(
        "POST",
        f"{ha}/auth/login_flow",
        json_body={
            "client_id": _client_id(ha),
            "handler": ["homeassistant", None],
            "redirect_uri": _client_id(ha),
        },
    )
    flow = expect(status, body, "starting the login")
    status, body = request(
        "POST",
        f"{ha}/auth/login_flow/{flow['flow_id']}",
        json_body={
            "client_id": _client_id(ha),
            "username": username,
            "password": password,
        },
    )
    result = expect(status, body, "logging in")
    if result.get("type") != "create_entry":
        raise BootstrapError(
            f"logging in as {username!r} failed: {result.get('errors') or result}; "
            "this configuration has another owner: scripts/develop --reset starts afresh"
        )
    return _token_from_code(ha, result["result"])


# ------------------------------------------------------------ integration
def voipnow_entries(ha: str, token: str) -> list[dict[str, Any]]:
    """Return the VoipNow config entries."""
    status, body = request(
        "GET", f"{ha}/api/config/config_entries/entry?domain={DOMAIN}", token=token
    )
    return list(expect(status, body, "listing the config entries"))


def add_integration(
    ha: str, token: str, pbx: str, client_id: str, client_secret: str
) -> dict[str, Any]:
    """Add the integration through its config flow; return the created entry."""
    status, body = request(
        "POST",
        f"{ha}/api/config/config_entries/flow",
        token=token,
        json_body={"handler": DOMAIN, "show_advanced_options": False},
    )
    flow = expect(status, body, "starting the VoipNow config flow")
    status, body = request(
        "POST",
        f"{ha}/api/config/config_entries/flow/{flow['flow_id']}",
        token=token,
        json_body={
            "url": pbx,
            "client_id": client_id,
            "client_secret": client_secret,
            "verify_ssl": False,
        },
    )
    result = expect(status, body, "the VoipNow config flow")
    if result.get("type") != "create_entry":
        raise BootstrapError(
            f"the VoipNow config flow did not create an entry: {result}"
        )
    return dict(result["result"])


def add_transfer_targets(
    ha: str, token: str, entry_id: str, targets: Iterable[dict[str, Any]]
) -> None:
    """Add each target through the options flow (it takes one per visit)."""
    for target in targets:
        status, body = request(
            "POST",
            f"{ha}/api/config/config_entries/options/flow",
            token=token,
            json_body={"handler": entry_id},
        )
        flow = expect(status, body, "starting the VoipNow options flow")
        # The options open on a menu: pick the transfer targets.
        status, body = request(
            "POST",
            f"{ha}/api/config/config_entries/options/flow/{flow['flow_id']}",
            token=token,
            json_body={"next_step_id": "transfer_targets"},
        )
        expect(status, body, "opening the transfer targets")
        status, body = request(
            "POST",
            f"{ha}/api/config/config_entries/options/flow/{flow['flow_id']}",
            token=token,
            json_body={
                "new_target_name": target["name"],
                "new_target_number": target["number"],
                "new_target_voicemail": target["voicemail"],
            },
        )
        result = expect(status, body, f"adding the transfer target {target['name']}")
        if result.get("type") != "create_entry":
            raise BootstrapError(f"adding the target {target['name']} failed: {result}")


def expose_to_assist(ha: str, token: str, entity_ids: Iterable[str]) -> None:
    """Expose entities to Assist through Home Assistant's websocket API."""
    import asyncio

    import aiohttp

    async def expose() -> None:
        url = ha.replace("http", "ws", 1) + "/api/websocket"
        async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
            await ws.receive_json()  # auth_required
            await ws.send_json({"type": "auth", "access_token": token})
            if (await ws.receive_json()).get("type") != "auth_ok":
                raise BootstrapError("the websocket API refused the token")
            await ws.send_json(
                {
                    "id": 1,
                    "type": "homeassistant/expose_entity",
                    "assistants": ["conversation"],
                    "entity_ids": sorted(entity_ids),
                    "should_expose": True,
                }
            )
            answer = await ws.receive_json()
            if not answer.get("success"):
                raise BootstrapError(f"exposing the call states failed: {answer}")

    asyncio.run(expose())


def add_queue(ha: str, token: str, entry_id: str, queue: dict[str, str]) -> None:
    """Name the demo PBX's call queue in the options (checked with the PBX)."""
    status, body = request(
        "POST",
        f"{ha}/api/config/config_entries/options/flow",
        token=token,
        json_body={"handler": entry_id},
    )
    flow = expect(status, body, "starting the VoipNow options flow")
    url = f"{ha}/api/config/config_entries/options/flow/{flow['flow_id']}"
    status, body = request(
        "POST", url, token=token, json_body={"next_step_id": "queues"}
    )
    expect(status, body, "opening the call queues")
    status, body = request(
        "POST",
        url,
        token=token,
        json_body={
            "new_queue_name": queue["name"],
            "new_queue_number": queue["number"],
        },
    )
    result = expect(status, body, f"adding the call queue {queue['name']}")
    if result.get("type") != "create_entry":
        raise BootstrapError(f"adding the queue {queue['name']} failed: {result}")


def wait_for_entry(ha: str, token: str, timeout: float) -> dict[str, Any]:
    """Wait until the VoipNow entry has finished setting up; return it."""
    deadline = time.monotonic() + timeout
    while True:
        entry = voipnow_entries(ha, token)[0]
        if entry["state"] not in {
            "not_loaded",
            "setup_in_progress",
            "unload_in_progress",
        }:
            return entry
        if time.monotonic() > deadline:
            return entry
        time.sleep(0.3)


def wait_for_entities(
    ha: str, token: str, entity_ids: set[str], timeout: float
) -> set[str]:
    """Wait until the entities exist; return those still missing at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        status, body = request("GET", f"{ha}/api/states", token=token)
        present = {
            state["entity_id"] for state in expect(status, body, "reading states")
        }
        missing = entity_ids - present
        if not missing or time.monotonic() > deadline:
            return missing
        time.sleep(0.5)


def dashboard_entities(dashboard: Path) -> set[str]:
    """The entity ids a YAML dashboard refers to."""
    if not dashboard.exists():
        return set()
    return set(ENTITY_ID.findall(dashboard.read_text(encoding="utf-8")))


def configure(args: argparse.Namespace) -> None:
    """Make sure the owner, the VoipNow entry and its targets exist."""
    ha = args.ha.rstrip("/")
    wait_until_up(ha, args.timeout, args.hass_pid)
    if owner_needed(ha):
        say(f"creating the owner account {args.username!r}")
        token = create_owner(ha, args.name, args.username, args.password)
    else:
        token = log_in(ha, args.username, args.password)
    if not voipnow_entries(ha, token):
        say(f"adding the VoipNow integration for {args.pbx}")
        entry = add_integration(ha, token, args.pbx, args.client_id, args.client_secret)
        say(
            f"adding the transfer targets {', '.join(t['name'] for t in DEFAULT_TARGETS)}"
        )
        add_transfer_targets(ha, token, entry["entry_id"], DEFAULT_TARGETS)
        wait_for_entry(ha, token, args.timeout)
        say(f"adding the call queue {DEMO_QUEUE['name']}")
        add_queue(ha, token, entry["entry_id"], DEMO_QUEUE)
    # The entry is set up while Home Assistant starts, and reloaded after each
    # change of its options: wait until that is over.
    entry = wait_for_entry(ha, token, args.timeout)
    if entry["state"] != "loaded":
        raise BootstrapError(
            f"the VoipNow entry {entry['title']!r} is {entry['state']}: "
            f"{entry.get('reason') or 'see config/home-assistant.log'}"
        )
    wanted = dashboard_entities(Path(args.dashboard)) if args.dashboard else set()
    if missing := wait_for_entities(ha, token, wanted, args.timeout):
        say(
            f"WARNING: the dashboard shows entities that do not exist: "
            f"{', '.join(sorted(missing))}"
        )
    call_states = {
        entity_id
        for entity_id in wanted
        if entity_id.startswith("sensor.") and entity_id.endswith("_call_state")
    }
    if call_states:
        expose_to_assist(ha, token, call_states)
    say(f"VoipNow entry {entry['title']!r} loaded")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    prepare = sub.add_parser("prepare", help="before the first start")
    prepare.add_argument("config_dir", type=Path)
    conf = sub.add_parser("configure", help="with Home Assistant running")
    conf.add_argument("--ha", default="http://127.0.0.1:8123")
    conf.add_argument("--pbx", default="http://127.0.0.1:8765")
    conf.add_argument("--hass-pid", type=int, help="stop waiting if it exits")
    conf.add_argument("--client-id", default="demo-app")
    conf.add_argument("--client-secret", default="demo-secret")
    conf.add_argument("--name", default="Demo")
    conf.add_argument("--username", default="demo")
    conf.add_argument("--password", default="demo")
    conf.add_argument("--dashboard", help="YAML dashboard whose entities to wait for")
    conf.add_argument("--timeout", type=float, default=120.0)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    args = parse_args(argv)
    try:
        if args.command == "prepare":
            if prepare_config(args.config_dir):
                say(f"prepared onboarding in {args.config_dir}/.storage")
        else:
            configure(args)
    except BootstrapError as err:
        say(f"error: {err}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
