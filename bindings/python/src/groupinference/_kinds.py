"""The kinds of callback, in one table (rusqlite's model: one generic caller for all).

Per scorer kind: what its Python function returns (shape, dtype), its C
function pointer (made once, here, at import, from the one generic
trampoline of ``_callbacks``), and its C registrar and push function, both
called with the same arguments whatever the kind. ``Session`` reads
everything kind-specific from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from . import _callbacks as CB
from . import _ffi
from . import _structs as S


@dataclass(frozen=True, eq=False)
class ScorerKind:
    name: str
    expected: CB.Expected
    """What the Python function returns, and what a push takes (any real dtype is converted)."""
    values_name: str
    """The push argument holding the values, for messages."""
    add: Callable[..., int]
    """The C registrar as add(session, name, weight, dim, fn, user, destroy, scorer_id)."""
    push: Callable[..., int]
    """The C push as push(session, scorer_id, ids, n, dim, values)."""
    trampoline: Any
    """C function pointer that calls a registered Python function (alive for the process)."""
    null: Any
    """A NULL function pointer of the kind: a scorer whose values the host pushes."""


def _kind(name: str, c_type: Any, shape: Callable[[int, int], tuple[int, ...]], dtype: Any, meaning: str,
          values_name: str, add: Callable[..., int], push: Callable[..., int]) -> ScorerKind:
    expected = CB.Expected(shape, np.dtype(dtype), meaning)
    return ScorerKind(name, expected, values_name, add, push, CB.trampoline(c_type, expected), c_type())


SCORER_KINDS: dict[str, ScorerKind] = {
    "unary": _kind(
        "unary", S.UNARY_FN, lambda n, dim: (n,), np.float64, "one score per id", "scores",
        add=lambda session, name, weight, dim, *callback: _ffi.gi_add_unary_scorer(session, name, weight, *callback),
        push=lambda session, sid, ids, n, dim, values: _ffi.gi_push_unary(session, sid, ids, n, values),
    ),
    "embedding": _kind(
        "embedding", S.EMBEDDING_FN, lambda n, dim: (n, dim), np.float32, "one row of {dim} values per id",
        "embeddings", add=_ffi.gi_add_embedding_scorer, push=_ffi.gi_push_embeddings,
    ),
    "pairwise": _kind(
        "pairwise", S.PAIRWISE_FN, lambda n, dim: (n, n), np.float64, "an n x n matrix over the ids", "matrix",
        add=lambda session, name, weight, dim, *callback: _ffi.gi_add_pairwise_scorer(
            session, name, weight, *callback),
        push=lambda session, sid, ids, n, dim, values: _ffi.gi_push_pairwise(session, sid, ids, n, values),
    ),
}

# The denoiser: the same generic trampoline; its return value is ignored.
DENOISE = CB.trampoline(S.DENOISE_FN, None)
NULL_DENOISE = S.DENOISE_FN()
