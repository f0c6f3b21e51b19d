"""A pytest plugin recording, under coverage, which test ran each line, and how long each took.

Used by ``scripts.mutation.mapping`` as ``-p scripts.mutation.contexts``; the durations go to
the file named by ``MUTATION_DURATIONS``.
"""

import json
import os

import coverage
import pytest

_durations: dict[str, float] = {}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item):
    """Label the lines the test (its fixtures included) runs with the test's node id."""
    current = coverage.Coverage.current()
    if current is not None:
        current.switch_context(item.nodeid)
    yield
    if current is not None:
        current.switch_context("")


def pytest_runtest_logreport(report) -> None:
    """Add up the time of the test's setup, call and teardown."""
    _durations[report.nodeid] = _durations.get(report.nodeid, 0.0) + report.duration


def pytest_sessionfinish(session) -> None:
    """Write the durations out."""
    target = os.environ.get("MUTATION_DURATIONS")
    if target:
        with open(target, "w") as file:
            json.dump(_durations, file)
