"""Scorers of decoded previews for group inference: CLIP and DINOv2 models, or any callable.

>>> import torch
>>> from groupinference.scorers import EmbeddingScorer
>>> colour = EmbeddingScorer(lambda images: images.mean(dim=(2, 3)), dim=3, name="colour")
>>> colour.kind, colour.dim, colour.weight
('embedding', 3, 1.0)

Every scorer takes the previews as one float tensor of shape (n, 3, H, W) with values in
[0, 1] on the scorer's device (a pipeline's ``output_type="pt"`` images) and follows the
:class:`Scorer` protocol: :meth:`Scorer.features` per batch, :meth:`Scorer.reduce` once.
torch and transformers are imported when a scorer first needs them, so importing this
module needs neither.
"""

from .base import Scorer
from .clip import CLIPScore
from .dinov2 import DINOv2Embedding, DINOv2PatchDiversity
from .wrappers import EmbeddingScorer, PairwiseScorer, UnaryScorer

__all__ = [
    "Scorer",
    "CLIPScore",
    "DINOv2Embedding",
    "DINOv2PatchDiversity",
    "UnaryScorer",
    "EmbeddingScorer",
    "PairwiseScorer",
]
