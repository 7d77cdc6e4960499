"""Python functions as library callbacks (rusqlite / libarchive-c style).

One C trampoline per callback kind (unary, embedding, pairwise, denoiser) and
one destroy hook are created once, at import, and live as long as the
module, so C can never call a collected CFUNCTYPE object.

Each registration makes a :class:`Context` (the Python function, its name,
kind and dim, and the session's :class:`ExceptionSlot`). The Session owns its
contexts (a dict, key -> context); a module registry maps the same integer
key - the ``void *user`` C holds - to a *weak* reference, which is what the
trampolines look up. So:

- a context lives while its session object lives, and C only calls back
  during a call made through that session object;
- a callback that refers to its own session (a bound method of a host that
  holds the session) makes an ordinary Python cycle, which the garbage
  collector can free - the session's finalizer then destroys the C session;
- the library calls the destroy hook exactly once per key (session
  destroyed, denoiser replaced, or at once when a registration fails), and
  the hook drops both the registry entry and the session's reference.

Inside a trampoline every exception (BaseException: KeyboardInterrupt and
SystemExit included) is caught, remembered in the session's slot, and turned
into a non-zero return; the Python method that drove the call re-raises it
once C has returned (see ``Session._drive``).

The ids handed to the Python function are a read-only *copy* of the C array,
not a view: the C buffer lives only for the duration of the call, and a
function may keep its argument (or a traceback may keep it), so a view would
dangle. Copying n int32 costs about as much as building the view. Results are
checked (kind, shape), converted (dtype, contiguity) and copied into the C
output buffer with ``memmove``; no view of library memory escapes.
"""

from __future__ import annotations

import ctypes
import itertools
import threading
import weakref
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import numpy.typing as npt

from . import _structs as S

IdsArray = npt.NDArray[np.int32]

FAILED = 1
"""What a trampoline returns to C when the Python side failed; quoted in gi_last_error()."""


class ExceptionSlot:
    """The first exception raised by a session's callbacks since it was last taken."""

    __slots__ = ("_error",)

    def __init__(self) -> None:
        self._error: BaseException | None = None

    def store(self, error: BaseException) -> None:
        if self._error is None:
            self._error = error

    def take(self) -> BaseException | None:
        error, self._error = self._error, None
        return error


@dataclass(eq=False)
class Context:
    """What a trampoline needs to call one registered Python function."""

    kind: str  # "unary" | "embedding" | "pairwise" | "denoiser"
    name: str
    fn: Callable[[int, IdsArray], Any]
    slot: ExceptionSlot
    owner: dict[int, Context]
    """The session's contexts, to which this one belongs."""
    dim: int = 0

    def describe(self) -> str:
        return "the denoiser" if self.kind == "denoiser" else f"{self.kind} scorer '{self.name}'"


_registry: dict[int, weakref.ref[Context]] = {}
_keys = itertools.count(1)  # 0 would be NULL
_lock = threading.Lock()


def register(context: Context) -> int:
    """Add `context` to its owner and the registry until the library calls the destroy hook."""
    with _lock:
        key = next(_keys)
        _registry[key] = weakref.ref(context)
    context.owner[key] = context
    return key


def live_contexts() -> int:
    """How many registrations the library still holds (for leak tests)."""
    return len(_registry)


def _lookup(user: int | None) -> Context | None:
    ref = _registry.get(user or 0)
    return None if ref is None else ref()


def _destroy(user: int | None) -> None:
    with _lock:
        ref = _registry.pop(user or 0, None)
    context = None if ref is None else ref()
    if context is not None:
        context.owner.pop(user or 0, None)


def _ids(pointer: int | None, n: int) -> IdsArray:
    if not n or not pointer:
        return np.empty(0, dtype=np.int32)
    # frombuffer over immutable bytes: a read-only copy.
    return np.frombuffer(ctypes.string_at(pointer, 4 * n), dtype=np.int32)


def _result(context: Context, step: int, value: Any, shape: tuple[int, ...], dtype: Any, meaning: str) -> np.ndarray:
    """The function's return value as a contiguous `dtype` array of `shape`, or a clear error."""
    where = f"{context.describe()} at step {step}"
    try:
        array = np.asarray(value)
    except Exception as error:
        raise TypeError(f"{where} returned {type(value).__name__}, which is not an array: {error}") from None
    if array.dtype.kind not in "iuf":
        got = "None" if value is None else f"dtype {array.dtype}"
        raise TypeError(f"{where} returned {got}; expected real numbers (float32 or float64) of shape {shape} ({meaning})")
    if array.shape != shape:
        raise ValueError(f"{where} returned shape {array.shape}; expected {shape} ({meaning})")
    return np.ascontiguousarray(array, dtype=dtype)


def _copy_out(array: np.ndarray, pointer: int) -> None:
    if array.nbytes:
        ctypes.memmove(pointer, array.ctypes.data, array.nbytes)


def _unary(user: int | None, step: int, ids: int | None, n: int, out: int | None) -> int:
    context = _lookup(user)
    if context is None or not out:
        return FAILED
    try:
        value = context.fn(step, _ids(ids, n))
        _copy_out(_result(context, step, value, (n,), np.float64, "one score per id"), out)
        return 0
    except BaseException as error:  # noqa: B036 - KeyboardInterrupt too: re-raised after C returns
        context.slot.store(error)
        return FAILED


def _embedding(user: int | None, step: int, ids: int | None, n: int, dim: int, out: int | None) -> int:
    context = _lookup(user)
    if context is None or not out:
        return FAILED
    try:
        value = context.fn(step, _ids(ids, n))
        _copy_out(_result(context, step, value, (n, dim), np.float32, f"one row of {dim} values per id"), out)
        return 0
    except BaseException as error:  # noqa: B036
        context.slot.store(error)
        return FAILED


def _pairwise(user: int | None, step: int, ids: int | None, n: int, out: int | None) -> int:
    context = _lookup(user)
    if context is None or not out:
        return FAILED
    try:
        value = context.fn(step, _ids(ids, n))
        _copy_out(_result(context, step, value, (n, n), np.float64, "an n x n matrix over the ids"), out)
        return 0
    except BaseException as error:  # noqa: B036
        context.slot.store(error)
        return FAILED


def _denoise(user: int | None, step: int, ids: int | None, n: int) -> int:
    context = _lookup(user)
    if context is None:
        return FAILED
    try:
        context.fn(step, _ids(ids, n))  # the return value is ignored
        return 0
    except BaseException as error:  # noqa: B036
        context.slot.store(error)
        return FAILED


# The C function pointers: module globals, alive for the life of the process.
UNARY = S.UNARY_FN(_unary)
EMBEDDING = S.EMBEDDING_FN(_embedding)
PAIRWISE = S.PAIRWISE_FN(_pairwise)
DENOISE = S.DENOISE_FN(_denoise)
DESTROY = S.DESTROY_FN(_destroy)

# NULL function pointers of each type, for pushed scorers and clearing the denoiser.
NULL_UNARY = S.UNARY_FN()
NULL_EMBEDDING = S.EMBEDDING_FN()
NULL_PAIRWISE = S.PAIRWISE_FN()
NULL_DENOISE = S.DENOISE_FN()
NULL_DESTROY = S.DESTROY_FN()
