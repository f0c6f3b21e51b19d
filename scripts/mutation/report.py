"""``python -m scripts.mutation.report``: print .mutation/results.json as docs/mutation.md tables.

Prints the scores table (with floors: the score rounded down) and the surviving mutants to
kill, by module, for pasting into docs/mutation.md after a run. Mutants listed as equivalent
in docs/mutation.md since the run are left out of the scores as the runner would.
"""

import json
import math
import sys
from pathlib import Path

from scripts.mutation import config
from scripts.mutation.runner import equivalent_ids

RESULTS = Path(".mutation") / "results.json"
_SURVIVING = ("survived", "uncovered", "error")


def with_equivalents(results: dict, equivalent: set[str]) -> dict:
    """Return the results with these mutants counted as equivalent, scores recomputed."""
    updated = {}
    for path, result in results.items():
        mutants = [
            {**mutant, "outcome": "equivalent"} if mutant["id"] in equivalent else mutant
            for mutant in result["mutants"]
        ]
        killed = sum(1 for mutant in mutants if mutant["outcome"] in ("killed", "timeout"))
        total = sum(1 for mutant in mutants if mutant["outcome"] != "equivalent")
        percent = round(100.0 * killed / total, 1) if total else 100.0
        updated[path] = {
            **result,
            "mutants": mutants,
            "killed": killed,
            "total": total,
            "percent": percent,
        }
    return updated


def scores_table(results: dict) -> str:
    """Return the scores as a Markdown table, one row per module."""
    rows = [
        "| Module | Killed / total | Score | Floor | Equivalent | Time |",
        "|---|---|---|---|---|---|",
    ]
    for path, result in results.items():
        equivalent = sum(1 for mutant in result["mutants"] if mutant["outcome"] == "equivalent")
        rows.append(
            f"| `{path}` | {result['killed']} / {result['total']} | {result['percent']:.1f}% "
            f"| {math.floor(result['percent'])}% | {equivalent} "
            f"| {round(result['seconds'] / result.get('jobs', 2))} s |"
        )
    return "\n".join(rows)


def survivors(results: dict) -> str:
    """Return the surviving mutants, by module, as Markdown lists."""
    sections = []
    for path, result in results.items():
        found = sorted(
            (mutant for mutant in result["mutants"] if mutant["outcome"] in _SURVIVING),
            key=lambda mutant: (mutant["line"], mutant["id"]),
        )
        if not found:
            continue
        lines = [f"### `{path}` ({len(found)})", ""]
        for mutant in found:
            scope_and_change = mutant["id"].removeprefix(f"{path}:")
            note = "" if mutant["outcome"] == "survived" else f" ({mutant['outcome']})"
            lines.append(f"- `{path}:{mutant['line']}` {scope_and_change}{note}")
        sections.append("\n".join(lines))
    return "\n\n".join(sections)


def main() -> int:
    """Print both parts for the results of the last runs."""
    results = with_equivalents(
        json.loads(RESULTS.read_text()), equivalent_ids(Path(config.EQUIVALENTS_DOC))
    )
    print(scores_table(results))
    print()
    print(survivors(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
