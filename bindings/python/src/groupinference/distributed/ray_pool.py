"""The Ray adapter: workers are Ray actors the caller created (ActorPool's shape).

Ray is imported when a RayPool is made, not when groupinference.distributed is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence, TypeVar

from .errors import WorkerError
from .pool import Gone, Move, Pool, _names

K = TypeVar("K")

__all__ = ["RayPool"]

_ARGUMENT_FAILED = "input arguments for this task could not be computed"
"""Ray's words when a task failed because the task producing its argument failed:
a put whose take raised."""


def _import_ray() -> Any:
    try:
        import ray
    except ImportError as error:
        raise ImportError("groupinference.distributed.RayPool needs Ray: pip install 'ray>=2.9'") from error
    return ray


@dataclass(frozen=True)
class _Call:
    method: str
    ref: Any


class RayPool(Pool):
    """Ray actors as workers, each an actor of a class that follows :class:`Worker`.

    ``RayPool([ray.remote(MyWorker).remote(...) for _ in range(4)])``. The pool
    does not own the actors: it never kills them. An actor that dies (its
    process ended, ``ray.kill``, its node lost) answers :class:`Gone`; one whose
    method raises makes the driver raise :class:`WorkerError` with the actor's
    traceback. Candidates move between actors as object references: ``put``
    runs on the target with the ``take`` result as its argument, so the state
    goes actor to actor through Ray's object store, never through the driver.
    """

    def __init__(self, actors: Sequence[Any], names: Sequence[str] | None = None) -> None:
        self._ray = _import_ray()
        from ray.exceptions import RayActorError, RayTaskError
        self._dead_errors: tuple[type[BaseException], ...] = (RayActorError,)
        unavailable = getattr(self._ray.exceptions, "ActorUnavailableError", None)
        if unavailable is not None:  # Ray >= 2.30; the actor is restarting and lost its state anyway
            self._dead_errors += (unavailable,)
        self._task_error = RayTaskError
        self.actors = list(actors)
        if not self.actors:
            raise ValueError("actors is empty: a pool needs at least one actor")
        for i, actor in enumerate(self.actors):
            if not isinstance(actor, self._ray.actor.ActorHandle):
                raise TypeError(f"actors[{i}] is a {type(actor).__name__}, not a Ray actor handle "
                                "(create it with ray.remote(WorkerClass).remote(...))")
        self._names = _names(names, len(self.actors))

    @property
    def names(self) -> list[str]:
        return list(self._names)

    def submit(self, worker: int, method: str, *args: Any) -> _Call:
        return _Call(method, getattr(self.actors[worker], method).remote(*args))

    def gather(self, tickets: Mapping[K, tuple[int, Any]]) -> dict[K, Any]:
        try:  # the usual case, in one call (one list get costs less than one get per ticket)
            return dict(zip(tickets, self._ray.get([call.ref for _, call in tickets.values()]), strict=True))
        except (*self._dead_errors, self._task_error):
            pass  # find out which ticket failed, and how, one at a time
        out: dict[K, Any] = {}
        failure: tuple[int, str, BaseException] | None = None
        for key, (worker, call) in tickets.items():  # every ticket is waited for, even after a failure
            try:
                out[key] = self._ray.get(call.ref)
            except self._dead_errors as error:  # before RayTaskError: RayTaskError(ActorDiedError) is both
                out[key] = Gone(_reason(error))
            except self._task_error as error:
                failure = failure or (worker, call.method, error)
        if failure is not None:
            worker, method, raised = failure
            raise WorkerError(self._names[worker], method, str(raised)) from raised
        return out

    def move(self, moves: Sequence[Move]) -> tuple[list[bool], dict[int, str]]:
        puts = [(m, self.actors[m.dst].put.remote(self.actors[m.src].take.remote(m.ids))) for m in moves]
        arrived = [False] * len(moves)
        dead: dict[int, str] = {}
        failure: tuple[Move, BaseException] | None = None
        for i, (m, ref) in enumerate(puts):
            try:
                self._ray.get(ref)
                arrived[i] = True
            except (*self._dead_errors, self._task_error) as error:
                # Either end may have died or raised; a put fails as well when its take did.
                for w in (m.src, m.dst):
                    if w not in dead and (reason := self._ping(w)) is not None:
                        dead[w] = reason
                if m.src not in dead and m.dst not in dead and failure is None:
                    failure = (m, error)
        if failure is not None:
            m, raised = failure
            raiser, method = (m.src, "take") if _ARGUMENT_FAILED in str(raised) else (m.dst, "put")
            raise WorkerError(self._names[raiser], method, str(raised)) from raised
        return arrived, dead

    def _ping(self, worker: int) -> str | None:
        """None if the actor answers, else why not. ``__ray_ready__`` is the no-op method
        Ray gives every actor."""
        try:
            self._ray.get(self.actors[worker].__ray_ready__.remote())
            return None
        except self._dead_errors as error:
            return _reason(error)


def _reason(error: BaseException) -> str:
    """Ray's explanation of an actor's death, in one line."""
    text = " ".join(str(error).split())
    start = text.find("The actor is dead because")
    return text[start:start + 300] if start >= 0 else text[:300]
