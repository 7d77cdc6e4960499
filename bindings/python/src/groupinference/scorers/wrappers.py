"""Scorers around any callable on a batch of preview images.

The callable receives the images as the protocol gives them - (n, 3, H, W), float in
[0, 1], on the pipeline's device - and, when its signature takes a ``prompt`` keyword
(or ``**kwargs``), the prompt. What it returns may be a tensor, an array or a list; it
is checked (shape, real and finite values) with an error naming the scorer.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any, Callable

from ._checks import check_images, check_result
from .base import Scorer

if TYPE_CHECKING:
    import torch


def _takes_prompt(fn: Callable[..., Any]) -> bool:
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):  # some builtins have no signature: call them plainly
        return False
    return any(p.kind is p.VAR_KEYWORD or (p.name == "prompt" and p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD))
               for p in parameters)


class _Wrapped(Scorer):
    def __init__(self, fn: Callable[..., Any], *, name: str, weight: float, dim: int | None = None) -> None:
        super().__init__(name=name, weight=weight, dim=dim)
        if not callable(fn):
            raise TypeError(f"{self._who}: fn must be callable, not {type(fn).__name__}")
        self.fn = fn
        self._pass_prompt = _takes_prompt(fn)

    def _call(self, images: torch.Tensor, prompt: str | None) -> Any:
        return self.fn(images, prompt=prompt) if self._pass_prompt else self.fn(images)


class UnaryScorer(_Wrapped):
    """fn(images[, prompt=...]) -> (b,) scores per batch, higher is better.

    >>> import torch
    >>> from groupinference.scorers import UnaryScorer
    >>> def redness(images, prompt=None):
    ...     return images[:, 0].mean(dim=(1, 2)) if prompt == "red" else -images[:, 0].mean(dim=(1, 2))
    >>> scorer = UnaryScorer(redness, name="redness", weight=2.0)
    >>> scorer.features(torch.ones(2, 3, 4, 4), "red").tolist()
    [1.0, 1.0]
    """

    kind = "unary"

    def __init__(self, fn: Callable[..., Any], *, name: str, weight: float = 1.0) -> None:
        super().__init__(fn, name=name, weight=weight)

    def features(self, images: torch.Tensor, prompt: str | None = None) -> torch.Tensor:
        images = check_images(self._who, images)
        return check_result(self._who, self._call(images, prompt), (len(images),), "one score per image")


class EmbeddingScorer(_Wrapped):
    """fn(images[, prompt=...]) -> (b, dim) embeddings per batch; the library uses 1 - cos between rows.

    >>> import torch
    >>> from groupinference.scorers import EmbeddingScorer
    >>> colour = EmbeddingScorer(lambda images: images.mean(dim=(2, 3)), dim=3, name="mean colour")
    >>> colour.features(torch.zeros(2, 3, 4, 4)).shape
    torch.Size([2, 3])
    """

    kind = "embedding"

    def __init__(self, fn: Callable[..., Any], dim: int, *, name: str, weight: float = 1.0) -> None:
        if isinstance(dim, bool) or not isinstance(dim, int) or dim < 1:
            raise ValueError(f"EmbeddingScorer {name!r}: dim must be a positive int, not {dim!r}")
        super().__init__(fn, name=name, weight=weight, dim=dim)

    def features(self, images: torch.Tensor, prompt: str | None = None) -> torch.Tensor:
        images = check_images(self._who, images)
        assert self.dim is not None
        return check_result(self._who, self._call(images, prompt), (len(images), self.dim),
                            f"one embedding of width dim={self.dim} per image")


class PairwiseScorer(_Wrapped):
    """fn(images[, prompt=...]) -> (n, n) differences, called once on all n images.

    :meth:`features` keeps each batch's images; :meth:`reduce` calls fn on all of them
    (with the prompt the last :meth:`features` call received). The matrix may be
    symmetric or strictly upper or lower triangular (the paper code's form); the library
    reads a triangular one as the symmetric matrix it stands for.

    >>> import torch
    >>> from groupinference.scorers import PairwiseScorer
    >>> def brightness_gap(images):
    ...     v = images.mean(dim=(1, 2, 3))
    ...     return (v[:, None] - v[None, :]).abs()
    >>> gap = PairwiseScorer(brightness_gap, name="brightness gap")
    >>> images = torch.stack([torch.full((3, 4, 4), v) for v in (0.0, 0.5, 1.0)])
    >>> gap.score(images, batch_size=2).tolist()
    [[0.0, 0.5, 1.0], [0.5, 0.0, 0.5], [1.0, 0.5, 0.0]]
    """

    kind = "pairwise"

    def __init__(self, fn: Callable[..., Any], *, name: str, weight: float = 1.0) -> None:
        super().__init__(fn, name=name, weight=weight)
        self._prompt: str | None = None

    def features(self, images: torch.Tensor, prompt: str | None = None) -> torch.Tensor:
        self._prompt = prompt
        return check_images(self._who, images)

    def reduce(self, features: torch.Tensor) -> torch.Tensor:
        images = check_images(self._who, features)
        n = len(images)
        return check_result(self._who, self._call(images, self._prompt), (n, n), "n x n differences over the images")
