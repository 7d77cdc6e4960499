"""Python functions as library callbacks: one generic caller for every kind (rusqlite's model).

:func:`trampoline` makes the C function pointer of a callback kind from one
Python function; ``_kinds.py`` holds the table of kinds (shape and dtype of
what the Python function returns, C registrar) and makes each pointer once,
at import, so C can never call a collected CFUNCTYPE object.

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
  destroyed, callback replaced, or at once when a registration fails), and
  the hook drops both the registry entry and the session's reference.

Inside a trampoline every exception (BaseException: KeyboardInterrupt and
SystemExit included) is caught, remembered in the session's slot, and turned
into a non-zero return; the Python method that drove the call re-raises it
once C has returned (see ``Session._drive``).

Memory, and what a callback may keep. The library's arrays (the ids, the
buffer a scorer's values go to) live only for the duration of the call; in
steady state they keep their addresses from call to call (they live in the
session's workspace), but any may move. The binding reads and writes them
through views cached per (address, count) - a numpy view of the output
buffer (:class:`OutputView`), a byte view of the ids - that never leave this
module and are used only during a call that passed that very address and
count. The ids the Python function receives are a read-only int32 array
owned by Python: a copy, made with one memoryview assignment into an array
that is reused while nothing else refers to it (:class:`IdsCopies`), so a
callback may keep it - what it keeps never changes. The value it returns is
checked (kind, shape) and assigned into the library's buffer in one step,
converting dtype and layout on the way; the binding keeps no reference to it.
"""

from __future__ import annotations

import ctypes
import itertools
import threading
import weakref
from dataclasses import dataclass, field
from sys import getrefcount
from typing import Any, Callable

import numpy as np
import numpy.typing as npt

from . import _structs as S

IdsArray = npt.NDArray[np.int32]

FAILED = 1
"""What a trampoline returns to C when the Python side failed; quoted in gi_last_error()."""

INT32 = np.dtype(np.int32)
_REAL_KINDS = "iuf"


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


_byte_arrays: dict[int, Any] = {}  # size -> ctypes.c_char * size: making the type is the slow part


def _bytes_at(pointer: int, size: int) -> Any:
    """A ctypes byte array over library memory: valid only during the call that passed `pointer`."""
    byte_array = _byte_arrays.get(size)
    if byte_array is None:
        byte_array = _byte_arrays[size] = ctypes.c_char * size
    return byte_array.from_address(pointer)


def view(pointer: int, shape: tuple[int, ...], dtype: np.dtype[Any]) -> np.ndarray:
    """A numpy array over library memory: valid only during the call that passed `pointer`."""
    size = dtype.itemsize * (shape[0] if len(shape) == 1 else shape[0] * shape[1])
    return np.ndarray(shape, dtype, _bytes_at(pointer, size))  # numpy reads the ctypes array's buffer


class OutputView:
    """A scorer's view of the library's output buffer, remade when the address or count changes.

    The trampoline compares ``pointer`` and ``n`` itself (no method call on
    the common path) and calls :meth:`remake` when either differs. The view
    is only used during a call that passed its very address and count, and
    never leaves this module.
    """

    __slots__ = ("dtype", "_shape_of", "_dim", "pointer", "n", "shape", "array")

    def __init__(self, dtype: np.dtype[Any], shape_of: Callable[[int, int], tuple[int, ...]], dim: int) -> None:
        self.dtype, self._shape_of, self._dim = dtype, shape_of, dim
        self.pointer, self.n = 0, -1
        self.shape: tuple[int, ...] = ()
        self.array: np.ndarray | None = None

    def remake(self, pointer: int, n: int) -> None:
        self.shape = self._shape_of(n, self._dim)
        self.array = view(pointer, self.shape, self.dtype)
        self.pointer, self.n = pointer, n


class IdsCopies:
    """The ids array a callback receives: a read-only int32 copy owned by Python.

    One array is reused from call to call while only this object refers to
    it; when anything else does (the callback kept ``ids`` or a view of it,
    or a traceback keeps the callback's frame), the next call gets a new one,
    so what was kept is never overwritten. The array is read-only to Python
    from the start; the binding writes it through a memoryview taken before
    (numpy keeps a view's base pointing at the array, so one reference count
    tells whether anything refers to it). The copy is one memoryview
    assignment from a byte view of the library's ids, kept while their
    address and count stay the same.
    """

    __slots__ = ("_array", "_target", "_unshared", "_pointer", "_n", "_source")

    def __init__(self) -> None:
        self._fresh(0)
        self._pointer, self._n = 0, -1
        self._source = memoryview(b"")

    def _fresh(self, n: int) -> IdsArray:
        array = self._array = np.empty(n, dtype=INT32)
        self._target = memoryview(array).cast("B")  # refers to the array: counted below
        array.flags.writeable = False
        # The count take() sees when nothing else refers to it (its local `array` included).
        self._unshared = getrefcount(array)
        return array

    def take(self, pointer: int | None, n: int) -> IdsArray:
        array = self._array
        if len(array) != n or getrefcount(array) != self._unshared:
            array = self._fresh(n)
        if n and pointer:
            if pointer != self._pointer or n != self._n:
                self._source = memoryview(_bytes_at(pointer, 4 * n)).cast("B")
                self._pointer, self._n = pointer, n
            self._target[:] = self._source
        return array


