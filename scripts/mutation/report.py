"""``python -m scripts.mutation.report``: print .mutation/results.json as docs/mutation.md tables.

Prints the scores table (with floors: the score rounded down) and the surviving mutants to
kill, by module, for pasting into docs/mutation.md after a run.
"""

import json
import math
import sys
from pathlib import Path

RESULTS = Path(".mutation") / "results.json"
_SURVIVING = ("survived", "uncovered", "error")


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
            f"| {math.floor(result['percent'])}% | {equivalent} | {result['seconds']} s |"
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
    results = json.loads(RESULTS.read_text())
    print(scores_table(results))
    print()
    print(survivors(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
