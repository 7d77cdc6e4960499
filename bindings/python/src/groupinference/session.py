"""Session: group inference over M candidates, driven by callbacks or by the host.

>>> import numpy as np, groupinference as gi
>>> quality = np.linspace(0, 1, 16)
>>> looks = np.random.default_rng(0).normal(size=(16, 8))
>>> with gi.Session(num_candidates=16, group_size=4, num_steps=3) as s:
...     _ = s.add_unary_scorer("quality", lambda step, ids: quality[ids])
...     _ = s.add_embedding_scorer("looks", lambda step, ids: looks[ids], dim=8)
...     s.set_denoiser(lambda step, ids: None)
...     s.run()
...     len(s.result().ids)
4
"""

from __future__ import annotations

import ctypes
import os
import weakref
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import numpy.typing as npt

from . import _callbacks as CB
from . import _convert as C
from . import _ffi
from . import _structs as S
from ._kinds import DENOISE, NULL_DENOISE, SCORER_KINDS
from ._progress import ProgressArg, progress_function
from ._options import (
    DEFAULT_NORMALIZE,
    DEFAULT_SCHEDULE,
    DEFAULT_SOLVER,
    DEFAULTS,
    NormalizeName,
    ScheduleName,
    SolverName,
    session_options,
)
from .errors import GroupInferenceError, HandleError
from .results import Diagnostics, Progress, Result, StepRecord, bound_kind, optional, solve_status

# The result types are defined in .results; importing them from here keeps working.
__all__ = ["Session", "Progress", "Result", "StepRecord", "Diagnostics"]

IdsArray = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float64]
ScorerFn = Callable[[int, IdsArray], Any]
"""fn(step, ids) -> scores: (n,) for unary, (n, dim) for embedding, (n, n) for pairwise scorers."""
DenoiserFn = Callable[[int, IdsArray], object]
"""fn(step, ids): advance these candidates by one step and refresh their previews (return value ignored)."""


@dataclass(frozen=True)
class _Scorer:
    name: str
    kind: str
    dim: int


