"""Mutants of a Python module: AST operators for its code, text operators for its SQL.

A mutant is one small change to a module's source. It is found again, in a fresh parse of the
same source, by its index among the module's mutants: ``mutate(source, index)`` returns the
changed tree. Only code that can be swapped into the running module is mutated: function
bodies (not their decorators, defaults or annotations) and plain assignments at module or
class level (not in Django models or enums, whose class bodies are turned into fields).
"""

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from scripts.mutation import sql

_COMPARE_SWAPS = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
_BINARY_SWAPS = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div,
    ast.Mod: ast.FloorDiv,
    ast.Pow: ast.Mult,
    ast.BitAnd: ast.BitOr,
    ast.BitOr: ast.BitAnd,
    ast.BitXor: ast.BitOr,
    ast.LShift: ast.RShift,
    ast.RShift: ast.LShift,
}
_SYMBOLS = {
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.And: "and",
    ast.Or: "or",
}
_NAME_SWAPS = {"min": "max", "max": "min", "any": "all", "all": "any"}
# Private-use characters standing for an f-string's replacement fields in its SQL template.
_FIELD = "\ue000"
# Class bodies not to mutate: their assignments become fields or members at class creation.
_FROZEN_BASES = {"Model", "Enum", "StrEnum", "IntEnum", "TextChoices", "IntegerChoices", "Meta"}


@dataclass(frozen=True)
class Mutant:
    """One change to a module, where it is, and how to swap it into the running module.

    ``scope`` is ``("function", qualname)`` for a change inside a top-level function or method,
    ``("module", index)`` for a module-level statement, ``("class", name, index)`` for a
    statement of a class body. ``lines`` are the lines whose covering tests may kill it.
    """

    path: str
    index: int
    line: int
    scope: tuple
    scope_name: str
    label: str
    key: str

    @property
    def id(self) -> str:
        """Return an id that survives edits elsewhere in the module."""
        return f"{self.path}:{self.scope_name}:{self.key}"


@dataclass
class _Point:
    line: int
    scope: tuple
    scope_name: str
    label: str
    apply: Callable[[], None]


def mutants(path: str, source: str, frozen_classes: set[str] | None = None) -> list[Mutant]:
    """Return the module's mutants, numbered in a stable order."""
    found, seen = [], {}
    for index, point in enumerate(_points(ast.parse(source), frozen_classes or set())):
        stem = f"{point.label}"
        count = seen.get((point.scope_name, stem), 0) + 1
        seen[point.scope_name, stem] = count
        key = stem if count == 1 else f"{stem} #{count}"
        found.append(
            Mutant(path, index, point.line, point.scope, point.scope_name, point.label, key)
        )
    return found


def mutate(source: str, index: int, frozen_classes: set[str] | None = None) -> ast.Module:
    """Return the tree of the source with its mutant number ``index`` applied."""
    tree = ast.parse(source)
    for number, point in enumerate(_points(tree, frozen_classes or set())):
        if number == index:
            point.apply()
            return ast.fix_missing_locations(tree)
    raise IndexError(f"no mutant {index}")


def _points(tree: ast.Module, frozen_classes: set[str]) -> Iterator[_Point]:
    for index, statement in enumerate(tree.body):
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
            yield from _function(statement, statement.name)
        elif isinstance(statement, ast.ClassDef):
            yield from _class(statement, frozen_classes)
        elif is_plain_assignment(statement) and not _is_dunder(statement):
            yield from _expression_points(
                _assigned_value(statement), ("module", index), _names(statement)
            )


def _class(node: ast.ClassDef, frozen_classes: set[str]) -> Iterator[_Point]:
    bases = {
        base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
        for base in node.bases
    }
    frozen = node.name in frozen_classes or bool(bases & _FROZEN_BASES)
    for index, statement in enumerate(node.body):
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
            yield from _function(statement, f"{node.name}.{statement.name}")
        elif not frozen and is_plain_assignment(statement) and not _is_dunder(statement):
            yield from _expression_points(
                _assigned_value(statement),
                ("class", node.name, index),
                f"{node.name}.{_names(statement)}",
            )


def _function(node: ast.FunctionDef | ast.AsyncFunctionDef, qualname: str) -> Iterator[_Point]:
    body = node.body
    if body and _is_docstring(body[0]):
        body = body[1:]
    for statement in body:
        yield from _statement_points(statement, ("function", qualname), qualname)


