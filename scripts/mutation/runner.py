"""Run each mutant against the tests that cover its line, two at a time, and score modules.

The parent loads Django and the modules once; each worker process owns a test database
(created once, kept between runs) and forks a child per mutant. The child swaps the mutant
into the loaded module and runs pytest in-process on the covering tests, stopping at the
first failure; a child that outlives its timeout is killed and its mutant counts as killed.
"""

import ast
import contextlib
import dataclasses
import difflib
import enum
import functools
import gc
import importlib
import importlib.metadata
import inspect
import io
import multiprocessing
import os
import pkgutil
import re
import signal
import sys
import time
import tomllib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from scripts.mutation import mapping, operators, patch
from scripts.mutation.operators import Mutant

PATCH_FAILED = 99
_KILLERS = 20
# A table row whose first cell is a mutant id in a double-backtick code span: | `` id `` | why |
_EQUIVALENT_ROW = re.compile(r"^\|\s*`` (.+?) ``\s*\|")


class Outcome(enum.StrEnum):
    """What became of a mutant."""

    KILLED = "killed"
    TIMEOUT = "timeout"
    SURVIVED = "survived"
    UNCOVERED = "uncovered"
    EQUIVALENT = "equivalent"
    ERROR = "error"


@dataclass
class Job:
    """A mutant and the tests to run against it."""

    mutant: Mutant
    tests: list[str]
    timeout: float


@dataclass
class Score:
    """A module's outcomes and how long its mutants took."""

    path: str
    outcomes: dict[str, list[Mutant]] = field(default_factory=dict)
    seconds: float = 0.0
    killers: dict[str, str] = field(default_factory=dict)  # the test that killed each mutant

    def add(self, outcome: Outcome, mutant: Mutant) -> None:
        """Count one mutant's outcome."""
        self.outcomes.setdefault(outcome, []).append(mutant)

    def count(self, *outcomes: Outcome) -> int:
        """Return how many mutants ended in any of these outcomes."""
        return sum(len(self.outcomes.get(outcome, [])) for outcome in outcomes)

    @property
    def killed(self) -> int:
        """Return the mutants the tests caught (failed or timed out)."""
        return self.count(Outcome.KILLED, Outcome.TIMEOUT)

    @property
    def relevant(self) -> int:
        """Return the mutants that change behaviour: all but those judged equivalent."""
        return sum(len(mutants) for mutants in self.outcomes.values()) - self.count(
            Outcome.EQUIVALENT
        )

    @property
    def percent(self) -> float:
        """Return the share of behaviour-changing mutants killed, in percent."""
        return 100.0 * self.killed / self.relevant if self.relevant else 100.0


def pytest_env_defaults(pyproject: Path = Path("pyproject.toml")) -> dict[str, str]:
    """Return the environment defaults pytest-env gives the tests (``D:NAME=value``)."""
    options = tomllib.loads(pyproject.read_text())["tool"]["pytest"]["ini_options"]
    defaults = {}
    for entry in options.get("env", []):
        if entry.startswith("D:"):
            name, _, value = entry[2:].partition("=")
            defaults[name] = value
    return defaults


def equivalent_ids(doc: Path) -> set[str]:
    """Return the ids of the mutants judged equivalent, from the first column of doc tables."""
    if not doc.exists():
        return set()
    return {
        match[1] for line in doc.read_text().splitlines() if (match := _EQUIVALENT_ROW.match(line))
    }


def frozen_classes(module) -> set[str]:
    """Return the module's classes whose bodies are not mutated.

    Django models and enums turn their assignments into fields and members, dataclasses and
    named tuples into the defaults of ``__init__``, once, at class creation: a re-run
    assignment would not reach them.
    """
    from django.db import models

    return {
        name
        for name, value in vars(module).items()
        if inspect.isclass(value)
        and (
            issubclass(value, models.Model | enum.Enum)
            or dataclasses.is_dataclass(value)
            or (issubclass(value, tuple) and hasattr(value, "_fields"))
        )
    }


def lines_for(mutant: Mutant, source: str) -> set[int]:
    """Return the lines whose covering tests can kill the mutant.

    Coverage records a statement spanning lines under its first line or under the lines of
    its parts, so both count. For a function's mutant: the changed line and its statement's.
    For an assignment at module level: those of every use, in functions, of a name it binds
    directly or through later module-level assignments. For a class attribute: the class.
    """
    tree = _parse(source)
    if mutant.scope[0] == "function":
        return {mutant.line, _innermost_statement(tree, mutant.line)}
    if mutant.scope[0] == "class":
        node = next(
            n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == mutant.scope[1]
        )
        return set(range(node.lineno, node.end_lineno + 1))
    index = mutant.scope[1]
    names = operators.assigned_names(tree.body[index])
    for statement in tree.body[index + 1 :]:
        if operators.is_plain_assignment(statement):
            reads = {n.id for n in ast.walk(statement) if isinstance(n, ast.Name)}
            if reads & names:
                names |= operators.assigned_names(statement)
    lines = set()
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(function):
                if isinstance(node, ast.Name) and node.id in names:
                    lines |= {node.lineno, _innermost_statement(tree, node.lineno)}
    return lines


