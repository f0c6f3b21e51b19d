"""Which tests cover each line of the mutated modules, measured once per change of the code.

The whole suite runs once under coverage with one context per test; the map is kept in
``.mutation/`` and reused while no Python file of the project changes.
"""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from coverage import CoverageData

CACHE = Path(".mutation")
_APPS = ("proj", "accounts", "sites", "visits")


class TestMap:
    """The tests covering each line of each measured file, and each test's duration."""

    def __init__(self, lines: dict[str, dict[int, set[str]]], durations: dict[str, float]):
        self.lines = lines
        self.durations = durations

    def tests_for(self, path: str, lines: set[int]) -> set[str]:
        """Return the tests that ran any of these lines of the file."""
        covered = self.lines.get(path, {})
        return set().union(*(covered.get(line, set()) for line in lines))

    def tests_of_file(self, path: str) -> set[str]:
        """Return the tests that ran any line of the file."""
        return set().union(*self.lines.get(path, {}).values())


def _fingerprint(paths: list[str]) -> str:
    digest = hashlib.sha256()
    for app in _APPS:
        for file in sorted(Path(app).rglob("*.py")):
            digest.update(str(file).encode())
            digest.update(file.read_bytes())
    digest.update("\n".join(sorted(paths)).encode())
    return digest.hexdigest()[:16]


def load(paths: list[str], *, python: str = sys.executable) -> TestMap:
    """Return the map of these files, measuring it first when the code changed."""
    CACHE.mkdir(exist_ok=True)
    key = _fingerprint(paths)
    data_file = CACHE / f"map-{key}.coverage"
    durations_file = CACHE / f"durations-{key}.json"
    if not (data_file.exists() and durations_file.exists()):
        _measure(paths, data_file, durations_file, python)
    data = CoverageData(basename=str(data_file))
    data.read()
    root = Path.cwd()
    lines: dict[str, dict[int, set[str]]] = {}
    for measured in data.measured_files():
        relative = str(Path(measured).relative_to(root))
        by_line = data.contexts_by_lineno(measured)
        lines[relative] = {line: {c for c in contexts if c} for line, contexts in by_line.items()}
    return TestMap(lines, json.loads(durations_file.read_text()))


def _measure(paths: list[str], data_file: Path, durations_file: Path, python: str) -> None:
    rcfile = CACHE / "coveragerc"
    include = "".join(f"\n    {path}" for path in paths)
    rcfile.write_text(f"[run]\nbranch = false\ninclude ={include}\n")
    print(f"mutation: mapping tests to lines (one run of the whole suite) into {data_file}")
    partial = data_file.with_suffix(".partial")
    subprocess.run(
        [
            python,
            "-m",
            "coverage",
            "run",
            f"--rcfile={rcfile}",
            f"--data-file={partial}",
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "scripts.mutation.contexts",
            "--reuse-db",
        ],
        check=False,  # the runner checks each module's tests pass unmutated
        env={**os.environ, "MUTATION_DURATIONS": str(durations_file)},
    )
    partial.rename(data_file)
