"""The driver's side of a DiffusersWorker's scorers: groupinference.scorers objects as the
ScorerSpecs of groupinference.distributed (Unary, Embedding, Pairwise).

Unary and embedding values are per candidate: each worker reduces the features of its own shard
(``reduce`` must then work row by row - it does for every groupinference.scorers unary and
embedding scorer, where it is the identity). A pairwise scorer compares candidates held by
different workers: the workers send its per-candidate ``features`` and the driver runs the
scorer's ``reduce`` on the features of all alive candidates, in ascending id order - the call
group_generate makes on one machine. So the driver needs torch for pairwise scorers, and runs
``reduce`` on its CPU.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .errors import ScorerOutputError


class DriverReduce:
    """Pairwise.matrix for a pairwise scorer: its ``reduce`` on the driver, checked as group_generate
    checks it (float64, (n, n), finite).

    >>> import numpy as np, torch
    >>> from groupinference.scorers import PairwiseScorer
    >>> gap = PairwiseScorer(lambda im: (im.mean(dim=(1, 2, 3))[:, None] - im.mean(dim=(1, 2, 3))[None, :]).abs(),
    ...                      name="gap")
    >>> DriverReduce(gap, "a dog")(np.stack([np.full((3, 2, 2), v, np.float32) for v in (0.0, 0.5)])).tolist()
    [[0.0, 0.5], [0.5, 0.0]]
    """

    def __init__(self, scorer: Any, prompt: str | None) -> None:
        self.scorer, self.prompt = scorer, prompt

    def __call__(self, features: np.ndarray) -> np.ndarray:
        import torch

        from ._scoring import checked_values

        if hasattr(self.scorer, "_prompt"):  # groupinference.scorers.PairwiseScorer: reduce reads the prompt
            self.scorer._prompt = self.prompt  # its features() saw, which ran on the workers
        tensor = torch.from_numpy(np.ascontiguousarray(features))
        with torch.no_grad():
            values = self.scorer.reduce(tensor)
        return checked_values(self.scorer, None, None, values, n=len(features))


def scorer_specs(scorers: Sequence[Any], prompt: str | None = None) -> list[Any]:
    """The Driver's scorer specs for the scorers given to the DiffusersWorkers (same order, names,
    kinds, weights and dims as group_generate registers them).

    >>> from groupinference.scorers import EmbeddingScorer, UnaryScorer
    >>> scorer_specs([UnaryScorer(lambda im: im.mean(dim=(1, 2, 3)), name="brightness"),
    ...               EmbeddingScorer(lambda im: im.mean(dim=(2, 3)), dim=3, name="colour", weight=0.5)])
    [Unary(name='brightness', weight=1.0), Embedding(name='colour', dim=3, weight=0.5)]
    """
    from groupinference.distributed import Embedding, Pairwise, Unary

    from ._scoring import _describe, checked_scorers

    specs: list[Any] = []
    for scorer in checked_scorers(scorers):
        weight = float(getattr(scorer, "weight", 1.0))
        if scorer.kind == "unary":
            specs.append(Unary(scorer.name, weight))
        elif scorer.kind == "embedding":
            dim = getattr(scorer, "dim", None)
            if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)) or dim <= 0:
                raise ScorerOutputError(f"{_describe(scorer)}: dim = {dim!r}; the driver registers an embedding "
                                        "scorer with its width (call scorer.to(device) first if it learns it there)")
            specs.append(Embedding(scorer.name, int(dim), weight))
        else:
            specs.append(Pairwise(scorer.name, DriverReduce(scorer, prompt), weight))
    return specs