def _statement_points(statement: ast.stmt, scope: tuple, name: str) -> Iterator[_Point]:
    """Yield the mutants of a statement of a function body, nested ones included."""
    for node in _walk(statement):
        yield from _node_points(node, scope, name)


def _expression_points(value: ast.AST | None, scope: tuple, name: str) -> Iterator[_Point]:
    if value is None:
        return
    for node in _walk(value):
        yield from _node_points(node, scope, name)


def _walk(root: ast.AST) -> Iterator[ast.AST]:
    """Walk a tree in source order, skipping annotations, decorators, defaults and docstrings."""
    yield root
    for field, value in ast.iter_fields(root):
        if field in {"annotation", "returns", "decorator_list", "type_comment"}:
            continue
        if isinstance(root, ast.arguments):
            continue  # defaults are evaluated once, at definition
        if (
            isinstance(root, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            and field == "body"
        ):
            value = value[1:] if value and _is_docstring(value[0]) else value
        if isinstance(root, ast.JoinedStr):
            continue  # handled whole, as text
        children = value if isinstance(value, list) else [value]
        for child in children:
            if isinstance(child, ast.AST):
                yield from _walk(child)


def _node_points(node: ast.AST, scope: tuple, name: str) -> Iterator[_Point]:
    line = getattr(node, "lineno", 0)
    if isinstance(node, ast.Compare):
        for position, operator in enumerate(node.ops):
            swapped = _COMPARE_SWAPS[type(operator)]
            yield _Point(
                line,
                scope,
                name,
                f"`{_SYMBOLS[type(operator)]}` → `{_SYMBOLS[swapped]}`",
                _setter(node.ops, position, swapped()),
            )
    elif isinstance(node, ast.BinOp | ast.AugAssign) and type(node.op) in _BINARY_SWAPS:
        swapped = _BINARY_SWAPS[type(node.op)]
        yield _Point(
            line,
            scope,
            name,
            f"`{_SYMBOLS[type(node.op)]}` → `{_SYMBOLS[swapped]}`",
            _attribute_setter(node, "op", swapped()),
        )
    elif isinstance(node, ast.BoolOp):
        swapped = ast.Or if isinstance(node.op, ast.And) else ast.And
        yield _Point(
            line,
            scope,
            name,
            f"`{_SYMBOLS[type(node.op)]}` → `{_SYMBOLS[swapped]}`",
            _attribute_setter(node, "op", swapped()),
        )
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not | ast.USub):
        symbol = "not " if isinstance(node.op, ast.Not) else "-"
        yield _Point(line, scope, name, f"`{symbol}` dropped", _unary_dropper(node))
    elif isinstance(node, ast.Constant):
        yield from _constant_points(node, scope, name)
    elif isinstance(node, ast.JoinedStr):
        yield from _joined_points(node, scope, name)
    elif isinstance(node, ast.Call):
        yield from _call_points(node, scope, name)
    elif isinstance(node, ast.Break | ast.Continue):
        other = ast.Continue if isinstance(node, ast.Break) else ast.Break
        yield _Point(
            line,
            scope,
            name,
            f"`{type(node).__name__.lower()}` → `{other.__name__.lower()}`",
            _class_setter(node, other),
        )


def _constant_points(node: ast.Constant, scope: tuple, name: str) -> Iterator[_Point]:
    value, line = node.value, node.lineno
    if isinstance(value, bool):
        yield _Point(
            line, scope, name, f"`{value}` → `{not value}`", _value_setter(node, not value)
        )
    elif isinstance(value, int | float):
        yield _Point(
            line, scope, name, f"`{value!r}` → `{value + 1!r}`", _value_setter(node, value + 1)
        )
    elif isinstance(value, str):
        if sql.looks_like_sql(value):
            for mutation in sql.sql_mutations(value):
                yield _Point(
                    line + value.count("\n", 0, mutation.start),
                    scope,
                    name,
                    f"SQL {mutation.label}",
                    _value_setter(node, mutation.apply(value)),
                )
        else:
            yield _Point(
                line, scope, name, f"{_short(value)} → XX…XX", _value_setter(node, f"XX{value}XX")
            )


