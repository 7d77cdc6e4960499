"""The driver's side of scoring: which scorers the workers answer for, and how their
per-shard answers become one push per scorer into the session.

Workers return rows per candidate; the driver reassembles them by id (never by
the order workers answered in) into one array over all alive ids, ascending,
and pushes it. Unary scores and embeddings are per candidate, so they split
across workers for free. A pairwise scorer compares candidates that may sit on
different workers: its workers return per-candidate *features* and the driver
builds the n x n matrix with ``Pairwise.matrix`` - the features (not the
latents) travel to the driver, and the matrix costs O(n^2) there. When the
difference is 1 - cos of one vector per candidate, an :class:`Embedding` is
cheaper: the library computes the matrix with BLAS.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence, Union

import numpy as np

from .errors import ProtocolError

__all__ = ["Unary", "Embedding", "Pairwise", "ScorerSpec"]


@dataclass(frozen=True)
class Unary:
    """Workers return (n,) scores under ``name``; higher is better."""

    name: str
    weight: float = 1.0


@dataclass(frozen=True)
class Embedding:
    """Workers return (n, dim) embeddings under ``name``; the library uses 1 - cos."""

    name: str
    dim: int
    weight: float = 1.0


@dataclass(frozen=True)
class Pairwise:
    """Workers return (n, ...) features under ``name``; ``matrix(features)`` -> the
    (n, n) differences among those candidates (symmetric or strictly triangular),
    computed on the driver.

    >>> import numpy as np
    >>> spread = Pairwise("spread", lambda f: np.abs(f[:, None] - f[None, :]))
    >>> spread.matrix(np.array([0.0, 1.0, 3.0])).tolist()
    [[0.0, 1.0, 3.0], [1.0, 0.0, 2.0], [3.0, 2.0, 0.0]]
    """

    name: str
    matrix: Callable[[np.ndarray], Any]
    weight: float = 1.0


ScorerSpec = Union[Unary, Embedding, Pairwise]


def register(session: Any, scorers: Sequence[ScorerSpec]) -> list[tuple[int, ScorerSpec]]:
    """Register each scorer with fn=None (pushed values); returns (scorer id, spec) pairs."""
    if not scorers:
        raise ValueError("scorers is empty: name at least one Unary, Embedding or Pairwise scorer")
    registered = []
    for spec in scorers:
        if isinstance(spec, Unary):
            sid = session.add_unary_scorer(spec.name, None, weight=spec.weight)
        elif isinstance(spec, Embedding):
            sid = session.add_embedding_scorer(spec.name, None, dim=spec.dim, weight=spec.weight)
        elif isinstance(spec, Pairwise):
            sid = session.add_pairwise_scorer(spec.name, None, weight=spec.weight)
        else:
            raise TypeError(f"scorers: {spec!r} is not a Unary, Embedding or Pairwise")
        registered.append((sid, spec))
    return registered


def assemble(alive: np.ndarray, answers: Mapping[str, tuple[np.ndarray, Mapping[str, Any]]],
             name: str) -> np.ndarray:
    """One array over `alive` (ascending) of scorer `name`, from each worker's
    (ids, scores) answer: rows placed by id."""
    out: np.ndarray | None = None
    filled = 0
    for worker, (ids, scores) in answers.items():
        if not isinstance(scores, Mapping) or name not in scores:
            have = sorted(scores) if isinstance(scores, Mapping) else type(scores).__name__
            raise ProtocolError(f"worker {worker!r} returned no scores for scorer {name!r} (it returned {have})")
        rows = np.asarray(scores[name])
        if rows.ndim == 0 or len(rows) != len(ids):
            raise ProtocolError(f"worker {worker!r} returned {len(rows) if rows.ndim else 'a scalar'} rows for "
                                f"scorer {name!r}, asked about {len(ids)} candidates")
        if out is None:
            out = np.empty((len(alive),) + rows.shape[1:], dtype=rows.dtype)
        elif rows.shape[1:] != out.shape[1:]:
            raise ProtocolError(f"worker {worker!r} returned rows of shape {rows.shape[1:]} for scorer {name!r}, "
                                f"other workers {out.shape[1:]}")
        out[np.searchsorted(alive, ids)] = rows
        filled += len(ids)
    if out is None or filled != len(alive):
        raise ProtocolError(f"scorer {name!r}: answers cover {filled} of {len(alive)} alive candidates")
    return out


def push(session: Any, registered: Sequence[tuple[int, ScorerSpec]], alive: np.ndarray,
         answers: Mapping[str, tuple[np.ndarray, Mapping[str, Any]]]) -> None:
    """Push every scorer's values for all alive ids."""
    for sid, spec in registered:
        values = assemble(alive, answers, spec.name)
        if isinstance(spec, Unary):
            session.push_unary(sid, alive, values)
        elif isinstance(spec, Embedding):
            session.push_embeddings(sid, alive, values)
        else:
            session.push_pairwise(sid, alive, spec.matrix(values))
