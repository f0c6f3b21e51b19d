"""``python -m scripts.mutation [MODULE ...]``: score the domain modules by mutation testing.

Prints, per module, the killed mutants over those that change behaviour, the time its mutants
took, its floor, and each surviving mutant (file:line, id); exits 1 when a module is below its
floor. Needs DATABASE_URL like the tests; see docs/mutation.md.
"""

import argparse
import json
import sys
import time
from pathlib import Path

from scripts.mutation import config, runner
from scripts.mutation.runner import Outcome


def main(argv: list[str]) -> int:
    """Run the mutants of the named modules (all by default) and print their scores."""
    parser = argparse.ArgumentParser(prog="python -m scripts.mutation", description=__doc__)
    parser.add_argument("modules", nargs="*", help="module paths, e.g. sites/domains.py")
    parser.add_argument("--jobs", type=int, default=2, help="mutants run at once (default 2)")
    parser.add_argument("--show", metavar="ID", help="run one mutant, showing its change and tests")
    arguments = parser.parse_args(argv)
    if arguments.show:
        print(f"mutation: {runner.show(arguments.show)}")
        return 0
    modules = arguments.modules or config.MODULES
    unknown = [path for path in modules if path not in config.FLOORS]
    if unknown:
        parser.error(f"not under mutation testing: {', '.join(unknown)} (see config.py)")
    started = time.monotonic()

    def report(score: runner.Score) -> None:
        print(
            f"mutation: {score.path} done at +{time.monotonic() - started:.0f}s:"
            f" {score.killed}/{score.relevant} killed ({score.percent:.1f}%)",
            flush=True,
        )
        _save([score], arguments.jobs)

    scores = runner.run(
        modules,
        jobs=arguments.jobs,
        equivalents_doc=Path(config.EQUIVALENTS_DOC),
        on_module_done=report,
    )
    below = []
    print()
    print(f"{'module':34} {'killed/total':>13} {'score':>7} {'floor':>6} {'equiv':>6} {'time':>7}")
    for score in scores:
        floor = config.FLOORS[score.path]
        mark = "" if score.percent >= floor else "  BELOW FLOOR"
        if mark:
            below.append(score.path)
        print(
            f"{score.path:34} {f'{score.killed}/{score.relevant}':>13} {score.percent:6.1f}%"
            f" {floor:5.0f}% {score.count(Outcome.EQUIVALENT):6d}"
            f" {score.seconds / arguments.jobs:6.0f}s{mark}"
        )
    print(f"total time {time.monotonic() - started:.0f}s")
    for score in scores:
        survivors = [
            (outcome, mutant)
            for outcome in (Outcome.SURVIVED, Outcome.UNCOVERED, Outcome.ERROR)
            for mutant in score.outcomes.get(outcome, [])
        ]
        if survivors:
            print(f"\n{score.path}: {len(survivors)} surviving mutant(s)")
        for outcome, mutant in sorted(survivors, key=lambda item: item[1].line):
            print(f"  {mutant.path}:{mutant.line} [{outcome}] {mutant.id}")
    return 1 if below else 0


def _save(scores: list[runner.Score], jobs: int) -> None:
    """Keep the outcomes in .mutation/results.json, for docs/mutation.md."""
    target = Path(".mutation") / "results.json"
    saved = json.loads(target.read_text()) if target.exists() else {}
    for score in scores:
        saved[score.path] = {
            "killed": score.killed,
            "total": score.relevant,
            "percent": round(score.percent, 1),
            "seconds": round(score.seconds),  # summed over the mutants run side by side
            "jobs": jobs,
            "measured": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "mutants": [
                {
                    "line": mutant.line,
                    "id": mutant.id,
                    "outcome": outcome,
                    "killed_by": score.killers.get(mutant.id, ""),
                }
                for outcome, mutants in score.outcomes.items()
                for mutant in mutants
            ],
        }
    target.write_text(json.dumps(saved, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
