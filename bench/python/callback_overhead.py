"""What one Python scorer callback costs beyond the user's own code (issue 13, target 4: <= 2 us).

    .venv/bin/python bench/python/callback_overhead.py [--candidates 64] [--dim 64] [--scorers 16]

Method. A session keeps every candidate alive (the ratio schedule prunes only
at its last step) and scores every step (``trace_every_step``), so each
``step()`` calls every scorer once with all M ids; the library times each
scoring (``StepRecord.seconds_scoring``: the callbacks and combining their
values, not the solve). The same sessions run three ways, interleaved, with S
scorers of the kind measured:

- written in Python through the binding (``fn(step, ids)`` returns a ready array);
- written in C (compiled here with ``cc``), writing the same values, so the
  library's own work is the same;
- the ctypes floor: a bare ctypes callback (a Python function behind a
  CFUNCTYPE) that only copies the ready values into the library's buffer with
  ``ctypes.memmove`` - what any ctypes binding pays at least.

    overhead per callback = (scoring with Python scorers - scoring with C scorers) / S
                            - the Python function's own time (measured by calling it directly)

It is everything the binding adds to a scorer: the ctypes crossing into
Python, finding the scorer, the ids array, checking the result and copying it
into the library's buffer. The floor is reported the same way, with two more
references measured in the same run: a bare ctypes call from Python into the
library (``gi_version_number()``) and a bare ctypes callback from C into
Python (libc's ``qsort`` with a comparator that returns 0).

Figures are medians (over a session's scorings, then over sessions); the
machine's load moves them, the ratios less so. For the embedding and pairwise
kinds the library's own work per scorer is large, so their differences are
noisier: a smaller ``--candidates``/``--dim`` shows them better. Not a test:
it prints, it asserts nothing.
"""

from __future__ import annotations

import argparse
import ctypes
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

import groupinference as gi
from groupinference import _callbacks, _ffi
from groupinference import _structs as S

C_SCORERS = r"""
#include <stddef.h>
#include <stdint.h>
#include <string.h>
/* Copy the ready values behind `user`, as the Python scorers return a ready
** array: every scoring asks for all ids 0..M-1 in order (nothing is pruned
** before the last step), so the two do the same work for the library. */
int unary(void *user, int32_t step, const int32_t *ids, size_t n, double *out) {
    (void)step; (void)ids;
    memcpy(out, user, n * sizeof *out);
    return 0;
}
int embedding(void *user, int32_t step, const int32_t *ids, size_t n, size_t dim, float *out) {
    (void)step; (void)ids;
    memcpy(out, user, n * dim * sizeof *out);
    return 0;
}
int pairwise(void *user, int32_t step, const int32_t *ids, size_t n, double *out) {
    (void)step; (void)ids;
    memcpy(out, user, n * n * sizeof *out);
    return 0;
}
"""

C_TYPES = {"unary": S.UNARY_FN, "embedding": S.EMBEDDING_FN, "pairwise": S.PAIRWISE_FN}
WAYS = ("python", "c", "floor")


def python_values(m: int, dim: int) -> dict[str, np.ndarray]:
    """What the C scorers write for ids 0..m-1, as the Python scorers return it."""
    ids = np.arange(m)
    d = np.arange(dim)
    return {
        "unary": 0.5 + 0.01 * (ids % 37),
        "embedding": (1 + (ids[:, None] * 7 + d[None, :] * 3) % 11).astype(np.float32),
        "pairwise": np.abs(ids[:, None] - ids[None, :]).astype(np.float64),
    }


def compile_c_scorers(folder: Path) -> ctypes.CDLL:
    source, library = folder / "scorers.c", folder / "libscorers.so"
    source.write_text(C_SCORERS)
    subprocess.run(["cc", "-O2", "-shared", "-fPIC", str(source), "-o", str(library)], check=True)
    return ctypes.CDLL(str(library))


def floor_scorer(kind: str, values: np.ndarray) -> Any:
    """A bare ctypes callback: copies the ready values into the library's buffer, nothing else."""
    source, size = values.ctypes.data, values.nbytes

    def copy(*arguments: Any) -> int:
        ctypes.memmove(arguments[-1], source, size)
        return 0

    return C_TYPES[kind](copy)


def add_function_pointer(session: gi.Session, kind: str, name: str, fn: Any, dim: int, user: int | None = None) -> None:
    """Register a C function pointer as a scorer (what a C host does), through the binding's declarations."""
    handle, c_name, sid = session._live(), name.encode(), ctypes.c_int32()
    if kind == "embedding":
        _ffi.gi_add_embedding_scorer(handle, c_name, 1.0, dim, fn, user, _callbacks.NULL_DESTROY, ctypes.byref(sid))
    elif kind == "unary":
        _ffi.gi_add_unary_scorer(handle, c_name, 1.0, fn, user, _callbacks.NULL_DESTROY, ctypes.byref(sid))
    else:
        _ffi.gi_add_pairwise_scorer(handle, c_name, 1.0, fn, user, _callbacks.NULL_DESTROY, ctypes.byref(sid))


def add_python_scorer(session: gi.Session, kind: str, name: str, fn: Callable[..., Any], dim: int) -> None:
    if kind == "unary":
        session.add_unary_scorer(name, fn)
    elif kind == "embedding":
        session.add_embedding_scorer(name, fn, dim=dim)
    else:
        session.add_pairwise_scorer(name, fn)