@dataclass(eq=False)
class Context:
    """What a trampoline needs to call one registered Python function."""

    kind: str  # "unary" | "embedding" | "pairwise" | "denoiser" | "progress"
    name: str
    fn: Callable[..., Any]
    slot: ExceptionSlot
    owner: dict[int, Context]
    """The session's contexts, to which this one belongs."""
    dim: int = 0
    ids: IdsCopies = field(default_factory=IdsCopies)
    out: OutputView | None = None
    """A scorer's view of its output buffer (None for the denoiser)."""

    def describe(self) -> str:
        if self.kind in _NOT_SCORERS:
            return _NOT_SCORERS[self.kind]
        return f"{self.kind} scorer '{self.name}'"


_NOT_SCORERS = {"denoiser": "the denoiser", "progress": "the progress hook"}


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


def _destroy(user: int | None) -> None:
    with _lock:
        ref = _registry.pop(user or 0, None)
    context = None if ref is None else ref()
    if context is not None:
        context.owner.pop(user or 0, None)


@dataclass(frozen=True)
class Expected:
    """What a scorer's Python function must return for n ids."""

    shape: Callable[[int, int], tuple[int, ...]]
    """(n, dim) -> the shape of the values."""
    dtype: np.dtype[Any]
    """What the library's buffer holds; any real dtype is converted."""
    meaning: str
    """The shape in words, for messages; "{dim}" is filled in."""

    def checked(self, context: Context, step: int, value: Any, shape: tuple[int, ...]) -> np.ndarray:
        """`value` as an array of real numbers and of `shape`, or an error naming the scorer."""
        where = f"{context.describe()} at step {step}"
        try:
            array = np.asarray(value)
        except Exception as error:
            raise TypeError(f"{where} returned {type(value).__name__}, which is not an array: {error}") from None
        meaning = self.meaning.format(dim=context.dim)
        if array.dtype.kind not in _REAL_KINDS:
            got = "None" if value is None else f"dtype {array.dtype}"
            raise TypeError(f"{where} returned {got}; expected real numbers (float32 or float64) "
                            f"of shape {shape} ({meaning})")
        if array.shape != shape:
            raise ValueError(f"{where} returned shape {array.shape}; expected {shape} ({meaning})")
        return array


def trampoline(c_type: Any, expected: Expected | None) -> Any:
    """The C function pointer of one callback kind, around the one generic caller.

    C passes (user, step, ids, n, ...): a scorer's output buffer comes last
    (after dim for embeddings), and `expected` says what its Python function
    must return; the denoiser has none (expected None: its return value is
    ignored). Runs once per callback, so the common case is kept short: a
    numpy array of the right shape and a real dtype goes straight into the
    library's buffer (converted by the assignment), through the scorer's
    cached view of it; anything else goes through Expected.checked.
    """

    # Closure cells, not globals: read once per callback each.
    contexts, ndarray, real_kinds = _registry.get, np.ndarray, _REAL_KINDS

    def call(user: int | None, step: int, ids: int | None, n: int, *rest: Any) -> int:
        ref = contexts(user or 0)
        context = None if ref is None else ref()
        if context is None or (rest and not rest[-1]):
            return FAILED
        try:
            value = context.fn(step, context.ids.take(ids, n))
            if expected is not None:
                out = context.out
                pointer = rest[-1]
                if pointer != out.pointer or n != out.n:
                    out.remake(pointer, n)
                if (type(value) is not ndarray or value.shape != out.shape
                        or (value.dtype is not out.dtype and value.dtype.kind not in real_kinds)):
                    value = expected.checked(context, step, value, out.shape)
                if n:
                    out.array[...] = value
            return 0
        except BaseException as error:  # noqa: B036 - KeyboardInterrupt too: re-raised after C returns
            context.slot.store(error)
            return FAILED

    return c_type(call)


def _progress(user: int | None, progress: Any) -> int:
    """gi_progress_fn: the hook of Session.run(progress=...); a truthy return stops the run."""
    ref = _registry.get(user or 0)
    context = None if ref is None else ref()
    if context is None or not progress:
        return FAILED
    try:
        return 1 if context.fn(progress.contents) else 0
    except BaseException as error:  # noqa: B036 - re-raised by run() after C returns
        context.slot.store(error)
        return FAILED


# Alive for the life of the process, like the trampolines made in _kinds.
DESTROY = S.DESTROY_FN(_destroy)
NULL_DESTROY = S.DESTROY_FN()
PROGRESS = S.PROGRESS_FN(_progress)
NULL_PROGRESS = S.PROGRESS_FN()
