"""No circle of imports among the product's, the simulator's or the benchmarks' modules.

The graph is read from the source (the AST), so it holds every import: those
under `TYPE_CHECKING`, those inside functions and relative ones. A circle makes
the next change hard to place (which module comes first?) and usually hides a
module that knows too much; this test names each circle it finds.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
PACKAGES = ("custom_components/voipnow", "voipnow_simulator", "benchmarks")


def module_name(path: Path, root: Path) -> str:
    """Return the dotted name of a module file below `root`."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(
    tree: ast.Module, name: str, modules: Mapping[str, bool]
) -> Iterable[str]:
    """Yield every module of `modules` that a module imports.

    `from pkg import mod` imports the module `pkg.mod` when there is one, and
    the package `pkg` (for one of its attributes) otherwise.
    """
    package = name if modules[name] else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                yield submodule if submodule in modules else base


def import_graph(sources: Mapping[str, str]) -> dict[str, set[str]]:
    """Return, for each module (by dotted name), the known modules it imports.

    `sources` maps a module's dotted name to its source; a package's name is
    that of its `__init__.py`, marked by a trailing dot in the key.
    """
    modules = {key.rstrip("."): key.endswith(".") for key in sources}
    graph: dict[str, set[str]] = {}
    for key, source in sources.items():
        name = key.rstrip(".")
        tree = ast.parse(source)
        graph[name] = {
            target
            for target in imported_modules(tree, name, modules)
            if target in modules and target != name
        }
    return graph


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """Return the strongly connected components of more than one module, sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def repository_sources() -> dict[str, str]:
    """Return the source of every module of the product, simulator and benchmarks."""
    sources: dict[str, str] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            key = module_name(path, ROOT).replace("/", ".")
            if path.name == "__init__.py":
                key += "."
            sources[key] = path.read_text(encoding="utf-8")
    return sources


def test_no_import_circle() -> None:
    """No module imports, even indirectly, a module that imports it."""
    found = cycles(import_graph(repository_sources()))
    assert not found, "import circles:\n" + "\n".join(
        " <-> ".join(component) for component in found
    )


@pytest.mark.parametrize(
    ("sources", "expected"),
    [
        # A plain circle through a TYPE_CHECKING import, and relative imports.
        (
            {
                "pkg.": "",
                "pkg.a": "from .b import B\n",
                "pkg.b": (
                    "from typing import TYPE_CHECKING\n"
                    "if TYPE_CHECKING:\n    from .a import A\n"
                ),
            },
            [["pkg.a", "pkg.b"]],
        ),
        # `from . import c` names a module; an import inside a function counts.
        (
            {
                "pkg.": "",
                "pkg.a": "from . import c\n",
                "pkg.c": "def f():\n    from pkg.a import x\n",
            },
            [["pkg.a", "pkg.c"]],
        ),
        # Two dots climb out of a subpackage; a package's __init__ is a node.
        (
            {
                "pkg.": "",
                "pkg.sub.": "from .d import D\n",
                "pkg.sub.d": "from ..e import E\n",
                "pkg.e": "import pkg.sub\n",
            },
            [["pkg.e", "pkg.sub", "pkg.sub.d"]],
        ),
        # One direction only: no circle.
        (
            {"pkg.": "", "pkg.a": "from .b import B\n", "pkg.b": "import os\n"},
            [],
        ),
    ],
)
def test_the_graph_sees_each_kind_of_import(
    sources: dict[str, str], expected: list[list[str]]
) -> None:
    """Each way of importing a module is an edge of the graph."""
    assert cycles(import_graph(sources)) == expected
