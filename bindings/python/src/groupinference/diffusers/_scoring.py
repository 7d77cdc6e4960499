"""Scorers (the groupinference.scorers protocol) as pushed scorers of a session.

Each scorer becomes one pushed scorer of the session (its name, kind, weight, dim). When the
session needs scores, the previews of the alive candidates are decoded batch by batch; every
scorer's ``features(images, prompt)`` runs on each batch, ``reduce`` once on all of them, and the
result - checked here for type, shape and finite values - is pushed for the alive ids.
See /work/notes/scorer-protocol.md, mirrored in bindings/python/README.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import torch

from .errors import ScorerOutputError

KINDS = ("unary", "embedding", "pairwise")


def _describe(scorer: Any) -> str:
    return f"scorer {getattr(scorer, 'name', type(scorer).__name__)!r} ({getattr(scorer, 'kind', '?')})"


class Scorers:
    """The scorers of one group_generate call, registered with its session."""

    def __init__(self, scorers: Sequence[Any], session: Any, device: Any) -> None:
        if isinstance(scorers, (str, bytes)) or not isinstance(scorers, Iterable):
            raise TypeError("scorers must be a list of scorers (groupinference.scorers.Scorer objects)")
        self.scorers = list(scorers)
        if not self.scorers:
            raise ValueError("scorers is empty: give at least one, e.g. [CLIPScore(...), DINOv2PatchDiversity(...)] "
                             "from groupinference.scorers (the paper's pair)")
        self.session = session
        self.ids: list[int] = []
        for scorer in self.scorers:
            for attribute in ("kind", "name", "features", "reduce", "to"):
                if not hasattr(scorer, attribute):
                    raise TypeError(f"{_describe(scorer)} has no attribute {attribute!r}; a scorer follows the "
                                    "groupinference.scorers.Scorer protocol (kind, name, weight, dim, to, features, "
                                    "reduce)")
            if scorer.kind not in KINDS:
                raise ValueError(f"{_describe(scorer)}: kind must be one of {KINDS}")
        for scorer in self.scorers:
            moved = scorer.to(device)
            if moved is not None and moved is not scorer:
                raise TypeError(f"{_describe(scorer)}.to() must return the scorer itself")
            weight = float(getattr(scorer, "weight", 1.0))
            if scorer.kind == "unary":
                self.ids.append(session.add_unary_scorer(scorer.name, None, weight=weight))
            elif scorer.kind == "embedding":
                dim = getattr(scorer, "dim", None)
                if not isinstance(dim, (int, np.integer)) or dim <= 0:
                    raise ScorerOutputError(f"{_describe(scorer)}: dim = {dim!r} after to(); an embedding scorer "
                                            "must know its width once loaded")
                self.ids.append(session.add_embedding_scorer(scorer.name, None, dim=int(dim), weight=weight))
            else:
                self.ids.append(session.add_pairwise_scorer(scorer.name, None, weight=weight))

    def score(self, step: int, ids: np.ndarray, batches: Iterable[torch.Tensor], prompt: str | None) -> None:
        """Score the images of `ids` (given batch by batch, in the order of ids) and push the results."""
        features: list[list[torch.Tensor]] = [[] for _ in self.scorers]
        seen = 0
        with torch.no_grad():
            for images in batches:
                seen += images.shape[0]
                for scorer, bucket in zip(self.scorers, features):
                    out = scorer.features(images, prompt)
                    if not isinstance(out, torch.Tensor):
                        raise ScorerOutputError(f"{_describe(scorer)}.features returned {type(out).__name__}; "
                                                "expected a torch.Tensor")
                    if out.ndim == 0 or out.shape[0] != images.shape[0]:
                        raise ScorerOutputError(f"{_describe(scorer)}.features returned shape {tuple(out.shape)} for "
                                                f"{images.shape[0]} images; expected one row per image")
                    bucket.append(out)
            for scorer, scorer_id, bucket in zip(self.scorers, self.ids, features):
                values = scorer.reduce(torch.cat(bucket))
                self._push(scorer, scorer_id, step, ids, self._checked(scorer, step, ids, values))
        assert seen == len(ids)

    def _checked(self, scorer: Any, step: int, ids: np.ndarray, values: Any) -> np.ndarray:
        n = len(ids)
        if not isinstance(values, torch.Tensor):
            raise ScorerOutputError(f"{_describe(scorer)}.reduce returned {type(values).__name__}; "
                                    "expected a torch.Tensor")
        expected = {"unary": (n,), "embedding": (n, getattr(scorer, "dim", None)), "pairwise": (n, n)}[scorer.kind]
        if tuple(values.shape) != expected:
            raise ScorerOutputError(f"{_describe(scorer)} returned shape {tuple(values.shape)} for {n} candidates "
                                    f"at step {step}; expected {expected}")
        if values.is_complex() or not (values.is_floating_point() or values.dtype in (torch.int32, torch.int64)):
            raise ScorerOutputError(f"{_describe(scorer)} returned dtype {values.dtype}; expected real numbers")
        array = values.detach().to("cpu", torch.float64).numpy()
        bad = ~np.isfinite(array)
        if bad.any():
            rows = np.unique(np.nonzero(bad)[0])
            raise ScorerOutputError(f"{_describe(scorer)} returned {int(bad.sum())} non-finite value(s) (NaN or Inf) "
                                    f"at step {step}, for candidate ids {ids[rows].tolist()}")
        return array

    def _push(self, scorer: Any, scorer_id: int, step: int, ids: np.ndarray, values: np.ndarray) -> None:
        if scorer.kind == "unary":
            self.session.push_unary(scorer_id, ids, values)
        elif scorer.kind == "embedding":
            self.session.push_embeddings(scorer_id, ids, values.astype(np.float32))
        else:
            self.session.push_pairwise(scorer_id, ids, values)
