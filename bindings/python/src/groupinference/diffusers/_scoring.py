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


def checked_scorers(scorers: Sequence[Any]) -> list[Any]:
    """The scorers as a list, each checked to follow the protocol (kind, name, features, reduce, to)."""
    if isinstance(scorers, (str, bytes)) or not isinstance(scorers, Iterable):
        raise TypeError("scorers must be a list of scorers (groupinference.scorers.Scorer objects)")
    scorers = list(scorers)
    if not scorers:
        raise ValueError("scorers is empty: give at least one, e.g. [CLIPScore(...), DINOv2PatchDiversity(...)] "
                         "from groupinference.scorers (the paper's pair)")
    for scorer in scorers:
        for attribute in ("kind", "name", "features", "reduce", "to"):
            if not hasattr(scorer, attribute):
                raise TypeError(f"{_describe(scorer)} has no attribute {attribute!r}; a scorer follows the "
                                "groupinference.scorers.Scorer protocol (kind, name, weight, dim, to, features, "
                                "reduce)")
        if scorer.kind not in KINDS:
            raise ValueError(f"{_describe(scorer)}: kind must be one of {KINDS}")
    return scorers


def load(scorer: Any, device: Any) -> None:
    """Move `scorer` to `device`; an embedding scorer must then know its dim."""
    moved = scorer.to(device)
    if moved is not None and moved is not scorer:
        raise TypeError(f"{_describe(scorer)}.to() must return the scorer itself")
    if scorer.kind == "embedding":
        dim = getattr(scorer, "dim", None)
        if not isinstance(dim, (int, np.integer)) or dim <= 0:
            raise ScorerOutputError(f"{_describe(scorer)}: dim = {dim!r} after to(); an embedding scorer "
                                    "must know its width once loaded")


def gather_features(scorers: Sequence[Any], batches: Iterable[torch.Tensor], prompt: str | None
                    ) -> tuple[list[list[torch.Tensor]], int]:
    """Every scorer's ``features`` of each batch of images (checked: a tensor, one row per image),
    and how many images there were."""
    features: list[list[torch.Tensor]] = [[] for _ in scorers]
    seen = 0
    with torch.no_grad():
        for images in batches:
            seen += images.shape[0]
            for scorer, bucket in zip(scorers, features):
                out = scorer.features(images, prompt)
                if not isinstance(out, torch.Tensor):
                    raise ScorerOutputError(f"{_describe(scorer)}.features returned {type(out).__name__}; "
                                            "expected a torch.Tensor")
                if out.ndim == 0 or out.shape[0] != images.shape[0]:
                    raise ScorerOutputError(f"{_describe(scorer)}.features returned shape {tuple(out.shape)} for "
                                            f"{images.shape[0]} images; expected one row per image")
                bucket.append(out)
    return features, seen


def checked_values(scorer: Any, step: int | None, ids: np.ndarray | None, values: Any, n: int | None = None
                   ) -> np.ndarray:
    """What ``reduce`` returned for n candidates (`ids`, when known), checked for type, shape and
    finite values, as float64. `step` None: not known where this runs (e.g. on a driver)."""
    if n is None:
        assert ids is not None, "give ids or n"
        n = len(ids)
    at = "" if step is None else f" at step {step}"
    if not isinstance(values, torch.Tensor):
        raise ScorerOutputError(f"{_describe(scorer)}.reduce returned {type(values).__name__}; "
                                "expected a torch.Tensor")
    expected = {"unary": (n,), "embedding": (n, getattr(scorer, "dim", None)), "pairwise": (n, n)}[scorer.kind]
    if tuple(values.shape) != expected:
        raise ScorerOutputError(f"{_describe(scorer)} returned shape {tuple(values.shape)} for {n} candidates"
                                f"{at}; expected {expected}")
    if values.is_complex() or not (values.is_floating_point() or values.dtype in (torch.int32, torch.int64)):
        raise ScorerOutputError(f"{_describe(scorer)} returned dtype {values.dtype}; expected real numbers")
    array = values.detach().to("cpu", torch.float64).numpy()
    bad = ~np.isfinite(array)
    if bad.any():
        rows = np.unique(np.nonzero(bad)[0])
        which = f"candidate ids {ids[rows].tolist()}" if ids is not None else f"rows {rows.tolist()}"
        raise ScorerOutputError(f"{_describe(scorer)} returned {int(bad.sum())} non-finite value(s) (NaN or Inf)"
                                f"{at}, for {which}")
    return array


class Scorers:
    """The scorers of one group_generate call, registered with its session."""

    def __init__(self, scorers: Sequence[Any], session: Any, device: Any) -> None:
        self.scorers = checked_scorers(scorers)
        self.session = session
        self.ids: list[int] = []
        for scorer in self.scorers:
            load(scorer, device)
            weight = float(getattr(scorer, "weight", 1.0))
            if scorer.kind == "unary":
                self.ids.append(session.add_unary_scorer(scorer.name, None, weight=weight))
            elif scorer.kind == "embedding":
                self.ids.append(session.add_embedding_scorer(scorer.name, None, dim=int(scorer.dim), weight=weight))
            else:
                self.ids.append(session.add_pairwise_scorer(scorer.name, None, weight=weight))

    def score(self, step: int, ids: np.ndarray, batches: Iterable[torch.Tensor], prompt: str | None) -> None:
        """Score the images of `ids` (given batch by batch, in the order of ids) and push the results."""
        features, seen = gather_features(self.scorers, batches, prompt)
        with torch.no_grad():
            for scorer, scorer_id, bucket in zip(self.scorers, self.ids, features):
                values = scorer.reduce(torch.cat(bucket))
                self._push(scorer, scorer_id, step, ids, checked_values(scorer, step, ids, values))
        assert seen == len(ids)

    def _push(self, scorer: Any, scorer_id: int, step: int, ids: np.ndarray, values: np.ndarray) -> None:
        if scorer.kind == "unary":
            self.session.push_unary(scorer_id, ids, values)
        elif scorer.kind == "embedding":
            self.session.push_embeddings(scorer_id, ids, values.astype(np.float32))
        else:
            self.session.push_pairwise(scorer_id, ids, values)
