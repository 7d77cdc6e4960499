"""QIP instance files (``Tests/Fixtures/qip-instances/README.md``), read and
checked as the Swift CLI reads them, with the same messages.

Keys used: M, K, lambda, unary (M values), binary (M x M, symmetric, zero
diagonal); other keys (name, optimum, ...) are ignored. NaN and Infinity
tokens are read (as Python's json writes them) and then refused as not
finite; a number beyond float64's range is not valid JSON.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ._structs import MAX_CANDIDATES


class InstanceError(Exception):
    """The file cannot be used; the text names what is wrong."""


@dataclass(frozen=True)
class Instance:
    unary: npt.NDArray[np.float64]
    binary: npt.NDArray[np.float64]
    lam: float
    k: int


_INVALID = "not valid JSON (or a number beyond float64's range)"
_MANTISSA_DIGITS = re.compile(r"[1-9]")


def _parse_float(text: str) -> float:
    value = float(text)
    mantissa = text.lower().split("e")[0]
    if math.isinf(value) or (value == 0.0 and _MANTISSA_DIGITS.search(mantissa)):
        raise InstanceError(f"{_INVALID}: the number {text} is beyond float64's range")
    return value


def _found(value: Any) -> str:
    """How Swift's decoder names the JSON type it found."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "a dictionary"


def _number(value: Any, path: str) -> float:
    if value is None:
        raise InstanceError(f"field '{path}' is null")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InstanceError(f"field '{path}' has the wrong type: Expected to decode Double but found {_found(value)} instead.")
    try:
        return float(value)
    except OverflowError:  # an integer literal with hundreds of digits
        raise InstanceError(f"{_INVALID} at '{path}': the number is beyond float64's range") from None


def _array(value: Any, path: str) -> list[Any]:
    if value is None:
        raise InstanceError(f"field '{path}' is null")
    if not isinstance(value, list):
        raise InstanceError(
            f"field '{path}' has the wrong type: Expected to decode Array<Any> but found {_found(value)} instead."
        )
    return value


def _whole(x: float, field: str) -> int:
    if not (math.isfinite(x) and x == round(x) and abs(x) < 1e9):
        raise InstanceError(f"{field} = {x!r} must be a whole number")
    return int(x)


def _decode(data: bytes) -> Any:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InstanceError(f"not valid UTF-8 at byte {error.start}") from None
    try:
        return json.loads(text, parse_float=_parse_float)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise InstanceError(f"{_INVALID}: {error}") from None


def load(path: str) -> Instance:
    """Read and check an instance file; InstanceError names what is wrong."""
    try:
        with open(path, "rb") as file:
            data = file.read()
    except OSError:
        raise InstanceError("cannot read the file") from None
    raw = _decode(data)
    if raw is None:
        raise InstanceError("field '' is null")
    if not isinstance(raw, dict):
        raise InstanceError(
            f"field '' has the wrong type: Expected to decode Dictionary<String, Any> but found {_found(raw)} instead."
        )
    # Decoded in the Swift CLI's order, so the first problem reported is the same.
    fields: dict[str, Any] = {}
    for key in ("M", "K", "lambda", "unary", "binary"):
        if key not in raw:
            raise InstanceError(f"missing field '{key}'")
        if key in ("unary", "binary"):
            rows = _array(raw[key], key)
            if key == "unary":
                fields[key] = [_number(x, f"unary[{i}]") for i, x in enumerate(rows)]
            else:
                fields[key] = [
                    [_number(x, f"binary[{i}][{j}]") for j, x in enumerate(_array(row, f"binary[{i}]"))]
                    for i, row in enumerate(rows)
                ]
        else:
            fields[key] = _number(raw[key], key)
    m, k = _whole(fields["M"], "M"), _whole(fields["K"], "K")
    lam: float = fields["lambda"]
    unary: list[float] = fields["unary"]
    binary: list[list[float]] = fields["binary"]
    if m < 1:
        raise InstanceError(f"M = {m} must be at least 1")
    if m > MAX_CANDIDATES:
        raise InstanceError(f"M = {m} exceeds the limit of {MAX_CANDIDATES}")
    if not 1 <= k <= m:
        raise InstanceError(f"K = {k} is out of range 1..M (M = {m})")
    if not math.isfinite(lam):
        raise InstanceError(f"lambda = {lam!r} is not finite")
    if len(unary) != m:
        raise InstanceError(f"unary has {len(unary)} values, M = {m} needs {m}")
    for i, x in enumerate(unary):
        if not math.isfinite(x):
            raise InstanceError(f"unary[{i}] = {x!r} is not finite")
    if len(binary) != m:
        raise InstanceError(f"binary has {len(binary)} rows, M = {m} needs {m}")
    for i, row in enumerate(binary):
        if len(row) != m:
            raise InstanceError(f"binary[{i}] has {len(row)} values, M = {m} needs {m}")
        for j, x in enumerate(row):
            if not math.isfinite(x):
                raise InstanceError(f"binary[{i}][{j}] = {x!r} is not finite")
        if row[i] != 0:
            raise InstanceError(f"binary[{i}][{i}] = {row[i]!r}: the diagonal must be zero")
    b = np.array(binary, dtype=np.float64).reshape(m, m)
    tolerance = 1e-12 * np.maximum(1.0, np.abs(b))
    bad = np.argwhere(np.triu(np.abs(b - b.T) > tolerance, 1))
    if len(bad):
        i, j = (int(v) for v in bad[0])
        raise InstanceError(
            f"binary is not symmetric: [{i}][{j}] = {binary[i][j]!r} but [{j}][{i}] = {binary[j][i]!r}"
        )
    return Instance(unary=np.array(unary, dtype=np.float64), binary=b, lam=lam, k=k)