@functools.lru_cache(maxsize=4)
def _parse(source: str) -> ast.Module:
    return ast.parse(source)


def _innermost_statement(tree: ast.Module, line: int) -> int:
    """Return the first line of the innermost statement (not a def) spanning the line."""
    best = None
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.stmt)
            and not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            and node.lineno <= line <= node.end_lineno
            and (best is None or node.lineno > best)
        ):
            best = node.lineno
    return line if best is None else best


def order_tests(tests: set[str], path: str, durations: dict[str, float]) -> list[str]:
    """Put the module's own test file first, then the fastest tests, so kills come early."""
    own = f"test_{Path(path).stem}.py"
    return sorted(tests, key=lambda test: (own not in test, durations.get(test, 1.0), test))


def _prepare_worker(number: int) -> Path:
    """Create (or reuse) the worker's test database; make pytest use it; return its basetemp."""
    import pytest
    import pytest_django.plugin
    from django.db import connection, connections

    test_name = f"test_{connection.settings_dict['NAME']}_mutation{number}"
    connection.settings_dict.setdefault("TEST", {})["NAME"] = test_name
    with contextlib.redirect_stdout(io.StringIO()):  # "Cache table ... already exists."
        connection.creation.create_test_db(
            verbosity=0, autoclobber=True, keepdb=True, serialize=False
        )
    connections.close_all()

    @pytest.fixture(scope="session", name="django_db_setup")
    def reuse_worker_database(django_test_environment, django_db_blocker):
        """Use the worker's test database, made once before any mutant ran."""

    pytest_django.plugin.django_db_setup = reuse_worker_database
    basetemp = Path(".mutation") / "tmp" / f"w{number}"
    basetemp.parent.mkdir(parents=True, exist_ok=True)  # pytest makes only the last part
    return basetemp


def _worker(number: int, jobs, results, sources, frozen) -> None:
    """Own a test database and run each job in a forked child until told to stop."""
    basetemp = _prepare_worker(number)
    log = Path(".mutation") / f"worker{number}.log"
    killers: list[str] = []  # the tests that killed this worker's latest mutants, latest first
    killer_file = Path(".mutation") / f"worker{number}.killer"
    _empty_database()  # an interrupted run may have left rows
    while (job := jobs.get()) is not None:
        started = time.monotonic()
        job.tests = killers_first(job.tests, killers)
        killer_file.unlink(missing_ok=True)
        outcome = _run_child(job, sources, frozen, basetemp, log, killer_file)
        killer = killer_file.read_text() if killer_file.exists() else ""
        if outcome == Outcome.KILLED and killer:
            killers = [killer, *(test for test in killers if test != killer)][:_KILLERS]
        _empty_database()
        results.put((job.mutant, outcome, time.monotonic() - started, killer))


def _empty_database() -> None:
    """Empty the worker's database if a child left rows in it, so none leak into the next.

    A transactional test commits; a child killed (timeout) or failing in the middle of one
    may leave its rows, which would fail the next mutant's tests whatever its change.
    """
    from django.db import connection

    kept = {"django_migrations", "django_content_type", "auth_permission"}
    tables = [name for name in connection.introspection.table_names() if name not in kept]
    quoted = [connection.ops.quote_name(name) for name in tables]
    # The table names come from the database itself, quoted.
    exists = " OR ".join(f"EXISTS (SELECT 1 FROM {table})" for table in quoted)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {exists}")
        if cursor.fetchone()[0]:
            cursor.execute(f"TRUNCATE {', '.join(quoted)} CASCADE")
    connection.close()  # the next child must not share the worker's connection


def killers_first(tests: list[str], killers: list[str]) -> list[str]:
    """Move the tests that killed recent mutants to the front: they often kill the next one."""
    chosen = set(tests)
    front = [test for test in killers if test in chosen]
    return [*front, *(test for test in tests if test not in front)]


class _KillerRecorder:
    """A pytest plugin writing the node id of the first failing test to a file."""

    def __init__(self, target: Path) -> None:
        self.target = target

    def pytest_runtest_logreport(self, report) -> None:
        """Record the test when it failed, in setup, call or teardown."""
        if report.failed and not self.target.exists():
            self.target.write_text(report.nodeid)


