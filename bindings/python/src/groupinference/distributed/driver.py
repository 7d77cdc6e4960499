"""The driver: one session decides; the workers denoise and score their shards.

Per step: every worker advances its alive candidates in parallel and, when the
session will read scores, returns them; the driver pushes them (reassembled by
id), steps the session, and tells each worker which of its candidates survive
(sent without waiting: it runs before the worker's next call). Only ids,
scores, embeddings and features reach the driver; latents stay on the workers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence, TypeVar

import numpy as np

from .errors import DistributedError, WorkerError, WorkersLost
from .pool import Gone, Move, Pool
from .rebalance import Rebalance, plan, uneven
from .scorers import ScorerSpec, push, register

__all__ = ["Driver", "DistributedResult", "Loss", "StepTiming"]

K = TypeVar("K")
TicketKey = tuple[str, int]
"""(method, worker): the key of a pending call."""


@dataclass(frozen=True)
class Loss:
    """A worker that died, and the alive candidates that died with it."""

    worker: str
    step: int
    """The step being run when it was found dead (-1: at start)."""
    ids: tuple[int, ...]
    reason: str


@dataclass(frozen=True)
class StepTiming:
    """Where one step's wall time went, as seen by the driver."""

    step: int
    seconds: float
    """The whole step: workers, session, rebalancing."""
    workers: float
    """Waiting for the workers' advance (and the previous step's keep) answers."""
    session: float
    """Assembling and pushing scores, gi_step, reading the survivors."""
    rebalance: float


@dataclass(frozen=True)
class DistributedResult:
    result: Any
    """The session's :class:`groupinference.Result`."""
    outputs: list[Any]
    """What each member of the group's worker returned from ``finalize``, in the order of ``result.ids``."""
    losses: list[Loss]
    rebalances: list[Rebalance]
    timings: list[StepTiming]


