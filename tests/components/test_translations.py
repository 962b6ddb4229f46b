"""Every translation key the integration uses has a text in translations/en.json."""

from __future__ import annotations

import ast
from collections.abc import Iterator
import json
from pathlib import Path
from string import Formatter
from typing import Any

import pytest

from custom_components.voipnow import actions

PACKAGE = Path(__file__).parents[2] / "custom_components" / "voipnow"
STRINGS: dict[str, Any] = json.loads(
    (PACKAGE / "translations" / "en.json").read_text(encoding="utf-8")
)
# Platforms whose entity descriptions name their translation keys.
PLATFORMS = {"binary_sensor", "button", "event", "sensor"}


def _modules() -> Iterator[tuple[str, ast.Module]]:
    """Parse every module of the integration except the HA-free API client."""
    for path in sorted(PACKAGE.rglob("*.py")):
        if "api" in path.relative_to(PACKAGE).parts:
            continue
        yield path.stem, ast.parse(path.read_text(encoding="utf-8"))


def _strings(node: ast.expr) -> list[str]:
    """Return the literal strings an expression can be (`"a" if x else "b"`)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _strings(node.body) + _strings(node.orelse)
    return []


def _func_name(call: ast.Call) -> str:
    """Return the called function's last name (`ir.async_create_issue` -> ...)."""
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _placeholders(text: str) -> set[str]:
    """Return the `{names}` a translated text expects."""
    return {name for _, name, _, _ in Formatter().parse(text) if name}


def _translation_uses() -> list[tuple[str, str, str, set[str] | None]]:
    """Find every literal translation key: (section, module, key, placeholders)."""
    uses: list[tuple[str, str, str, set[str] | None]] = []
    for module, tree in _modules():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            keywords = {kw.arg: kw.value for kw in node.keywords if kw.arg}
            if "translation_key" not in keywords:
                continue
            # None: placeholders built at run time, not checked here.
            placeholders: set[str] | None = None
            given = keywords.get("translation_placeholders")
            if given is None:
                placeholders = set()
            elif isinstance(given, ast.Dict):
                placeholders = {
                    key.value
                    for key in given.keys
                    if isinstance(key, ast.Constant) and isinstance(key.value, str)
                }
            if _func_name(node).endswith("EntityDescription"):
                section = "entity"
            elif _func_name(node) == "async_create_issue":
                section = "issues"
            elif _func_name(node) == "DeviceInfo":
                section = "device"
            elif "translation_domain" in keywords:
                section = "exceptions"
            else:
                pytest.fail(f"{module}: translation_key in an unknown kind of call")
            uses.extend(
                (section, module, key, placeholders)
                for key in _strings(keywords["translation_key"])
            )
    return uses


USES = _translation_uses()


def test_uses_found() -> None:
    """The source scan finds the keys of every kind (a guard for the scan itself)."""
    assert {section for section, *_ in USES} >= {
        "device",
        "entity",
        "exceptions",
        "issues",
    }


@pytest.mark.parametrize(
    ("module", "key", "placeholders"),
    [
        (module, key, placeholders)
        for section, module, key, placeholders in USES
        if section == "exceptions"
    ],
)
def test_exception_translations(
    module: str, key: str, placeholders: set[str] | None
) -> None:
    """Every exception raised with a translation key has its message."""
    assert key in STRINGS["exceptions"], f"{module} raises {key}"
    if placeholders is not None:
        assert _placeholders(STRINGS["exceptions"][key]["message"]) == placeholders


@pytest.mark.parametrize("key", sorted(actions.API_FIELD_ERRORS))
def test_api_error_translations(key: str) -> None:
    """Every PBX error code that actions translate has its message."""
    assert _placeholders(STRINGS["exceptions"][key]["message"]) == {"field"}


@pytest.mark.parametrize(
    ("module", "key"),
    [(module, key) for section, module, key, _ in USES if section == "entity"],
)
def test_entity_translations(module: str, key: str) -> None:
    """Every entity description's translation key has a name on its platform."""
    assert module in PLATFORMS
    assert "name" in STRINGS["entity"][module][key]


