"""One-shot selection: solve a single QIP from arrays (gi_solve_qip)."""

from __future__ import annotations

import ctypes
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from . import _convert as C
from . import _ffi
from . import _structs as S
from ._options import DEFAULT_SOLVER, DEFAULTS, SolverName, solver_options
from .results import BoundKind, SolveStatus, bound_kind, optional, solve_status

__all__ = ["QipSolution", "solve_qip"]


@dataclass(frozen=True)
class QipSolution:
    """The answer of :func:`solve_qip`."""

    selection: npt.NDArray[np.int32]
    """The k chosen indices, ascending."""
    objective: float
    bound: float | None
    """Upper bound on the optimum; None if none is known."""
    gap: float | None
    """(bound - objective) / max(|objective|, 1e-12); 0 when proven; None without a bound."""
    status: SolveStatus
    """"optimal" | "gap_limit" | "time_limit" | "heuristic"."""
    seconds: float
    nodes: int
    """Branch-and-bound nodes explored; 0 for the heuristic."""
    bound_kind: BoundKind = "none"
    """Which bound ``bound`` is (since 0.3): "none", "trivial", "cheap", "relaxation" or "mip"."""


def solve_qip(
    unary: npt.ArrayLike,
    pairwise: npt.ArrayLike,
    k: int,
    lam: float = DEFAULTS.lambda_,
    solver: SolverName = DEFAULT_SOLVER,
    time_limit: float = DEFAULTS.time_limit,
    mip_gap: float = DEFAULTS.mip_gap,
    seed: int = DEFAULTS.seed,
    restarts: int = DEFAULTS.restarts,
    memory_limit: int = DEFAULTS.memory_limit,
) -> QipSolution:
    """Choose k of n items maximising sum_i u_i y_i + lam * sum_{i<j} b_ij y_i y_j.

    unary: n real values; pairwise: n x n (the diagonal is ignored), either
    symmetric (within 1e-6 of its largest entry; used as (b_ij + b_ji) / 2)
    or strictly triangular (every entry below the diagonal exactly 0, or every
    entry above it), standing for the symmetric matrix with the other triangle
    mirrored - so an upper-triangular matrix does not halve lam. Any other
    matrix is refused (ArgumentError naming the first asymmetric pair).
    float32/float64, lists and non-contiguous arrays are accepted.
    lam: the weight of diversity; the library's default (that of Session).
    solver: "auto", "exact" (branch and bound), "heuristic" or "mip" (GLPK);
    see gi_solver in the header. An exact or mip solve that stops at its
    time limit returns status "time_limit" and issues a GroupInferenceWarning.
    restarts: rounds of iterated local search after the heuristic (perturbed by seed).
    memory_limit: bytes the exact search may keep for its open nodes (at least 1 MiB).
    """
    u = C.reals("unary", unary, (-1,), np.float64, "one value per item")
    n = len(u)
    b = C.reals("pairwise", pairwise, (n, n), np.float64, "n x n for the n unary values")
    c_k = C.integer("k", k)
    c_lam = C.real("lam", lam)
    options = solver_options(solver, time_limit, mip_gap, seed, restarts, memory_limit)
    # The library writes k entries, and only once it has checked 1 <= k <= n.
    selection = np.zeros(max(1, min(c_k, n)), dtype=np.int32)
    result = S.GiSolveResult()
    _ffi.gi_solve_qip(n, C.address(u), C.address(b), c_lam, c_k, ctypes.byref(options),
                      C.address(selection), ctypes.byref(result), ctypes.sizeof(result))
    return QipSolution(
        selection=selection[:c_k], objective=result.objective, bound=optional(result.bound),
        gap=optional(result.gap), status=solve_status(result.status),  # type: ignore[arg-type]
        seconds=result.seconds, nodes=result.nodes, bound_kind=bound_kind(result.bound_kind),  # type: ignore[arg-type]
    )