def scoring_seconds(m: int, rounds: int, add: Callable[[gi.Session, str], None], scorers: int) -> float:
    """Median over one session's scorings of the library's own scoring time (callbacks and
    combining; the solve is timed apart): a median, so a scoring the machine's load delayed counts little."""
    # Pruning only at the last step, scoring every step: each step() scores all M.
    with gi.Session(num_candidates=m, group_size=2, num_steps=rounds + 2, first_prune_step=rounds + 1,
                    solver="heuristic", trace_every_step=True) as s:
        for i in range(scorers):
            add(s, f"s{i}")
        for _ in range(rounds + 1):
            s.step()
        return statistics.median(record.seconds_scoring for record in s.records()[1:])  # [0]: warm-up


def callback_overhead(kind: str, m: int, dim: int, scorers: int, rounds: int, repeats: int,
                      c_lib: ctypes.CDLL) -> dict[str, float]:
    values = python_values(m, dim)[kind]
    fn = lambda step, ids: values  # noqa: E731 - the user's own code: as little as possible
    floor = floor_scorer(kind, values)
    adders: dict[str, Callable[[gi.Session, str], None]] = {
        "python": lambda s, name: add_python_scorer(s, kind, name, fn, dim),
        "c": lambda s, name: add_function_pointer(s, kind, name, ctypes.cast(getattr(c_lib, kind), C_TYPES[kind]), dim,
                                                  values.ctypes.data),
        "floor": lambda s, name: add_function_pointer(s, kind, name, floor, dim),
    }
    runs: dict[str, list[float]] = {way: [] for way in WAYS}
    for _ in range(repeats):  # interleaved, so a change in the machine's load hits all three
        for way in WAYS:
            runs[way].append(scoring_seconds(m, rounds, adders[way], scorers))
    ids = np.arange(m, dtype=np.int32)
    user = timed(lambda: fn(0, ids))
    median = {way: statistics.median(runs[way]) for way in WAYS}
    return {
        **median, "user": user,
        "overhead": (median["python"] - median["c"]) / scorers - user,
        "floor overhead": (median["floor"] - median["c"]) / scorers,
    }


def timed(call: Callable[[], object], number: int = 20000, repeats: int = 7) -> float:
    """Median seconds per call."""
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            call()
        runs.append((time.perf_counter() - start) / number)
    return statistics.median(runs)


def bare_callback_seconds() -> float:
    """One C -> Python ctypes callback: qsort calling a Python comparator, per comparison."""
    libc = ctypes.CDLL(None)
    compare_fn = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)
    libc.qsort.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t, compare_fn]
    libc.qsort.restype = None
    values = (ctypes.c_int * 1000)()
    calls = [0]

    def counting(a: int | None, b: int | None) -> int:
        calls[0] += 1
        return 0

    libc.qsort(values, len(values), ctypes.sizeof(ctypes.c_int), compare_fn(counting))
    per_sort = calls[0]
    comparator = compare_fn(lambda a, b: 0)
    return timed(lambda: libc.qsort(values, len(values), ctypes.sizeof(ctypes.c_int), comparator),
                 number=200) / per_sort


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=64, help="M: ids per callback (default 64)")
    parser.add_argument("--dim", type=int, default=64, help="embedding length (default 64)")
    parser.add_argument("--scorers", type=int, default=16, help="S: scorers of the kind measured (default 16)")
    parser.add_argument("--rounds", type=int, default=300, help="scorings per session (default 300)")
    parser.add_argument("--repeats", type=int, default=7, help="sessions per way (default 7)")
    parser.add_argument("--kinds", default="unary,embedding,pairwise")
    args = parser.parse_args(argv)
    us = 1e6
    bare_call = timed(lambda: _ffi.gi_version_number())
    bare_callback = bare_callback_seconds()
    print(f"libgroupinference {gi.library_version()} ({gi.library_path}); Python {sys.version.split()[0]}, "
          f"numpy {np.__version__}")
    print(f"M = {args.candidates} ids per callback, dim = {args.dim}, S = {args.scorers} scorers, "
          f"{args.rounds} scorings x {args.repeats} sessions per way")
    print(f"reference: bare ctypes call Python -> C (gi_version_number)  {bare_call * us:6.3f} us")
    print(f"reference: bare ctypes callback C -> Python (qsort)           {bare_callback * us:6.3f} us")
    print(f"{'kind':<10} {'scoring: Python':>16} {'C':>9} {'floor':>9} {'user fn':>8} {'floor/callback':>15} "
          f"{'overhead/callback':>18} {'/ floor':>8} {'target <= 2 us':>15}")
    with tempfile.TemporaryDirectory() as folder:
        c_lib = compile_c_scorers(Path(folder))
        for kind in args.kinds.split(","):
            r = callback_overhead(kind, args.candidates, args.dim, args.scorers, args.rounds, args.repeats, c_lib)
            ratio = r["overhead"] / r["floor overhead"] if r["floor overhead"] > 0 else float("nan")
            print(f"{kind:<10} {r['python'] * us:13.1f} us {r['c'] * us:6.1f} us {r['floor'] * us:6.1f} us "
                  f"{r['user'] * us:5.2f} us {r['floor overhead'] * us:12.2f} us {r['overhead'] * us:15.2f} us "
                  f"{ratio:7.1f}x {'met' if r['overhead'] <= 2e-6 else 'NOT met':>15}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
