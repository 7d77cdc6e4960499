"""The worker protocol: what the driver asks of whoever holds a shard of candidates.

A worker holds some candidates - their latents and whatever per-candidate
state its denoiser needs (scheduler history, random generators) - and never
sends them to the driver. The driver sends ids and receives scores. Every
method takes ids as an ascending int64 array; every answer about several
candidates is in the order of the ids it was asked about.

The protocol is transport-neutral: :class:`~groupinference.distributed.LocalPool`
calls a worker object directly, :class:`~groupinference.distributed.RayPool`
calls the same class running as a Ray actor.
"""

from __future__ import annotations

from typing import Any, Mapping, Protocol, Sequence, runtime_checkable

import numpy as np
import numpy.typing as npt

__all__ = ["Worker", "Scores"]

Ids = npt.NDArray[np.int64]
Scores = Mapping[str, Any]
"""Scorer name -> an array with one row per id asked about: (n,) for a unary
scorer, (n, dim) for an embedding scorer, (n, ...) per-candidate features for
a pairwise scorer (the driver builds the n x n matrix from them)."""


@runtime_checkable
class Worker(Protocol):
    """A shard of candidates: six methods, called by one driver, one at a time."""

    def start(self, ids: Ids) -> None:
        """Create candidates `ids` here (their initial noise, from their ids and the seed)."""

    def advance(self, ids: Ids, step: int, want_scores: bool) -> Scores | None:
        """Run denoising step `step` (0-based) for `ids` - all the alive candidates this
        worker holds, each having completed exactly `step` steps - and refresh their
        previews. With `want_scores`, return the scores of the new previews (see
        :data:`Scores`), one entry per scorer the driver registered; otherwise None."""

    def keep(self, ids: Ids) -> None:
        """Keep only `ids` of the candidates held here; forget the others (pruned)."""

    def take(self, ids: Ids) -> Any:
        """Remove `ids` from this worker and return their whole state (picklable), for
        :meth:`put` on another worker. The candidates continue there exactly as they
        would have here."""

    def put(self, state: Any) -> None:
        """Adopt the candidates of a :meth:`take` made on another worker."""

    def finalize(self, ids: Ids) -> Sequence[Any]:
        """The outputs (e.g. decoded images) of the finished candidates `ids`, in their order."""
