"""Reliability of Python callbacks, beyond bindings/python/tests/test_callbacks.py.

That suite already covers: a raising scorer (re-raised from run() with its
traceback), wrong shapes and dtypes (ValueError/TypeError naming the scorer
and step), KeyboardInterrupt in the *denoiser*, a real SIGINT during run(),
SystemExit, re-entrant calls. Added here:

- KeyboardInterrupt raised inside each kind of *scorer* (unary, embedding,
  pairwise) during run(), at every step: it surfaces from run(), and the
  session then completes with exactly the result of an undisturbed run;
- an exception at every step for every callback kind, with the same check;
- results that are not arrays at all (None, a generator, a scalar, an object
  whose __array__ raises, a ragged list): an error in Python, never garbage
  passed to C, and the session still completes;
- a callback raising MemoryError / RecursionError (deep recursion inside the
  callback), and BaseException subclasses;
- the process lives on: the same scenarios in a child interpreter exit 0.

Run: /work/main/.venv/bin/python -m pytest -q tests/reliability/test_python_callbacks.py
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import Any, Callable

import numpy as np
import pytest

import groupinference as gi

M, K, T, DIM = 14, 3, 4, 5


class Host:
    def __init__(self) -> None:
        rng = np.random.default_rng(3)
        self.quality = rng.uniform(0.1, 0.9, size=M)
        self.looks = rng.normal(size=(M, DIM)).astype(np.float32)
        self.fault: tuple[str, int, Callable[[], Any]] | None = None  # (kind, step, action) once

    def maybe_fail(self, kind: str, step: int) -> tuple[bool, Any]:
        """(True, the bad result) once, when the fault is due; it may also raise."""
        if self.fault and self.fault[0] == kind and self.fault[1] == step:
            action = self.fault[2]
            self.fault = None
            return True, action()
        return False, None

    def score(self, step: int, ids: np.ndarray) -> Any:
        fired, bad = self.maybe_fail("unary", step)
        return bad if fired else self.quality[ids]

    def embed(self, step: int, ids: np.ndarray) -> Any:
        fired, bad = self.maybe_fail("embedding", step)
        return bad if fired else self.looks[ids]

    def differ(self, step: int, ids: np.ndarray) -> Any:
        fired, bad = self.maybe_fail("pairwise", step)
        return bad if fired else (np.abs(ids[:, None] - ids[None, :]) % 5).astype(float) / 5

    def denoise(self, step: int, ids: np.ndarray) -> None:
        self.maybe_fail("denoiser", step)

    def session(self) -> gi.Session:
        s = gi.Session(num_candidates=M, group_size=K, num_steps=T, lam=0.6, solver="exact",
                       time_limit=60.0, trace_every_step=True)
        s.add_unary_scorer("quality", self.score)
        s.add_embedding_scorer("looks", self.embed, dim=DIM)
        s.add_pairwise_scorer("pairs", self.differ, weight=0.5)
        s.set_denoiser(self.denoise)
        return s


def outcome(s: gi.Session) -> tuple[Any, ...]:
    r = s.result()
    p = s.progress
    return (tuple(int(i) for i in r.ids), p.objective, p.evaluations, p.num_records)


@pytest.fixture(scope="module")
def reference() -> tuple[Any, ...]:
    h = Host()
    with h.session() as s:
        s.run()
        return outcome(s)


def interrupt() -> Any:
    raise KeyboardInterrupt


class Boom(Exception):
    pass


def boom() -> Any:
    raise Boom("callback failed")


KINDS = ["unary", "embedding", "pairwise", "denoiser"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("step", range(T))
@pytest.mark.parametrize("action,error", [(interrupt, KeyboardInterrupt), (boom, Boom)],
                         ids=["KeyboardInterrupt", "exception"])
def test_raise_at_every_step_then_complete(reference: tuple[Any, ...], kind: str, step: int,
                                           action: Callable[[], Any], error: type[BaseException]) -> None:
    h = Host()
    with h.session() as s:
        h.fault = (kind, step, action)
        with pytest.raises(error):
            s.run()
        assert not s.progress.done
        s.run()  # the retry goes through
        assert outcome(s) == reference


class Unconvertible:
    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        raise RuntimeError("cannot convert")


def gen() -> Any:
    return (x for x in range(M))


BAD_RESULTS: list[tuple[str, Callable[[], Any], type[BaseException]]] = [
    ("unary", lambda: None, Exception),
    ("unary", gen, Exception),
    ("unary", lambda: 0.5, Exception),
    ("unary", lambda: Unconvertible(), Exception),
    ("unary", lambda: [[1.0], [1.0, 2.0]], Exception),
    ("unary", lambda: "abc", Exception),
    ("embedding", lambda: None, Exception),
    ("embedding", lambda: np.ones((2, 2, 2), dtype=np.float32), Exception),
    ("embedding", lambda: Unconvertible(), Exception),
    ("pairwise", lambda: None, Exception),
    ("pairwise", lambda: np.ones(3), Exception),
    ("pairwise", lambda: Unconvertible(), Exception),
]


@pytest.mark.parametrize("kind,result,error", BAD_RESULTS,
                         ids=[f"{k}-{i}" for i, (k, _, _) in enumerate(BAD_RESULTS)])
def test_unusable_results_raise_in_python(reference: tuple[Any, ...], kind: str, result: Callable[[], Any],
                                          error: type[BaseException]) -> None:
    h = Host()
    with h.session() as s:
        h.fault = (kind, 1, result)
        with pytest.raises(error) as caught:
            s.run()
        assert not isinstance(caught.value, gi.GroupInferenceError) or "step 1" in str(caught.value)
        s.run()
        assert outcome(s) == reference


def deep(n: int) -> int:
    return deep(n + 1) + 1


@pytest.mark.parametrize("action,error", [
    (lambda: (_ for _ in ()).throw(MemoryError("out of memory")), MemoryError),
    (lambda: deep(0), RecursionError),
    (lambda: (_ for _ in ()).throw(GeneratorExit()), GeneratorExit),
], ids=["MemoryError", "RecursionError", "GeneratorExit"])
def test_severe_exceptions_in_callbacks(reference: tuple[Any, ...], action: Callable[[], Any],
                                        error: type[BaseException]) -> None:
    h = Host()
    with h.session() as s:
        h.fault = ("unary", 2, action)
        with pytest.raises(error):
            s.run()
        s.run()
        assert outcome(s) == reference


def test_solve_qip_rejects_bad_arrays_in_python() -> None:
    u = np.array([0.1, 0.5, 0.3])
    b = np.zeros((3, 3))
    with pytest.raises(Exception):
        gi.solve_qip(u, np.zeros((3, 2)), lam=1.0, k=2)
    with pytest.raises(Exception):
        gi.solve_qip(np.array([0.1, np.nan, 0.3]), b, lam=1.0, k=2)
    with pytest.raises(Exception):
        gi.solve_qip(u, b, lam=float("inf"), k=2)
    with pytest.raises(Exception):
        gi.solve_qip(u, b, lam=1.0, k=4)
    r = gi.solve_qip(u, b, lam=1.0, k=2)
    assert sorted(int(i) for i in r.selection) == [1, 2]


def test_the_process_lives_on_after_every_failure() -> None:
    """The scenarios above in a fresh interpreter that then exits normally."""
    code = textwrap.dedent(
        """
        import numpy as np, groupinference as gi
        def make(fail):
            s = gi.Session(num_candidates=10, group_size=2, num_steps=3)
            s.add_unary_scorer("q", fail)
            s.set_denoiser(lambda step, ids: None)
            return s
        failures = [lambda st, ids: 1 / 0, lambda st, ids: None, lambda st, ids: np.ones(3),
                    lambda st, ids: (_ for _ in ()).throw(KeyboardInterrupt())]
        for fail in failures:
            s = make(fail)
            try:
                s.run()
            except BaseException as e:
                pass
            s.close()
        print("alive")
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "alive"
