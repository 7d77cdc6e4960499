"""The Scorer protocol between scorers and a host loop such as groupinference.diffusers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._checks import check_name, check_weight
from ._lazy import require

if TYPE_CHECKING:
    import torch


class Scorer:
    """A scorer of decoded previews, pushed into a :class:`groupinference.Session`.

    ``kind`` is ``"unary"`` (one score per image, higher is better), ``"embedding"``
    (one row per image; the library uses 1 - cos between rows) or ``"pairwise"`` (an
    n x n matrix of differences, higher is more different). ``name`` must be unique in a
    session; ``weight`` is the scorer's weight there; ``dim`` is the embedding width
    (``None`` unless ``kind == "embedding"``).

    A host scores n candidates in two stages, so peak memory follows its batch size:
    :meth:`features` on each batch of images, then :meth:`reduce` once on the
    features of all n, concatenated along dim 0 in candidate order. :meth:`score` does
    both for images at hand.
    """

    kind: str = ""

    def __init__(self, *, name: str, weight: float = 1.0, dim: int | None = None) -> None:
        self.name = check_name(name)
        self.weight = check_weight(f"{type(self).__name__} {name!r}", weight)
        self.dim = dim

    @property
    def _who(self) -> str:
        return f"{type(self).__name__} {self.name!r}"

    def to(self, device: Any, dtype: Any = None) -> Scorer:
        """Move the scorer's models to `device` (and `dtype`); returns self."""
        return self

    def features(self, images: torch.Tensor, prompt: str | None = None) -> torch.Tensor:
        """Per-image features of a batch: images (b, 3, H, W) float in [0, 1].

        Row i belongs to image i: (b,) scores for a unary scorer, (b, dim) for an
        embedding scorer, any per-image features for a pairwise one.
        """
        raise NotImplementedError(f"{type(self).__name__} does not implement features()")

    def reduce(self, features: torch.Tensor) -> torch.Tensor:
        """Features of all n candidates (concatenated in candidate order) -> the values to push.

        (n,) for unary, (n, dim) for embedding scorers (the features themselves), (n, n)
        differences for pairwise ones.
        """
        return features

    def score(self, images: torch.Tensor, prompt: str | None = None, *, batch_size: int = 16) -> torch.Tensor:
        """Score images at hand: :meth:`features` in batches of `batch_size`, then :meth:`reduce`.

        >>> import torch
        >>> from groupinference.scorers import UnaryScorer
        >>> brightness = UnaryScorer(lambda images: images.mean(dim=(1, 2, 3)), name="brightness")
        >>> brightness.score(torch.full((3, 3, 4, 4), 0.25), batch_size=2).tolist()
        [0.25, 0.25, 0.25]
        """
        torch = require("torch", self._who)
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"{self._who}: batch_size must be a positive int, not {batch_size!r}")
        if not isinstance(images, torch.Tensor) or images.ndim < 1:
            return self.reduce(self.features(images, prompt))  # features() names what is wrong
        parts = [self.features(images[i:i + batch_size], prompt) for i in range(0, max(len(images), 1), batch_size)]
        return self.reduce(torch.cat(parts))

    def __repr__(self) -> str:
        dim = f" dim={self.dim}" if self.dim is not None else ""
        return f"<{type(self).__name__} name={self.name!r} kind={self.kind} weight={self.weight:g}{dim}>"
