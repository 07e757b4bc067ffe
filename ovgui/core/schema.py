"""JSON data into dataclasses, checked, with one line that names the value that does not fit.

Saved reports and the roofline cache are read back through `decode`: msgspec checks each value
against the dataclasses' types (and leaves out fields it does not know, as from a newer ovgui),
and the limits a type cannot state — a number's size — are checked here.  A mistake becomes a
`SchemaError` worded like ``report.layers[3].real_time_ms should be a number, not "fast"``: the
path in the file, what was expected, and the value as it was written.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import fields, is_dataclass
from functools import cache
from typing import Any, TypeVar

import msgspec

T = TypeVar("T")
Step = str | int

NUMBERS = (int, float)  # exactly: a bool is not a number here
PLAIN = (str, bool, type(None))
MAX_NUMBER = 1e15  # no time, size, count or rate ovgui measures comes near; a larger one is a crafted or broken file
EXPECTED_WORDS = {"float": "a number", "int": "a whole number", "str": "text", "bool": "true or false",
                  "array": "a list", "object": "an object"}
# msgspec's wording of a mistake: "Expected `float | null`, got `str` - at `$.layers[0].share`"
AT = " - at `$"
EXPECTED = re.compile(r"Expected `(?P<kind>\w+)[^`]*`, got `[^`]*`")
MISSING_FIELD = re.compile(r"Object missing required field `(?P<name>[^`]+)`")
PATH_STEP = re.compile(r"\.([^.\[]+)|\[(\d+)\]")


class SchemaError(ValueError):
    """A value in a saved report that does not fit the schema, with where it is."""


def decode(kind: type[T], data: Any, where: str, filled: Any = None) -> T:
    """`data` as a `kind`, or a `SchemaError` naming the first value that does not fit.

    `where` names the top of `data` in messages ("report").  Numbers must be finite and at most
    `MAX_NUMBER` in size.  `filled`, when given, is `data` with the nulls that stand for NaN (a
    model's non-finite result, which JSON cannot hold) replaced by NaN: it is what is converted,
    and NaN is accepted only where `data` holds null."""
    try:
        value = msgspec.convert(data if filled is None else filled, kind, strict=True)
    except msgspec.ValidationError as error:
        raise _worded(str(error), data, where) from None
    place = _out_of_range(value, data)
    if place is not None:
        raise _too_large(data, where, place)
    return value


def _worded(message: str, data: Any, where: str) -> SchemaError:
    """msgspec's message in ovgui's words, showing the value as the file holds it."""
    problem, _, path = message.partition(AT)
    place: list[Step] = [name or int(index) for name, index in PATH_STEP.findall(path.removesuffix("`"))]
    if missing := MISSING_FIELD.fullmatch(problem):
        return SchemaError(f"{_path(where, place)}.{missing['name']} is missing")
    expected = EXPECTED.fullmatch(problem)
    kind = expected["kind"] if expected else ""
    value = _at(data, place)
    if problem == "Number out of range" or (kind in ("int", "float") and _is_number(value) and not in_range(value)):
        return _too_large(data, where, place)
    if kind in EXPECTED_WORDS:
        return SchemaError(f"{_path(where, place)} should be {EXPECTED_WORDS[kind]}, not {shown(value)}")
    return SchemaError(f"{_path(where, place)}: {problem}")


def _too_large(data: Any, where: str, place: list[Step]) -> SchemaError:
    number = shown(_at(data, place))
    return SchemaError(f"{_path(where, place)} should be a finite number of at most {MAX_NUMBER:g} in size, not {number}")


def _out_of_range(value: Any, written: Any) -> list[Step] | None:
    """Where the first number that is not finite or too large sits, as field names and indexes; None if none does.

    `written` is the same place in the JSON data: a NaN that was a null there is a non-finite result, kept.
    Numbers well inside the limits are passed over without a call (an 800-layer report holds ~30,000)."""
    if _is_number(value):
        return None if in_range(value) or (written is None and math.isnan(value)) else []
    if written is None:  # a default this version filled in: nothing was written there
        return None
    if isinstance(value, list):
        steps: Any = ((index, item, written[index]) for index, item in enumerate(value))
    elif is_dataclass(value) and not isinstance(value, type):
        steps = ((name, getattr(value, name), written.get(name)) for name in _field_names(type(value)))
    else:
        return None
    for step, item, item_written in steps:
        if type(item) in PLAIN or (type(item) in NUMBERS and -MAX_NUMBER <= item <= MAX_NUMBER):
            continue
        place = _out_of_range(item, item_written)
        if place is not None:
            return [step, *place]
    return None


@cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(each.name for each in fields(kind))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _at(data: Any, place: list[Step]) -> Any:
    for step in place:
        data = data[step]
    return data


def _path(where: str, place: list[Step]) -> str:
    return where + "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in place)


def in_range(number: float) -> bool:
    """Compared as an int when it is one: a 400-digit integer does not fit a float."""
    return abs(number) <= MAX_NUMBER if isinstance(number, int) else math.isfinite(number) and abs(number) <= MAX_NUMBER


def shown(value: Any) -> str:
    """A value as the file wrote it, cut to 40 characters (a huge integer by its number of digits)."""
    huge = isinstance(value, int) and abs(value) > MAX_NUMBER
    text = f"a number of {len(str(abs(value)))} digits" if huge else json.dumps(value)
    return text if len(text) <= 40 else text[:39] + "…"