def _joined_points(node: ast.JoinedStr, scope: tuple, name: str) -> Iterator[_Point]:
    fields = [part for part in node.values if not isinstance(part, ast.Constant)]
    template = "".join(
        part.value if isinstance(part, ast.Constant) else _FIELD + chr(0xE100 + fields.index(part))
        for part in node.values
    )
    if sql.looks_like_sql(template):
        for mutation in sql.sql_mutations(template):
            yield _Point(
                node.lineno + template.count("\n", 0, mutation.start),
                scope,
                name,
                f"SQL {_readable(mutation.label, fields)}",
                _joined_setter(node, mutation.apply(template), fields),
            )
    else:
        yield _Point(
            node.lineno,
            scope,
            name,
            f"f-string {_short(_readable(template, fields))} → XX…XX",
            _joined_setter(node, f"XX{template}XX", fields),
        )
    for field in fields:  # the expressions inside the replacement fields
        for child in _walk(field.value):
            yield from _node_points(child, scope, name)


def _call_points(node: ast.Call, scope: tuple, name: str) -> Iterator[_Point]:
    if isinstance(node.func, ast.Name) and node.func.id in _NAME_SWAPS:
        swapped = _NAME_SWAPS[node.func.id]
        yield _Point(
            node.lineno,
            scope,
            name,
            f"`{node.func.id}()` → `{swapped}()`",
            _attribute_setter(node.func, "id", swapped),
        )
    if len(node.args) + len(node.keywords) < 2:
        return  # dropping the only argument mostly breaks the call outright
    for position, keyword in enumerate(node.keywords):
        shown = f"**{ast.unparse(keyword.value)}" if keyword.arg is None else f"{keyword.arg}="
        yield _Point(
            node.lineno,
            scope,
            name,
            f"argument `{shown}` dropped",
            _dropper(node.keywords, position),
        )


def _setter(items: list, position: int, value) -> Callable[[], None]:
    def apply() -> None:
        items[position] = value

    return apply


def _attribute_setter(node: ast.AST, attribute: str, value) -> Callable[[], None]:
    def apply() -> None:
        setattr(node, attribute, value)

    return apply


def _value_setter(node: ast.Constant, value) -> Callable[[], None]:
    return _attribute_setter(node, "value", value)


def _class_setter(node: ast.AST, cls: type) -> Callable[[], None]:
    return _attribute_setter(node, "__class__", cls)


def _dropper(items: list, position: int) -> Callable[[], None]:
    def apply() -> None:
        del items[position]

    return apply


def _unary_dropper(node: ast.UnaryOp) -> Callable[[], None]:
    def apply() -> None:
        if isinstance(node.op, ast.USub):
            node.op = ast.UAdd()
            return
        # not x → bool(x): the same truth value, without the negation.
        operand = node.operand
        node.__class__ = ast.Call
        node.func = ast.Name("bool", ast.Load())
        node.args, node.keywords = [operand], []

    return apply


def _joined_setter(node: ast.JoinedStr, template: str, fields: list) -> Callable[[], None]:
    def apply() -> None:
        values, text = [], ""
        position = 0
        while position < len(template):
            char = template[position]
            if char == _FIELD:
                if text:
                    values.append(ast.Constant(text))
                    text = ""
                values.append(fields[ord(template[position + 1]) - 0xE100])
                position += 2
                continue
            text += char
            position += 1
        if text:
            values.append(ast.Constant(text))
        node.values = values

    return apply


def _readable(text: str, fields: list) -> str:
    for number, field in enumerate(fields):
        text = text.replace(_FIELD + chr(0xE100 + number), "{" + ast.unparse(field.value) + "}")
    return text


def _short(text: str, limit: int = 30) -> str:
    shown = " ".join(text.split())
    return repr(shown if len(shown) <= limit else shown[: limit - 1] + "…")


def _is_docstring(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )


def is_plain_assignment(statement: ast.stmt) -> bool:
    """Tell whether a statement is an assignment (plain, annotated with a value, augmented)."""
    return isinstance(statement, ast.Assign | ast.AugAssign) or (
        isinstance(statement, ast.AnnAssign) and statement.value is not None
    )


def _assigned_value(statement: ast.stmt) -> ast.AST | None:
    return statement.value


def assigned_names(statement: ast.stmt) -> set[str]:
    """Return the names a module- or class-level assignment binds."""
    targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
    return {
        node.id for target in targets for node in ast.walk(target) if isinstance(node, ast.Name)
    }


def _names(statement: ast.stmt) -> str:
    return ",".join(sorted(assigned_names(statement)))


def _is_dunder(statement: ast.stmt) -> bool:
    return any(name.startswith("__") for name in assigned_names(statement))
