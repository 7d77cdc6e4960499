"""Rebalancing: after a prune, shards can be uneven (the survivors are wherever the
scores put them), and a step takes as long as the largest shard. When the largest
shard exceeds the balanced size by more than a threshold, candidates move from
the largest shards to the smallest until every shard is within one of the others.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

__all__ = ["Rebalance", "plan"]


@dataclass(frozen=True)
class Rebalance:
    """One rebalancing, as measured by the driver."""

    step: int
    """The step after whose prune it ran."""
    before: tuple[int, ...]
    """Alive candidates per worker before (0 for a dead worker)."""
    after: tuple[int, ...]
    moved: int
    """Candidates moved."""
    seconds: float
    """Wall time of the moves (takes and puts, in parallel)."""


def uneven(sizes: Sequence[int], threshold: float) -> bool:
    """True when the largest shard exceeds ceil(total / workers) by more than
    `threshold` times that balanced size (and by at least one candidate).

    >>> uneven([9, 7], 0.25), uneven([12, 4], 0.25), uneven([3, 1], 0.25)
    (False, True, True)
    """
    if not sizes:
        return False
    balanced = math.ceil(sum(sizes) / len(sizes))
    return max(sizes) - balanced >= max(1, threshold * balanced) and max(sizes) > balanced


def plan(sizes: Sequence[int]) -> list[tuple[int, int, int]]:
    """Moves (src, dst, count) that make the shards differ by at most one, moving as
    few candidates as possible; the larger shards keep the extra ones.

    >>> plan([32, 0])
    [(0, 1, 16)]
    >>> plan([10, 1, 1])
    [(0, 1, 3), (0, 2, 3)]
    """
    n, total = len(sizes), sum(sizes)
    order = sorted(range(n), key=lambda w: (-sizes[w], w))
    target = [0] * n
    for rank, w in enumerate(order):
        target[w] = total // n + (1 if rank < total % n else 0)
    give = [[w, sizes[w] - target[w]] for w in order if sizes[w] > target[w]]
    need = [[w, target[w] - sizes[w]] for w in sorted(range(n), key=lambda w: (sizes[w], w)) if sizes[w] < target[w]]
    moves = []
    for pair in need:
        while pair[1] > 0:
            donor = give[0]
            count = min(donor[1], pair[1])
            moves.append((donor[0], pair[0], count))
            donor[1] -= count
            pair[1] -= count
            if donor[1] == 0:
                give.pop(0)
    return moves
