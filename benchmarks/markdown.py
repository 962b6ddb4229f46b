"""Write docs/benchmarks.md: this line's section, the method, the notes.

The method (what each figure measures, against which baseline) is
`benchmarks/method.md`, written at the top of the document. Each Python and
Home Assistant line has a section between `bench:` markers, replaced by that
line's next full run; the hand-written notes after `bench:notes` are kept.
"""

from __future__ import annotations

from pathlib import Path
import re

from .figures import FIGURES
from .figures_scale import poll_table
from .measure import MOST_EXTENSIONS
from .verdicts import NOISE_MARGIN, Results, Verdict, evaluate

METHOD = Path(__file__).with_name("method.md")
NOTES_MARKER = "<!-- bench:notes -->"
DEFAULT_NOTES = f"""{NOTES_MARKER}
## Notes

(Hand-written; kept by `scripts/bench`.)
"""


def _row(cells: tuple[str, ...]) -> str:
    """Render one table row."""
    return "| " + " | ".join(cells) + " |"


def render_section(
    env: dict[str, str], results: Results, *, quick: bool
) -> tuple[str, Verdict]:
    """Render one line's section; return it and the run's verdict."""
    verdict = evaluate(FIGURES, results, quick=quick, most_extensions=MOST_EXTENSIONS)
    run = f"quick run (fails beyond a target x {NOISE_MARGIN})" if quick else "full run"
    lines = [
        f"## {env['line']}",
        "",
        f"- Commit: {env['commit']}; Home Assistant {env['homeassistant']}; {run}",
        f"- Machine: {env['cpu']}, {env['cores']} cores ({env['os']})",
        (
            f"- Python {env['python']}, Home Assistant {env['homeassistant']}, "
            f"aiohttp {env['aiohttp']}"
        ),
        f"- Date: {env['date']}",
        "",
        "| Measure | Result | Baseline | Figure | Target | |",
        "| --- | --- | --- | --- | --- | --- |",
        *map(_row, verdict.rows),
    ]
    if "poll_cost" in results:
        lines += ["", *poll_table(results)]
    missed = "; ".join(verdict.missed) if verdict.missed else "none"
    lines += ["", f"Targets missed: {missed}."]
    return "\n".join(lines), verdict


def _sections(text: str) -> dict[str, str]:
    """Return the generated sections of a document, by key."""
    return {
        match.group(1): match.group(0)
        for match in re.finditer(
            r"<!-- bench:section (\S+) -->\n.*?<!-- bench:end \1 -->", text, re.DOTALL
        )
    }


def update_document(path: Path, env: dict[str, str], body: str) -> None:
    """Replace this line's section of the document; keep the rest."""
    text = path.read_text() if path.exists() else ""
    sections = _sections(text)
    notes = text[text.index(NOTES_MARKER) :] if NOTES_MARKER in text else DEFAULT_NOTES
    key = env["key"]
    sections[key] = f"<!-- bench:section {key} -->\n{body}\n<!-- bench:end {key} -->"
    header = METHOD.read_text().rstrip()
    document = "\n\n".join([header, *sections.values(), notes.rstrip()])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document + "\n")