class Driver:
    """Group inference with candidates spread over a pool of workers.

    ``session`` is a fresh :class:`groupinference.Session` (no scorers, no
    denoiser, not started); the driver registers ``scorers`` on it as pushed
    scorers and drives it step by step. Candidates are dealt to the workers in
    contiguous blocks of ids unless ``shards`` (one id array per worker, every
    id once) says otherwise.

    ``rebalance``: after a prune, when the largest shard exceeds the balanced
    size by more than this fraction, candidates move between workers
    (:mod:`~groupinference.distributed.rebalance`); None turns it off.

    A worker that dies takes its alive candidates with it: the driver discards
    them from the session (``Session.discard``) and goes on with the others
    while at least K remain; otherwise it raises :class:`WorkersLost` naming
    the workers and ids. A worker that raises makes the driver raise
    :class:`WorkerError` with the worker's traceback; after that (or any
    failure once workers have advanced) the driver refuses to go on, since its
    workers may be a step ahead of the session.

    >>> import numpy as np, groupinference as gi
    >>> from groupinference.distributed import Driver, LocalPool, Unary, Embedding
    >>> class Toy:   # a "model" whose candidate i scores i and looks like (cos i, sin i)
    ...     def start(self, ids): self.held = set(ids.tolist())
    ...     def advance(self, ids, step, want_scores):
    ...         if want_scores:
    ...             return {"quality": ids / 8.0, "looks": np.c_[np.cos(ids), np.sin(ids)]}
    ...     def keep(self, ids): self.held = set(ids.tolist())
    ...     def take(self, ids): self.held -= set(ids.tolist()); return ids.tolist()
    ...     def put(self, state): self.held |= set(state)
    ...     def finalize(self, ids): return [f"image {i}" for i in ids]
    >>> with gi.Session(num_candidates=8, group_size=2, num_steps=3) as s:
    ...     run = Driver(s, LocalPool([Toy(), Toy()]), [Unary("quality"), Embedding("looks", dim=2)]).run()
    >>> run.result.ids.tolist(), run.outputs
    ([4, 7], ['image 4', 'image 7'])
    """

    def __init__(self, session: Any, pool: Pool, scorers: Sequence[ScorerSpec], *,
                 rebalance: float | None = 0.25, shards: Sequence[Any] | None = None) -> None:
        if rebalance is not None and not rebalance >= 0:
            raise ValueError(f"rebalance = {rebalance!r}: a fraction >= 0, or None to turn rebalancing off")
        self.session, self.pool, self.rebalance = session, pool, rebalance
        self._names = pool.names
        self._shards = _deal(session.num_candidates, len(self._names), shards)
        self._registered = register(session, scorers)
        self._dead: dict[int, str] = {}
        self._pending: dict[TicketKey, tuple[int, Any]] = {}  # keep calls not yet waited for
        self._started = False
        self._broken: str | None = None
        self.losses: list[Loss] = []
        self.rebalances: list[Rebalance] = []
        self.timings: list[StepTiming] = []

    # -- state ------------------------------------------------------------------

    @property
    def shards(self) -> dict[str, np.ndarray]:
        """Alive candidates per live worker, by worker name."""
        return {self._names[w]: ids.copy() for w, ids in enumerate(self._shards) if w not in self._dead}

    @property
    def shard_sizes(self) -> tuple[int, ...]:
        """Alive candidates per worker, in pool order (0 for a dead worker)."""
        return tuple(len(ids) for ids in self._shards)

    def _live(self) -> list[int]:
        return [w for w in range(len(self._names)) if w not in self._dead]

    def _usable(self) -> None:
        if self._broken is not None:
            raise DistributedError(f"this run cannot go on: {self._broken}")

    # -- driving ------------------------------------------------------------------

    def start(self) -> None:
        """Create every candidate on its worker (done by the first :meth:`step` if not called)."""
        self._usable()
        if self._started:
            return
        self._started = True
        answers = self._gather({w: (w, self.pool.submit(w, "start", ids))
                                for w, ids in enumerate(self._shards) if len(ids)})
        self._lose({w: a.reason for w, a in answers.items() if isinstance(a, Gone)}, step=-1)

    def step(self) -> None:
        """One denoising step on every worker, then the session's step (score, prune)."""
        self.start()
        progress = self.session.progress
        if progress.done:
            raise DistributedError("the session is done: call finalize() for the outputs")
        step, want = progress.steps_done, progress.scores_needed
        began = time.perf_counter()
        tickets, self._pending = self._pending, {}
        for w in self._live():
            if len(self._shards[w]):
                tickets[("advance", w)] = (w, self.pool.submit(w, "advance", self._shards[w], step, want))
        answers = self._gather(tickets)
        waited = time.perf_counter()
        self._lose({key[1]: a.reason for key, a in answers.items() if isinstance(a, Gone)}, step)
        try:
            if want:
                scores = {self._names[w]: (self._shards[w], a) for (kind, w), a in answers.items()
                          if kind == "advance" and w not in self._dead}
                push(self.session, self._registered, self.session.survivors, scores)
            self.session.step()
        except BaseException as error:
            self._broken = f"step {step} failed after the workers advanced ({type(error).__name__}: {error})"
            raise
        self._prune_shards(self.session.survivors)
        stepped = time.perf_counter()
        if self.rebalance is not None and not self.session.progress.done:
            self._rebalance(step)
        done = time.perf_counter()
        self.timings.append(StepTiming(step, done - began, waited - began, stepped - waited, done - stepped))

    def run(self, on_step: Callable[[Driver], object] | None = None) -> DistributedResult:
        """Step until the session is done, then :meth:`finalize`. ``on_step(driver)`` is
        called after every step."""
        while not self.session.progress.done:
            self.step()
            if on_step is not None:
                on_step(self)
        outputs = self.finalize()
        return DistributedResult(self.session.result(), outputs, list(self.losses), list(self.rebalances),
                                 list(self.timings))

    def finalize(self) -> list[Any]:
        """The final group's outputs from their workers, in the order of the group's ids."""
        self._usable()
        group = self.session.result().ids
        tickets, self._pending = self._pending, {}
        asked = {}
        for w in self._live():
            mine = self._shards[w][np.isin(self._shards[w], group)]
            if len(mine):
                asked[w] = mine
                tickets[("finalize", w)] = (w, self.pool.submit(w, "finalize", mine))
        answers = self._gather(tickets)
        self._lose({key[1]: a.reason for key, a in answers.items() if isinstance(a, Gone)}, self.session.num_steps)
        outputs: dict[int, Any] = {}
        for w, ids in asked.items():
            got = list(answers[("finalize", w)])
            if len(got) != len(ids):
                raise WorkerError(self._names[w], "finalize", f"returned {len(got)} outputs for {len(ids)} ids")
            outputs.update(zip(ids.tolist(), got, strict=True))
        return [outputs[int(i)] for i in group]

    # -- internals ------------------------------------------------------------------

    def _gather(self, tickets: dict[K, tuple[int, Any]]) -> dict[K, Any]:
        try:
            return self.pool.gather(tickets)
        except WorkerError as error:
            self._broken = f"worker {error.worker!r} raised in {error.method}()"
            raise
        except BaseException as error:  # e.g. Ctrl-C: which workers did their part is unknown
            self._broken = f"interrupted while waiting for the workers ({type(error).__name__})"
            raise

    def _prune_shards(self, survivors: np.ndarray) -> None:
        for w in self._live():
            shard = self._shards[w]
            kept = shard[np.isin(shard, survivors)]
            if len(kept) < len(shard):
                self._shards[w] = kept
                self._pending[("keep", w)] = (w, self.pool.submit(w, "keep", kept))

    def _lose(self, gone: dict[int, str], step: int, stranded: dict[int, np.ndarray] | None = None) -> None:
        """Workers found dead: their candidates (and `stranded` ones that were moving to
        them) leave the session, or the run fails when it cannot do without them."""
        if not gone:
            return
        lost = {}
        for w, reason in gone.items():
            ids = np.union1d(self._shards[w], (stranded or {}).get(w, np.empty(0, np.int64))).astype(np.int64)
            lost[w] = ids
            self._dead[w] = reason
            self._shards[w] = ids[:0]
            self._pending.pop(("keep", w), None)
            self.losses.append(Loss(self._names[w], step, tuple(ids.tolist()), reason))
        every = np.sort(np.concatenate(list(lost.values())))
        progress = self.session.progress
        named = {self._names[w]: ids.tolist() for w, ids in lost.items()}
        if progress.done:
            missing = np.intersect1d(every, self.session.result().ids)
            if len(missing):
                self._broken = f"the final group's ids {missing.tolist()} were lost"
                raise WorkersLost(named, progress.alive - len(missing), self.session.group_size,
                                  f"Members {missing.tolist()} of the final group were lost before their outputs "
                                  "were collected.")
            return
        remaining = progress.alive - len(every)
        if remaining < self.session.group_size:
            self._broken = f"only {remaining} candidates remain"
            raise WorkersLost(named, remaining, self.session.group_size,
                              f"Only {remaining} candidates remain for a group of {self.session.group_size}.")
        if len(every):
            self.session.discard(every)

    def _rebalance(self, step: int) -> None:
        live = self._live()
        sizes = [len(self._shards[w]) for w in live]
        if len(live) < 2 or not uneven(sizes, self.rebalance or 0.0):
            return
        before = self.shard_sizes
        moves = []
        for src, dst, count in plan(sizes):
            src, dst = live[src], live[dst]
            ids = self._shards[src][-count:]  # the highest ids: any would do
            self._shards[src] = self._shards[src][:-count]
            moves.append(Move(src, dst, ids))
        began = time.perf_counter()
        try:
            arrived, dead = self.pool.move(moves)
        except WorkerError as error:
            self._broken = f"worker {error.worker!r} raised in {error.method}() while rebalancing"
            raise
        seconds = time.perf_counter() - began
        stranded: dict[int, list[np.ndarray]] = {}
        for m, ok in zip(moves, arrived, strict=True):
            if ok:
                self._shards[m.dst] = np.union1d(self._shards[m.dst], m.ids)
            elif m.src in dead:
                self._shards[m.src] = np.union1d(self._shards[m.src], m.ids)  # lost with their worker
            else:
                stranded.setdefault(m.dst, []).append(m.ids)  # taken, never put: lost with the target
        self._lose(dead, step, {w: np.concatenate(ids) for w, ids in stranded.items()})
        self.rebalances.append(Rebalance(step, before, self.shard_sizes,
                                         sum(len(m.ids) for m, ok in zip(moves, arrived, strict=True) if ok), seconds))


def _deal(num_candidates: int, workers: int, shards: Sequence[Any] | None) -> list[np.ndarray]:
    """Contiguous blocks of ids, or the given shards after checking they cover every id once."""
    if shards is None:
        return [block.astype(np.int64) for block in np.array_split(np.arange(num_candidates), workers)]
    if len(shards) != workers:
        raise ValueError(f"shards: {len(shards)} given for {workers} workers")
    out = [np.sort(np.asarray(s, dtype=np.int64).reshape(-1)) for s in shards]
    every = np.concatenate(out) if out else np.empty(0, np.int64)
    if len(every) != num_candidates or not np.array_equal(np.sort(every), np.arange(num_candidates)):
        raise ValueError(f"shards must hold every id 0..{num_candidates - 1} exactly once")
    return out