class Session:
    """A group-inference session (gi_session): M candidates with stable ids 0..M-1.

    ``schedule`` says how the survivors shrink (gi_schedule):

    - ``"ratio"`` (the reference): from ``first_prune_step`` on, keep
      max(ceil(n*(1-prune_ratio)), K) after every step;
    - ``"counts"``: keep ``survivor_counts[t]`` after step t (T entries,
      non-increasing, the last K) - or the counts of ``schedule_file``;
    - ``"calibrated"``: the same as ``"counts"`` with ``schedule_file``, a
      schedule written by :meth:`Calibration.save` (its M, K, T and lambda
      must match) - experimental;
    - ``"adaptive"``: score every step and keep each candidate that could
      still join the best group, within ``budget`` (model evaluations as a
      fraction of M*T, in (0, 1]; at least enough for M + K(T-1)) -
      experimental.

    Experimental parts (the adaptive schedule, calibrated schedules,
    :meth:`diagnostics`, ``StepRecord.group``) may change during 0.x; the
    rest of this class is the stable core (see the README).

    ``restarts``: rounds of iterated local search after the heuristic solver
    (perturbed by ``seed``). ``memory_limit``: bytes the exact search may keep
    for its open nodes (at least 1 MiB); beyond it the search continues
    depth-first.

    Keyword defaults are the library's (read from gi_options_init). Use it as
    a context manager, or call :meth:`close`; a session that is garbage
    collected is closed too. Methods of a closed session raise
    :class:`~groupinference.HandleError`.

    Callbacks receive ``(step, ids)``: the step whose previews they score (-1
    before the first step) and a read-only int32 array of ascending ids. The
    ids array belongs to Python (a copy of the library's), so a callback may
    keep it; what a scorer returns is copied into the library's buffer before
    the callback's C call returns, and not kept. An exception raised by a
    callback - KeyboardInterrupt included - makes the driving method
    (:meth:`step`, :meth:`prune`, :meth:`run`) raise that same exception, with
    the library's message attached as a note. The session stays usable: the
    library retries the failed part on the next call.

    A session must not be used from two threads at once (the library refuses
    with StateError); different sessions may run on different threads.
    """

    def __init__(
        self,
        num_candidates: int = DEFAULTS.num_candidates,
        group_size: int = DEFAULTS.group_size,
        num_steps: int = DEFAULTS.num_steps,
        lam: float = DEFAULTS.lambda_,
        schedule: ScheduleName = DEFAULT_SCHEDULE,
        prune_ratio: float = DEFAULTS.prune_ratio,
        first_prune_step: int = DEFAULTS.first_prune_step,
        survivor_counts: npt.ArrayLike | None = None,
        solver: SolverName = DEFAULT_SOLVER,
        time_limit: float = DEFAULTS.time_limit,
        mip_gap: float = DEFAULTS.mip_gap,
        normalize: NormalizeName = DEFAULT_NORMALIZE,
        trace_every_step: bool = bool(DEFAULTS.trace_every_step),
        seed: int = DEFAULTS.seed,
        budget: float = DEFAULTS.budget,
        schedule_file: str | os.PathLike[str] | None = None,
        restarts: int = DEFAULTS.restarts,
        memory_limit: int = DEFAULTS.memory_limit,
    ) -> None:
        self._handle: int | None = None
        options, counts = session_options(
            num_candidates=num_candidates, group_size=group_size, num_steps=num_steps, lam=lam,
            schedule=schedule, prune_ratio=prune_ratio, first_prune_step=first_prune_step,
            survivor_counts=survivor_counts, solver=solver, time_limit=time_limit, mip_gap=mip_gap,
            normalize=normalize, trace_every_step=trace_every_step, seed=seed, budget=budget,
            schedule_file=schedule_file, restarts=restarts, memory_limit=memory_limit,
        )
        handle = S.SessionHandle()
        _ffi.gi_session_create(ctypes.byref(options), ctypes.byref(handle))
        del counts  # copied by gi_session_create
        self._handle = handle.value
        self._num_candidates = int(options.num_candidates)
        self._group_size = int(options.group_size)
        self._num_steps = int(options.num_steps)
        self._lam = float(options.lambda_)
        self._scorers: dict[int, _Scorer] = {}
        self._slot = CB.ExceptionSlot()
        self._contexts: dict[int, CB.Context] = {}  # what the callbacks need; see _callbacks
        # Destroys the C session (and so runs the destroy hooks) on close(),
        # on garbage collection, or at interpreter exit - exactly once.
        self._finalizer = weakref.finalize(self, _ffi.gi_session_destroy, self._handle)

    # -- lifecycle -------------------------------------------------------------

    def close(self) -> None:
        """Destroy the C session and release the callbacks. Idempotent."""
        if self._handle is not None:
            self._handle = None
            self._finalizer()

    @property
    def closed(self) -> bool:
        return self._handle is None

    def __enter__(self) -> Session:
        self._live()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        if self._handle is None:
            return "<groupinference.Session closed>"
        return (f"<groupinference.Session M={self._num_candidates} K={self._group_size} "
                f"T={self._num_steps} at {self._handle:#x}>")

    def __reduce_ex__(self, protocol: Any) -> Any:
        # A copy would share the C session and its finalizer.
        raise TypeError("a groupinference.Session cannot be copied or pickled")

    def _live(self) -> int:
        if self._handle is None:
            raise HandleError(S.GI_ERR_HANDLE, "the session is closed (close() was called or its with-block ended)")
        return self._handle

    # -- configuration -----------------------------------------------------------

    @property
    def num_candidates(self) -> int:
        return self._num_candidates

    @property
    def group_size(self) -> int:
        return self._group_size

    @property
    def num_steps(self) -> int:
        return self._num_steps

    @property
    def lam(self) -> float:
        return self._lam

    @property
    def scorers(self) -> dict[str, int]:
        """Registered scorers: name -> scorer id."""
        return {s.name: i for i, s in self._scorers.items()}

    # -- scorers -----------------------------------------------------------------

    def add_unary_scorer(self, name: str, fn: ScorerFn | None, weight: float = 1.0) -> int:
        """Register fn(step, ids) -> (n,) scores (higher is better); fn=None for pushed values.

        Returns the scorer id (0, 1, ...), used by push_unary and in the trace.
        """
        return self._add_scorer("unary", name, fn, weight, 0)

    def add_embedding_scorer(self, name: str, fn: ScorerFn | None, dim: int, weight: float = 1.0) -> int:
        """Register fn(step, ids) -> (n, dim) embeddings; the library uses 1 - cos between rows."""
        return self._add_scorer("embedding", name, fn, weight, C.integer("dim", dim, 0, 2**63 - 1))

    def add_pairwise_scorer(self, name: str, fn: ScorerFn | None, weight: float = 1.0) -> int:
        """Register fn(step, ids) -> (n, n) differences (higher is more different)."""
        return self._add_scorer("pairwise", name, fn, weight, 0)

    def _add_scorer(self, kind_name: str, name: str, fn: ScorerFn | None, weight: float, dim: int) -> int:
        handle = self._live()
        kind = SCORER_KINDS[kind_name]
        c_name = C.c_string("name", name)
        c_weight = C.real("weight", weight)
        if fn is None:
            c_fn, user, destroy = kind.null, None, CB.NULL_DESTROY
        elif callable(fn):
            c_fn, destroy = kind.trampoline, CB.DESTROY
            out = CB.OutputView(kind.expected.dtype, kind.expected.shape, dim)
            user = CB.register(CB.Context(kind_name, name, fn, self._slot, self._contexts, dim, out=out))
        else:
            raise TypeError(f"fn must be callable or None, not {type(fn).__name__}")
        scorer_id = ctypes.c_int32(-1)
        # On failure the library calls DESTROY(user) at once: the context is released either way.
        kind.add(handle, c_name, c_weight, dim, c_fn, user, destroy, ctypes.byref(scorer_id))
        self._scorers[scorer_id.value] = _Scorer(name, kind_name, dim)
        return scorer_id.value

    # -- pushed values -----------------------------------------------------------

    def push_unary(self, scorer_id: int, ids: npt.ArrayLike, scores: npt.ArrayLike) -> None:
        """Push one score per id for a scorer registered with fn=None."""
        self._push("unary", scorer_id, ids, scores)

    def push_embeddings(self, scorer_id: int, ids: npt.ArrayLike, embeddings: npt.ArrayLike) -> None:
        """Push one embedding row per id (n x dim, float32 or float64) for a scorer registered with fn=None."""
        self._push("embedding", scorer_id, ids, embeddings)

    def push_pairwise(self, scorer_id: int, ids: npt.ArrayLike, matrix: npt.ArrayLike) -> None:
        """Push an n x n difference matrix over ids for a scorer registered with fn=None."""
        self._push("pairwise", scorer_id, ids, matrix)

    def _push(self, kind_name: str, scorer_id: int, ids: npt.ArrayLike, values: npt.ArrayLike) -> None:
        handle = self._live()
        kind = SCORER_KINDS[kind_name]
        sid = C.integer("scorer_id", scorer_id)
        c_ids = C.ids("ids", ids)
        scorer = self._scorers.get(sid)
        # The registered dim when known; otherwise any (-1), and the library names the mismatch.
        dim = scorer.dim if scorer is not None and scorer.kind == kind_name else -1
        expected = kind.expected
        meaning = expected.meaning.format(dim="dim" if dim < 0 else dim)
        array = C.reals(kind.values_name, values, expected.shape(len(c_ids), dim), expected.dtype.type, meaning)
        row = array.shape[1] if array.ndim == 2 else 0
        kind.push(handle, sid, C.address(c_ids), len(c_ids), row, C.address(array))

    # -- driving ------------------------------------------------------------------

    def set_denoiser(self, fn: DenoiserFn | None) -> None:
        """Set fn(step, ids) that advances these candidates one step; None clears it (host-driven loop)."""
        handle = self._live()
        if fn is None:
            _ffi.gi_set_denoiser(handle, NULL_DENOISE, None, CB.NULL_DESTROY)
            return
        if not callable(fn):
            raise TypeError(f"fn must be callable or None, not {type(fn).__name__}")
        user = CB.register(CB.Context("denoiser", "denoiser", fn, self._slot, self._contexts))
        # The replaced denoiser's context is released by its destroy hook, now.
        _ffi.gi_set_denoiser(handle, DENOISE, user, CB.DESTROY)

    def step(self) -> None:
        """Complete one denoising step (denoise, then score and prune as scheduled)."""
        self._drive(_ffi.gi_step)

    def prune(self, keep: int) -> None:
        """Score the survivors now and keep the best `keep` (K <= keep <= alive)."""
        self._drive(_ffi.gi_prune, C.integer("keep", keep))

    def run(self, progress: ProgressArg = None) -> None:
        """Step until done (needs a denoiser).

        ``progress``: ``True`` shows a tqdm bar (ImportError, before any step,
        when tqdm is not installed); a function ``fn(progress)`` is called
        after every completed step with the session's :class:`Progress` and
        stops the run when it returns something truthy (None or False: go
        on). A stopped run raises :class:`~groupinference.Cancelled` after
        that step; nothing is lost, and ``run()`` or :meth:`step` continue
        where it stopped. The function must not call into the session (the
        library refuses with StateError); an exception it raises stops the run
        the same way and is re-raised here instead of Cancelled.
        """
        if progress is None or progress is False:
            self._drive(_ffi.gi_run)
            return
        handle = self._live()
        function, finish = progress_function(progress, self.progress)
        hook = CB.Context("progress", "progress", lambda p: function(Progress.from_c(p)), self._slot,
                          self._contexts)
        _ffi.gi_set_progress(handle, CB.PROGRESS, CB.register(hook), CB.DESTROY)
        try:
            self._drive(_ffi.gi_run)
        finally:
            finish()
            if self._handle is not None:  # a callback may have closed the session
                # Clearing it releases the hook's context through the destroy hook.
                _ffi.gi_set_progress(self._handle, CB.NULL_PROGRESS, None, CB.NULL_DESTROY)

    def discard(self, ids: npt.ArrayLike) -> None:
        """Remove alive candidates from the survivors without scoring them (e.g. their worker died).

        Allowed before the first step, between steps and while a retry is
        pending (the retry then scores the others). The evaluations already
        spent on them stay counted, the trace gets a discard record
        (``StepRecord.discarded``), and the schedule continues from the
        smaller set. An empty ``ids`` does nothing. ArgumentError when an id
        is out of range, already pruned or discarded, or repeated, or when
        fewer than K candidates would remain (nothing changes then);
        StateError once the session is done.
        """
        handle = self._live()
        c_ids = C.ids("ids", ids)
        _ffi.gi_discard(handle, C.address(c_ids) if len(c_ids) else None, len(c_ids))

    def _drive(self, function: Callable[..., int], *arguments: Any) -> None:
        """Call a driving function; re-raise what a Python callback raised during it."""
        handle = self._live()
        self._slot.take()  # nothing stale from an interrupted earlier call
        failure: GroupInferenceError | None = None
        try:
            function(handle, *arguments)
        except GroupInferenceError as error:
            failure = error
        raised = self._slot.take()
        if raised is None:
            if failure is not None:
                raise failure
            return
        add_note = getattr(raised, "add_note", None)  # Python >= 3.11
        if failure is not None and add_note is not None:
            add_note(f"groupinference: {failure.message} [{failure.status}]")
        # Raised outside the except block, so the callback's traceback and
        # __context__ are kept as they were.
        raise raised

    # -- progress and results -------------------------------------------------------

    @property
    def progress(self) -> Progress:
        """Where the session stands; usable at any time."""
        p = S.GiProgress()
        _ffi.gi_get_progress(self._live(), ctypes.byref(p), ctypes.sizeof(p))
        return Progress.from_c(p)

    @property
    def survivors(self) -> IdsArray:
        """The alive candidates' ids, ascending."""
        handle = self._live()
        return _read(lambda *out: _ffi.gi_survivors(handle, *out), np.int32)

    def result(self) -> Result:
        """The final group; StateError before the session is done."""
        handle = self._live()
        ids = _read(lambda *out: _ffi.gi_result_ids(handle, *out), np.int32)
        unary = _read(lambda *out: _ffi.gi_result_unary(handle, *out), np.float64)
        pairwise = _read(lambda *out: _ffi.gi_result_pairwise(handle, *out), np.float64)
        progress = self.progress
        assert progress.objective is not None  # done, since gi_result_ids succeeded
        return Result(
            ids=ids, unary=unary, pairwise=pairwise.reshape(len(ids), len(ids)), objective=progress.objective,
            evaluations=progress.evaluations, naive_evaluations=progress.naive_evaluations,
            records=self.records(),
        )

    def records(self) -> list[StepRecord]:
        """The per-step trace so far: one record per scoring of the survivors, and one per discard."""
        handle = self._live()
        count = ctypes.c_size_t()
        _ffi.gi_trace_count(handle, ctypes.byref(count))
        return [self._record(handle, index) for index in range(count.value)]

    def _record(self, handle: int, index: int) -> StepRecord:
        r = S.GiStepRecord()
        _ffi.gi_trace_record(handle, index, ctypes.byref(r), ctypes.sizeof(r))

        def scores(which: int) -> FloatArray:
            return _read(lambda *out: _ffi.gi_trace_scores(handle, index, which, *out), np.float64)

        return StepRecord(
            step=r.step,
            ids=_read(lambda *out: _ffi.gi_trace_ids(handle, index, *out), np.int32),
            kept=_read(lambda *out: _ffi.gi_trace_kept(handle, index, *out), np.int32),
            group=_read(lambda *out: _ffi.gi_trace_group(handle, index, *out), np.int32),
            unary=scores(S.GI_TRACE_UNARY),
            diversity=scores(S.GI_TRACE_DIVERSITY),
            scorer_values={s.name: scores(i) for i, s in sorted(self._scorers.items())},
            solve_status=solve_status(r.solve_status),  # type: ignore[arg-type]
            objective=optional(r.objective), bound=optional(r.bound), gap=optional(r.gap),
            evaluations=r.evaluations, seconds_scoring=r.seconds_scoring, seconds_solving=r.seconds_solving,
            on_demand=bool(r.on_demand), is_final=bool(r.is_final), discarded=r.discarded,
            bound_kind=bound_kind(r.bound_kind),  # type: ignore[arg-type]
        )


    def diagnostics(self, index: int, which: str | int = "unary") -> Diagnostics:
        """How settled record `index`'s scores are (gi_trace_diagnostics). Experimental.

        index: the record's position in :meth:`records` (negative counts from
        the end). which: ``"unary"`` (the combined unary score), ``"diversity"``
        (mean combined pairwise score to the other scored candidates - it also
        moves when the scored set shrinks), or a scorer's name or id.
        """
        handle = self._live()
        position = C.integer("index", index, -(2**62), 2**62)
        if position < 0:
            count = ctypes.c_size_t()
            _ffi.gi_trace_count(handle, ctypes.byref(count))
            if position + count.value < 0:
                raise IndexError(f"index = {index} with {count.value} records")
            position += count.value
        d = S.GiDiagnostics()
        _ffi.gi_trace_diagnostics(handle, position, self._which(which), ctypes.byref(d), ctypes.sizeof(d))
        return Diagnostics.from_c(d)

    def _which(self, which: str | int) -> int:
        """The gi_trace_scores selector of "unary", "diversity", a scorer name or a scorer id."""
        if isinstance(which, str):
            if which == "unary":
                return S.GI_TRACE_UNARY
            if which == "diversity":
                return S.GI_TRACE_DIVERSITY
            for scorer_id, scorer in self._scorers.items():
                if scorer.name == which:
                    return scorer_id
            names = ", ".join(repr(s.name) for s in self._scorers.values())
            raise ValueError(f"which = {which!r} is not 'unary', 'diversity' or a scorer name"
                             + (f" ({names})" if names else " (no scorers registered)"))
        # A scorer id: the library checks its range (and names the valid ones).
        return C.integer("which", which, 0)


def _read(call: Callable[..., int], dtype: Any) -> np.ndarray:
    """An output array of the count-then-fill convention: the library writes into numpy's memory."""
    count = ctypes.c_size_t()
    call(None, 0, ctypes.byref(count))
    out = np.empty(count.value, dtype=dtype)
    if count.value:
        call(C.address(out), count.value, ctypes.byref(count))
    return out[: count.value]
