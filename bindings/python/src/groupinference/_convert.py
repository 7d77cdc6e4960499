"""Checking and converting Python arguments before they cross into C.

Python checks only what ctypes would otherwise silently corrupt (an int that
does not fit the C type, a string with a NUL, an array of the wrong shape or
kind); ranges the library checks itself (K <= M, time_limit > 0, ...) are
left to the library, whose message names the argument.
"""

from __future__ import annotations

import numbers
import operator
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

_INT32 = (-(2**31), 2**31 - 1)
_REAL_KINDS = "iuf"


def integer(name: str, value: Any, low: int = _INT32[0], high: int = _INT32[1]) -> int:
    """An int in [low, high] (int32 by default); TypeError/ValueError naming the argument."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be an integer, not a bool")
    try:
        number = operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be an integer, not {type(value).__name__}") from None
    if not low <= number <= high:
        raise ValueError(f"{name} = {number} is out of range [{low}, {high}]")
    return number


def real(name: str, value: Any) -> float:
    """A float from a real number (int, float, numpy scalar); TypeError otherwise."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, not {type(value).__name__}")
    return float(value)


def choice(name: str, value: Any, allowed: Mapping[str, int]) -> int:
    """The enum value of one of the allowed strings; ValueError naming them otherwise."""
    if isinstance(value, str) and value in allowed:
        return allowed[value]
    names = ", ".join(repr(key) for key in allowed)
    raise ValueError(f"{name} = {value!r} is not one of {names}")


def c_string(name: str, value: Any) -> bytes:
    """UTF-8 bytes of a str without NUL characters."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if "\0" in value:
        raise ValueError(f"{name} {value!r} contains a NUL character")
    return value.encode("utf-8")


def _as_array(name: str, value: Any) -> np.ndarray:
    try:
        array = np.asarray(value)
    except Exception as error:  # ragged lists, objects numpy cannot read
        raise TypeError(f"{name} cannot be read as an array: {error}") from None
    return array


def ids(name: str, value: Any) -> npt.NDArray[np.int32]:
    """A contiguous 1-D int32 array of candidate ids (lists, int64 arrays, views...)."""
    array = _as_array(name, value)
    if array.size == 0:
        array = array.astype(np.int32)
    if array.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integers, not {array.dtype}")
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one id per candidate), got shape {array.shape}")
    if array.size and (array.min() < _INT32[0] or array.max() > _INT32[1]):
        raise ValueError(f"{name} holds values outside the int32 range")
    return np.ascontiguousarray(array, dtype=np.int32)


def reals(name: str, value: Any, shape: tuple[int, ...], dtype: type[np.floating[Any]],
          meaning: str = "") -> np.ndarray:
    """A C-contiguous array of `dtype` and exactly `shape` (-1: any length), from any real array-like."""
    array = _as_array(name, value)
    if array.dtype.kind not in _REAL_KINDS:
        raise TypeError(f"{name} must hold real numbers (float32 or float64), not {array.dtype}")
    if array.ndim != len(shape) or any(want not in (-1, got) for want, got in zip(shape, array.shape)):
        wanted = "(" + ", ".join("any" if s == -1 else str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"
        extra = f" ({meaning})" if meaning else ""
        raise ValueError(f"{name} has shape {array.shape}, expected {wanted}{extra}")
    return np.ascontiguousarray(array, dtype=dtype)


def address(array: np.ndarray) -> int:
    """The data pointer of a contiguous array, for a c_void_p argument."""
    return int(array.ctypes.data)
