"""Transports: how the driver reaches its workers.

A pool holds the workers it was given (ActorPool's shape: the caller creates
them) and knows how to call a method on some of them in parallel and how to
move candidates from one worker to another. It does no scheduling: a
candidate's state lives on one worker, so the driver says which worker gets
which call. :class:`LocalPool` calls worker objects in this process, one after
the other; :class:`~groupinference.distributed.RayPool` calls Ray actors.
"""

from __future__ import annotations

import traceback
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Mapping, Sequence, TypeVar

import numpy as np

from .errors import WorkerError

__all__ = ["Pool", "LocalPool", "Gone", "Move"]

K = TypeVar("K")


@dataclass(frozen=True)
class Gone:
    """In a gathered answer: the worker is gone (its process died), with what the transport said."""

    reason: str


@dataclass(frozen=True)
class Move:
    """Move candidates `ids` from worker `src` to worker `dst` (indices into the pool)."""

    src: int
    dst: int
    ids: np.ndarray


class Pool(ABC):
    """The driver's view of its workers, by index 0..len-1."""

    @property
    @abstractmethod
    def names(self) -> list[str]:
        """One name per worker, used in errors and reports."""

    def __len__(self) -> int:
        return len(self.names)

    @abstractmethod
    def submit(self, worker: int, method: str, *args: Any) -> Any:
        """Start `method(*args)` on a worker; returns a ticket for :meth:`gather`.
        Calls submitted to one worker run in the order submitted."""

    @abstractmethod
    def gather(self, tickets: Mapping[K, tuple[int, Any]]) -> dict[K, Any]:
        """Wait for every (worker, ticket) and return each answer under its key, or
        :class:`Gone` for a worker that died. A worker that raised makes this raise
        :class:`WorkerError` (after every ticket has finished)."""

    @abstractmethod
    def move(self, moves: Sequence[Move]) -> tuple[list[bool], dict[int, str]]:
        """Move candidates worker to worker (``take`` there, ``put`` here) without passing
        through the driver. Returns whether each move arrived, and the workers found
        dead with the reason. Raises :class:`WorkerError` if a worker raised."""

    def call(self, method: str, args: Mapping[int, tuple[Any, ...]]) -> dict[int, Any]:
        """Call `method` on several workers in parallel: {worker: args} -> {worker: answer or Gone}."""
        return self.gather({w: (w, self.submit(w, method, *a)) for w, a in args.items()})


@dataclass(frozen=True)
class _Done:
    method: str
    value: Any = None
    error: BaseException | None = None


class LocalPool(Pool):
    """Workers that are plain objects in this process, called one after the other.

    For tests and single-machine users; the driver works the same as with Ray.

    >>> pool = LocalPool([object(), object()])
    >>> pool.names
    ['worker 0', 'worker 1']
    """

    def __init__(self, workers: Sequence[Any], names: Sequence[str] | None = None) -> None:
        self.workers = list(workers)
        if not self.workers:
            raise ValueError("workers is empty: a pool needs at least one worker")
        self._names = _names(names, len(self.workers))

    @property
    def names(self) -> list[str]:
        return list(self._names)

    def submit(self, worker: int, method: str, *args: Any) -> _Done:
        try:
            return _Done(method, value=getattr(self.workers[worker], method)(*args))
        except Exception as error:  # not BaseException: Ctrl-C stops the driver as usual
            return _Done(method, error=error)

    def gather(self, tickets: Mapping[K, tuple[int, Any]]) -> dict[K, Any]:
        for worker, done in tickets.values():
            if done.error is not None:
                raise _local_error(self._names[worker], done) from done.error
        return {key: done.value for key, (worker, done) in tickets.items()}

    def move(self, moves: Sequence[Move]) -> tuple[list[bool], dict[int, str]]:
        for m in moves:
            taken = self.submit(m.src, "take", m.ids)
            if taken.error is not None:
                raise _local_error(self._names[m.src], taken) from taken.error
            put = self.submit(m.dst, "put", taken.value)
            if put.error is not None:
                raise _local_error(self._names[m.dst], put) from put.error
        return [True] * len(moves), {}


def _local_error(name: str, done: _Done) -> WorkerError:
    assert done.error is not None
    return WorkerError(name, done.method, "".join(traceback.format_exception(done.error)))


def _names(names: Sequence[str] | None, count: int) -> list[str]:
    if names is None:
        return [f"worker {i}" for i in range(count)]
    names = [str(n) for n in names]
    if len(names) != count or len(set(names)) != count:
        raise ValueError(f"names: {count} distinct names needed, got {names!r}")
    return names
