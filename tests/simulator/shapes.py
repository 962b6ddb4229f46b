"""Compare the shape of the simulator's JSON with the documentation's examples."""

from __future__ import annotations

from collections.abc import Mapping
import json
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "uapi"


def load_example(name: str) -> Any:
    """Return a documented example (``tests/fixtures/uapi/NAME.json``), else skip."""
    path = FIXTURES / f"{name}.json"
    if not path.is_file():
        pytest.skip(f"documentation example {path.name} is not there yet")
    return json.loads(path.read_text(encoding="utf-8"))


def json_type(value: Any) -> str:
    """Name the JSON type of a decoded value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def shape_differences(
    example: Any,
    actual: Any,
    *,
    aliases: Mapping[str, str] | None = None,
    loose: frozenset[str] = frozenset(),
    extras: Mapping[str, str] | None = None,
    absent: Mapping[str, str] | None = None,
    path: str = "$",
) -> list[str]:
    """List where ``actual`` does not have the shape of ``example``.

    Every key of the example must be in ``actual`` with the same JSON type,
    in objects and in the first item of lists. ``actual`` may have no key the
    example lacks. The exceptions are declared by the caller, each with the
    documentation's reason: ``aliases`` (example key -> the simulator's
    spelling), ``loose`` (keys sent as a number or a numeric string),
    ``extras`` (keys the simulator may add) and ``absent`` (example keys the
    simulator may lack, since its resource is in another state).
    """
    aliases = aliases or {}
    extras = extras or {}
    absent = absent or {}
    kind, want = json_type(actual), json_type(example)
    key = path.rpartition(".")[2]
    if kind != want:
        numeric = {kind, want} == {"number", "string"} and key in loose
        return [] if numeric else [f"{path}: {kind}, documented {want}"]
    if isinstance(example, list):
        if not example:
            return []
        if not actual:
            return [f"{path}: empty, documented with items"]
        return shape_differences(
            example[0],
            actual[0],
            aliases=aliases,
            loose=loose,
            extras=extras,
            absent=absent,
            path=f"{path}[0]",
        )
    if not isinstance(example, dict):
        return []
    found: list[str] = []
    expected = {aliases.get(name, name): name for name in example}
    for name, documented in expected.items():
        if name not in actual:
            if documented not in absent:
                found.append(f"{path}.{documented}: missing")
            continue
        found += shape_differences(
            example[documented],
            actual[name],
            aliases=aliases,
            loose=loose,
            extras=extras,
            absent=absent,
            path=f"{path}.{name}",
        )
    found += [
        f"{path}.{name}: not in the documented example"
        for name in actual
        if name not in expected and name not in extras
    ]
    return found
