"""What can go wrong between the driver and its workers."""

from __future__ import annotations

from typing import Sequence

__all__ = ["DistributedError", "WorkerError", "WorkersLost", "ProtocolError"]


class DistributedError(RuntimeError):
    """Base of the errors of groupinference.distributed."""


class WorkerError(DistributedError):
    """A worker raised an exception. ``str()`` ends with the worker's own traceback
    (``remote_traceback``); the original exception (a Ray ``RayTaskError`` for a Ray
    actor) is the ``__cause__``. The run cannot continue: its workers may have done
    different amounts of work."""

    def __init__(self, worker: str, method: str, remote_traceback: str) -> None:
        self.worker, self.method, self.remote_traceback = worker, method, remote_traceback
        super().__init__(f"worker {worker!r} raised in {method}():\n{remote_traceback.rstrip()}")


class WorkersLost(DistributedError):
    """Workers died and took candidates the run cannot do without: fewer than K would
    remain, or members of the final group were lost before their outputs came back.
    Names every lost worker and the ids it held."""

    def __init__(self, lost: dict[str, Sequence[int]], alive: int, group_size: int, detail: str) -> None:
        self.lost = {worker: [int(i) for i in ids] for worker, ids in lost.items()}
        self.alive, self.group_size = alive, group_size
        held = "; ".join(f"worker {w!r} held ids {ids}" for w, ids in self.lost.items())
        super().__init__(f"lost worker{'s' if len(lost) > 1 else ''} {', '.join(map(repr, lost))}: {held}. {detail}")


class ProtocolError(DistributedError, ValueError):
    """A worker's answer does not fit the protocol (a missing scorer, a wrong row count)."""
