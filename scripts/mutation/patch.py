"""Swap a mutant into the running, imported module (in a forked process about to run tests).

A function's mutant replaces the ``__code__`` of the function object, so that every reference
to it (imported names, bound methods, registered views) runs the mutant. A module- or
class-level assignment is run again, mutated, and so is every later module-level assignment
that reads what it binds; other modules that imported a changed name get the new value.
"""

import ast
import functools
import importlib
import sys
import types

from scripts.mutation import operators
from scripts.mutation.operators import Mutant


def module_name(path: str) -> str:
    """Return the dotted name of a module's file path (``sites/domains.py`` → ``sites.domains``)."""
    return path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")


def apply(mutant: Mutant, source: str, frozen_classes: set[str]) -> None:
    """Swap the mutant into its imported module."""
    module = importlib.import_module(module_name(mutant.path))
    tree = operators.mutate(source, mutant.index, frozen_classes)
    kind = mutant.scope[0]
    if kind == "function":
        _swap_code(module, tree, mutant.path, mutant.scope[1])
    elif kind == "module":
        _rerun_module_statement(module, tree, mutant.path, mutant.scope[1])
    else:
        _rerun_class_statement(module, tree, mutant.path, mutant.scope[1], mutant.scope[2])
    _clear_caches(module)


def _swap_code(module: types.ModuleType, tree: ast.Module, path: str, qualname: str) -> None:
    code = _find_code(compile(tree, path, "exec"), qualname)
    owner = module
    *outer, name = qualname.split(".")
    for part in outer:
        owner = getattr(owner, part)
    function = _unwrap(vars(owner)[name])
    function.__code__ = code


def _find_code(code: types.CodeType, qualname: str) -> types.CodeType:
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            if constant.co_qualname == qualname:
                return constant
            if qualname.startswith(constant.co_qualname + "."):
                return _find_code(constant, qualname)
    raise LookupError(f"no code for {qualname}")


def _unwrap(value):
    """Return the plain function behind a method, property or cached or wrapped function."""
    if isinstance(value, property):
        value = value.fget
    elif isinstance(value, classmethod | staticmethod):
        value = value.__func__
    elif hasattr(value, "func") and not isinstance(value, types.FunctionType):
        value = value.func  # functools.cached_property, django's cached_property
    while hasattr(value, "__wrapped__"):
        value = value.__wrapped__
    return value


def _rerun_module_statement(module: types.ModuleType, tree: ast.Module, path: str, index: int):
    namespace = vars(module)
    old = dict(namespace)
    changed = _run(tree.body[index], path, namespace)
    for statement in tree.body[index + 1 :]:
        if operators.is_plain_assignment(statement) and _reads(statement) & changed:
            changed |= _run(statement, path, namespace)
    for name in changed:
        _rebind_imported(name, old.get(name), namespace[name], module)


def _rerun_class_statement(
    module: types.ModuleType, tree: ast.Module, path: str, class_name: str, index: int
):
    node = next(
        node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == class_name
    )
    cls = getattr(module, class_name)
    namespace = dict(vars(cls))
    for name in _run(node.body[index], path, vars(module), namespace):
        setattr(cls, name, namespace[name])


def _run(statement: ast.stmt, path: str, global_namespace: dict, local_namespace=None) -> set:
    code = compile(ast.Module(body=[statement], type_ignores=[]), path, "exec")
    exec(code, global_namespace, local_namespace)  # noqa: S102 - the point of the exercise
    return operators.assigned_names(statement)


def _reads(statement: ast.stmt) -> set[str]:
    return {node.id for node in ast.walk(statement) if isinstance(node, ast.Name)}


def _rebind_imported(name: str, old, new, origin: types.ModuleType) -> None:
    """Give modules that did ``from origin import name`` the new value."""
    if old is None:
        return
    for module in list(sys.modules.values()):
        if module is not origin and getattr(module, name, None) is old:
            setattr(module, name, new)


def _clear_caches(module: types.ModuleType) -> None:
    """Empty the module's memoised functions, which may hold results of the original code."""
    for value in vars(module).values():
        if isinstance(value, functools._lru_cache_wrapper):
            value.cache_clear()