@pytest.mark.parametrize(
    ("module", "key", "placeholders"),
    [
        (module, key, placeholders)
        for section, module, key, placeholders in USES
        if section == "device"
    ],
)
def test_device_translations(
    module: str, key: str, placeholders: set[str] | None
) -> None:
    """Every device name translation exists with the placeholders it is given."""
    assert key in STRINGS["device"], f"{module} names devices {key}"
    assert _placeholders(STRINGS["device"][key]["name"]) == placeholders


@pytest.mark.parametrize(
    ("module", "key", "placeholders"),
    [
        (module, key, placeholders)
        for section, module, key, placeholders in USES
        if section == "issues"
    ],
)
def test_issue_translations(
    module: str, key: str, placeholders: set[str] | None
) -> None:
    """Every repair issue has a title and a description with its placeholders."""
    issue = STRINGS["issues"][key]
    used = _placeholders(issue["title"]) | _placeholders(issue["description"])
    if placeholders is not None:
        assert used <= placeholders


def _config_flow_keys() -> dict[str, set[str]]:
    """Find the errors, abort reasons and steps the config flow can show."""
    tree = dict(_modules())["config_flow"]
    found: dict[str, set[str]] = {
        "config.error": set(),
        "config.abort": set(),
        "config.step": set(),
        "options.error": set(),
        "options.step": set(),
    }
    for cls in (node for node in tree.body if isinstance(node, ast.ClassDef)):
        bases = {base.id for base in cls.bases if isinstance(base, ast.Name)}
        if "ConfigFlow" in bases:
            section = "config"
        elif "OptionsFlow" in bases:
            section = "options"
        else:
            continue
        for node in ast.walk(cls):
            if isinstance(node, ast.Dict):
                # {"base": "invalid_auth"}, {CONF_URL: "cannot_connect"}
                for key, value in zip(node.keys, node.values, strict=True):
                    if (isinstance(key, ast.Name) and key.id.startswith("CONF_")) or (
                        isinstance(key, ast.Constant) and key.value == "base"
                    ):
                        found[f"{section}.error"].update(_strings(value))
            if isinstance(node, ast.Call):
                name = _func_name(node)
                for kw in node.keywords:
                    if kw.arg == "reason":
                        found[f"{section}.abort"].update(_strings(kw.value))
                    if kw.arg == "step_id":
                        found[f"{section}.step"].update(_strings(kw.value))
                if name == "_abort_if_unique_id_configured":
                    found[f"{section}.abort"].add("already_configured")
                if name == "async_update_reload_and_abort":
                    found[f"{section}.abort"].update(
                        {"reauth_successful", "reconfigure_successful"}
                    )
    # Option errors are raised by the helper that reads a new transfer target.
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and _func_name(node) == "_TargetError"
            and len(node.args) == 2
        ):
            found["options.error"].update(_strings(node.args[1]))
    return found


CONFIG_FLOW_KEYS = _config_flow_keys()


@pytest.mark.parametrize(
    ("where", "key"),
    sorted((where, key) for where, keys in CONFIG_FLOW_KEYS.items() for key in keys),
)
def test_config_flow_translations(where: str, key: str) -> None:
    """Every error, abort reason and step of the flows has its text."""
    section, kind = where.split(".")
    assert key in STRINGS[section][kind], f"{where}.{key}"


def test_config_flow_keys_found() -> None:
    """The scan finds the flow's known errors and aborts (a guard for the scan)."""
    assert {
        "invalid_auth",
        "cannot_connect",
        "ssl_error",
        "invalid_url",
        "unknown",
    } <= (CONFIG_FLOW_KEYS["config.error"])
    assert {"already_configured", "different_app"} <= CONFIG_FLOW_KEYS["config.abort"]
    assert {"user", "reauth_confirm", "reconfigure"} <= CONFIG_FLOW_KEYS["config.step"]
    assert CONFIG_FLOW_KEYS["options.step"] == {"init"}
