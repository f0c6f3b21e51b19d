"""Tests of swapping mutants into imported modules."""

import importlib
import sys

import pytest

from scripts.mutation import operators, patch

SOURCE = '''"""A module to mutate."""
import functools

LIMIT = 10
DOUBLE = LIMIT * 2


def clamp(value):
    return min(value, LIMIT)


@functools.lru_cache
def cached(value):
    return value + 1


class Thing:
    kind = "thing"

    @property
    def label(self):
        return self.kind.upper()

    @classmethod
    def make(cls):
        return cls.kind + "!"
'''
USER = "from mutpkg.mod import DOUBLE, LIMIT, clamp\n"


@pytest.fixture
def package(tmp_path, monkeypatch):
    """Make an importable package ``mutpkg`` with the module and one importing from it."""
    (tmp_path / "mutpkg").mkdir()
    (tmp_path / "mutpkg" / "__init__.py").write_text("")
    (tmp_path / "mutpkg" / "mod.py").write_text(SOURCE)
    (tmp_path / "mutpkg" / "user.py").write_text(USER)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    yield importlib.import_module("mutpkg.mod"), importlib.import_module("mutpkg.user")
    for name in [name for name in sys.modules if name.startswith("mutpkg")]:
        del sys.modules[name]


def _apply(label: str) -> None:
    [mutant] = [m for m in operators.mutants("mutpkg/mod.py", SOURCE) if m.id.endswith(label)]
    patch.apply(mutant, SOURCE, set())


class ModuleNameTest:
    def test_module_name_of_path(self):
        assert patch.module_name("visits/stats/query.py") == "visits.stats.query"


class ApplyTest:
    def test_apply_function_seen_through_imports(self, package):
        module, user = package

        _apply("clamp:`min()` → `max()`")

        assert (module.clamp(3), user.clamp(3)) == (10, 10)

    def test_apply_module_constant_reruns_dependents_and_rebinds_imports(self, package):
        module, user = package

        _apply("LIMIT:`10` → `11`")

        assert (module.LIMIT, module.DOUBLE, user.LIMIT, user.DOUBLE) == (11, 22, 11, 22)
        assert module.clamp(30) == 11

    def test_apply_cached_function_cache_emptied(self, package):
        module, _ = package
        assert module.cached(1) == 2

        _apply("cached:`+` → `-`")

        assert module.cached(1) == 0

    def test_apply_class_attribute(self, package):
        module, _ = package

        _apply("Thing.kind:'thing' → XX…XX")

        assert module.Thing().label == "XXTHINGXX"

    def test_apply_property_and_classmethod(self, package):
        module, _ = package

        _apply("Thing.make:`+` → `-`")

        with pytest.raises(TypeError):
            module.Thing.make()