def _run_child(
    job: Job, sources, frozen, basetemp: Path, log: Path | None, killer_file: Path
) -> Outcome:
    """Run the job in a forked child (its output to ``log``, or the terminal); its outcome."""
    import pytest

    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.setpgid(0, 0)
        if log is not None:
            descriptor = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(descriptor, 1)
            os.dup2(descriptor, 2)
        code = PATCH_FAILED
        try:
            path = job.mutant.path
            patch.apply(job.mutant, sources[path], frozen[path])
            code = pytest.main(
                [
                    "-x",
                    "-q",
                    "--assert=plain",
                    "-p",
                    "no:cacheprovider",
                    f"--basetemp={basetemp}",
                    *job.tests,
                ],
                plugins=[_KillerRecorder(killer_file)],
            )
        except BaseException as error:  # report whatever went wrong, then exit
            print(f"mutation: {error!r}", file=sys.stderr)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(int(code))
    deadline = time.monotonic() + job.timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.killpg(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return Outcome.TIMEOUT
        time.sleep(0.02)
    code = os.waitstatus_to_exitcode(status)
    if code == 0:
        return Outcome.SURVIVED
    if code in (1, 2, 3) or code < 0:  # failed, interrupted, internal error, crashed
        return Outcome.KILLED
    return Outcome.ERROR


def _preload(test_files: set[str]) -> None:
    """Import what every child's pytest run needs, once, before the workers fork.

    pytest's plugins, its own modules, the conftest and the test modules are then shared by
    every child; gc.freeze() keeps the children's collections (pytest collects at session end)
    off the inherited heap, which would otherwise be walked, and copied, in each child.
    """
    import _pytest
    import pytest  # noqa: F401

    for entry_point in importlib.metadata.entry_points(group="pytest11"):
        entry_point.load()
    for module in pkgutil.walk_packages(_pytest.__path__, "_pytest."):
        importlib.import_module(module.name)
    importlib.import_module("conftest")
    for file in sorted(test_files):
        importlib.import_module(patch.module_name(file))
    gc.freeze()


def _plan(paths: list[str], equivalents_doc: Path) -> tuple[dict, dict, dict, list[Job]]:
    """Load Django and the test map; return the modules' sources, frozen classes, scores, jobs."""
    for name, value in pytest_env_defaults().items():
        os.environ.setdefault(name, value)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")
    from scripts.mutation import config

    test_map = mapping.load(config.MODULES)
    import django

    django.setup()
    equivalent = equivalent_ids(equivalents_doc)
    sources, frozen, scores, queue_ = {}, {}, {}, []
    for path in paths:
        sources[path] = Path(path).read_text()
        module = importlib.import_module(patch.module_name(path))
        frozen[path] = frozen_classes(module)
        scores[path] = Score(path)
        for mutant in operators.mutants(path, sources[path], frozen[path]):
            if mutant.id in equivalent:
                scores[path].add(Outcome.EQUIVALENT, mutant)
                continue
            tests = test_map.tests_for(path, lines_for(mutant, sources[path]))
            if not tests:
                scores[path].add(Outcome.UNCOVERED, mutant)
                continue
            ordered = order_tests(tests, path, test_map.durations)
            seconds = sum(test_map.durations.get(test, 1.0) for test in ordered)
            queue_.append(Job(mutant, ordered, timeout=20.0 + 3.0 * seconds))
    return sources, frozen, scores, queue_


def show(mutant_id: str) -> Outcome:
    """Print one mutant's change, run its tests with their output shown, return its outcome."""
    path = mutant_id.split(":", 1)[0]
    sources, frozen, _, queue_ = _plan([path], Path(os.devnull))
    job = next((job for job in queue_ if job.mutant.id == mutant_id), None)
    if job is None:
        raise LookupError(f"no mutant {mutant_id!r} with covering tests")
    original = ast.unparse(ast.parse(sources[path])).splitlines()
    mutated = ast.unparse(operators.mutate(sources[path], job.mutant.index, frozen[path]))
    print(f"{path}:{job.mutant.line}: {job.mutant.label}, {len(job.tests)} test(s)")
    print("\n".join(difflib.unified_diff(original, mutated.splitlines(), lineterm="", n=1)))
    basetemp = _prepare_worker(9)
    return _run_child(job, sources, frozen, basetemp, None, Path(".mutation") / "show.killer")


def run(
    paths: list[str],
    *,
    jobs: int = 2,
    equivalents_doc: Path,
    on_module_done: Callable[[Score], None] = lambda score: None,
) -> list[Score]:
    """Mutate each module, run its mutants, and return the scores.

    ``on_module_done`` gets each module's score as soon as its last mutant has run (modules
    run in the order given), so that a long run can be read, or stopped, module by module.
    """
    sources, frozen, scores, queue_ = _plan(paths, equivalents_doc)
    _preload({test.split("::")[0] for job in queue_ for test in job.tests})
    total = len(queue_)
    print(f"mutation: {total} mutants to run in {len(paths)} module(s), {jobs} at a time")
    context = multiprocessing.get_context("fork")
    job_queue, results = context.Queue(), context.Queue()
    for job in queue_:
        job_queue.put(job)
    for _ in range(jobs):
        job_queue.put(None)
    workers = [
        context.Process(target=_worker, args=(n, job_queue, results, sources, frozen))
        for n in range(jobs)
    ]
    for worker in workers:
        worker.start()
    remaining = Counter(job.mutant.path for job in queue_)
    for path in paths:
        if not remaining[path]:
            on_module_done(scores[path])
    for done in range(1, total + 1):
        mutant, outcome, seconds, killer = results.get()
        score = scores[mutant.path]
        score.add(outcome, mutant)
        score.killers[mutant.id] = killer
        score.seconds += seconds
        remaining[mutant.path] -= 1
        if done % 25 == 0 or done == total:
            print(f"mutation: {done}/{total} run", flush=True)
        if not remaining[mutant.path]:
            on_module_done(score)
    for worker in workers:
        worker.join()
    return [scores[path] for path in paths]
