"""Text mutation operators for SQL held in Python string constants."""

import re
from collections.abc import Iterator
from typing import NamedTuple

# Words that make a string constant SQL rather than prose.
_SQL_WORDS = re.compile(
    r"\b(SELECT|INSERT INTO|UPDATE|DELETE FROM|WHERE|FILTER|ORDER BY|GROUP BY|COALESCE|"
    r"LEAST|GREATEST|count\(|sum\(|INTERVAL|EXISTS|CASE WHEN|FROM|SET|JOIN)\b"
)
_SWAPS = {
    "ASC": "DESC",
    "DESC": "ASC",
    "MIN": "MAX",
    "MAX": "MIN",
    "min": "max",
    "max": "min",
    "LEAST": "GREATEST",
    "GREATEST": "LEAST",
}
_SWAP = re.compile(r"\b(ASC|DESC|MIN|MAX|min|max|LEAST|GREATEST)\b(?!_)")
# Comparisons, leaving alone JSON operators (->, ->>), casts (::) and placeholders.
_COMPARISON = re.compile(r"(?<![<>=!-])(<=|>=|<>|!=|<|>)(?![<>=])")
_COMPARISON_SWAPS = {"<=": "<", ">=": ">", "<": "<=", ">": ">=", "<>": "=", "!=": "="}
# Integers in the statement, not inside identifiers, placeholders or ``$1`` references.
_INTEGER = re.compile(r"(?<![\w$.%])\d+(?![\w.])")
_ARITHMETIC = re.compile(r"(?<=\s)([+-])(?=\s)")
_DISTINCT = re.compile(r"(?<!IS )(?<!NOT )\bDISTINCT\s+")
_IS_DISTINCT = re.compile(r"\bIS (NOT )?DISTINCT FROM\b")
_EXISTS = re.compile(r"(?<!NOT )\bEXISTS\b")
_CONJUNCTION = re.compile(r"\s+AND\s+")
_WHERE = re.compile(r"\bWHERE\s+")
_COALESCE = re.compile(r"\bCOALESCE\(")
# Where a condition of a WHERE clause ends, at parenthesis depth 0.
_CLAUSE_END = re.compile(
    r"\s+(AND|OR|THEN|ORDER BY|GROUP BY|LIMIT|ON CONFLICT|RETURNING|UNION)\b|\n\s*\n"
)


class TextMutation(NamedTuple):
    """One change to a string: replace ``text[start:end]`` with ``replacement``."""

    start: int
    end: int
    replacement: str
    label: str

    def apply(self, text: str) -> str:
        """Return the text with this change made."""
        return text[: self.start] + self.replacement + text[self.end :]


def looks_like_sql(text: str) -> bool:
    """Tell whether a string constant holds (a piece of) an SQL statement."""
    return bool(_SQL_WORDS.search(text))


def sql_mutations(text: str) -> Iterator[TextMutation]:
    """Yield the mutants of one SQL string, in the order their changes appear in it."""
    found = [
        *_swaps(text),
        *_comparisons(text),
        *_integers(text),
        *_arithmetic(text),
        *_distinct(text),
        *_exists(text),
        *_dropped_conjuncts(text),
        *_coalesce_swaps(text),
    ]
    yield from sorted(found, key=lambda mutation: (mutation.start, mutation.label))


def _swaps(text: str) -> Iterator[TextMutation]:
    for match in _SWAP.finditer(text):
        word = match[1]
        if word.lower() in {"min", "max"} and not text.startswith("(", match.end()):
            continue  # a column or an alias named min or max
        yield TextMutation(match.start(), match.end(), _SWAPS[word], f"{word} → {_SWAPS[word]}")


def _comparisons(text: str) -> Iterator[TextMutation]:
    for match in _COMPARISON.finditer(text):
        operator = match[1]
        swapped = _COMPARISON_SWAPS[operator]
        yield TextMutation(match.start(), match.end(), swapped, f"{operator} → {swapped}")


def _integers(text: str) -> Iterator[TextMutation]:
    for match in _INTEGER.finditer(text):
        if re.search(r"\bEXISTS \(SELECT $", text[: match.start()]):
            continue  # EXISTS (SELECT 1 ...): any constant is the same
        number = int(match[0])
        yield TextMutation(match.start(), match.end(), str(number + 1), f"{number} → {number + 1}")


def _arithmetic(text: str) -> Iterator[TextMutation]:
    for match in _ARITHMETIC.finditer(text):
        swapped = "-" if match[1] == "+" else "+"
        yield TextMutation(match.start(), match.end(), swapped, f"{match[1]} → {swapped}")


def _distinct(text: str) -> Iterator[TextMutation]:
    for match in _DISTINCT.finditer(text):
        yield TextMutation(match.start(), match.end(), "", "DISTINCT dropped")
    for match in _IS_DISTINCT.finditer(text):
        swapped = "IS DISTINCT FROM" if match[1] else "IS NOT DISTINCT FROM"
        yield TextMutation(match.start(), match.end(), swapped, f"{match[0]} → {swapped}")


def _exists(text: str) -> Iterator[TextMutation]:
    for match in _EXISTS.finditer(text):
        yield TextMutation(match.start(), match.end(), "NOT EXISTS", "EXISTS → NOT EXISTS")


def _condition_end(text: str, start: int) -> int:
    """Return where the condition starting at ``start`` ends (depth 0, before AND/OR/...)."""
    depth = 0
    position = start
    while position < len(text):
        char = text[position]
        if char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                return position
            depth -= 1
        elif (
            depth == 0
            and (end := _CLAUSE_END.match(text, position))
            and not (end[1] == "AND" and _after_between(text, position))
        ):
            return end.start()
        position += 1
    return len(text)


def _after_between(text: str, position: int) -> bool:
    """Tell whether an AND at this position is the one of ``BETWEEN x AND y``."""
    return bool(re.search(r"\bBETWEEN\s+\S+$", text[:position]))


def _dropped_conjuncts(text: str) -> Iterator[TextMutation]:
    # A later conjunct: " AND <condition>" goes.
    for match in _CONJUNCTION.finditer(text):
        if _after_between(text, match.start()):
            continue
        end = _condition_end(text, match.end())
        condition = " ".join(text[match.end() : end].split())
        yield TextMutation(match.start(), end, "", f"AND {condition} dropped")
    # The first conjunct: "WHERE <condition> AND " becomes "WHERE ".
    for match in _WHERE.finditer(text):
        end = _condition_end(text, match.end())
        conjunction = _CONJUNCTION.match(text, end)
        if conjunction is None:
            continue
        condition = " ".join(text[match.end() : end].split())
        yield TextMutation(match.end(), conjunction.end(), "", f"WHERE {condition} dropped")


def _coalesce_swaps(text: str) -> Iterator[TextMutation]:
    for match in _COALESCE.finditer(text):
        arguments, end = _arguments(text, match.end())
        if len(arguments) != 2 or end is None:
            continue
        first, second = (argument.strip() for argument in arguments)
        yield TextMutation(
            match.end(), end, f"{second}, {first}", f"COALESCE({first}, {second}) arguments swapped"
        )


def _arguments(text: str, start: int) -> tuple[list[str], int | None]:
    """Split the arguments of a call opened just before ``start``; return them and its end."""
    depth, arguments, current = 0, [], start
    for position in range(start, len(text)):
        char = text[position]
        if char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                arguments.append(text[current:position])
                return arguments, position
            depth -= 1
        elif char == "," and depth == 0:
            arguments.append(text[current:position])
            current = position + 1
    return arguments, None
