"""Simple scorers with the groupinference.scorers wrappers' semantics (the protocol of
/work/notes/scorer-protocol.md), for the diffusers tests: cheap functions of the images that
still tell candidates apart, and optional recording of what they were given."""

from __future__ import annotations

import torch


class Toy:
    """A scorer following the protocol: kind, name, weight, dim, to, features, reduce."""

    kind = "unary"
    dim: int | None = None

    def __init__(self, name: str | None = None, weight: float = 1.0) -> None:
        self.name = name or type(self).__name__.lower()
        self.weight = weight
        self.batches: list[tuple[int, ...]] = []  # shapes of the image batches seen
        self.prompts: list[str | None] = []
        self.device = None

    def to(self, device, dtype=None):
        self.device = device
        return self

    def features(self, images: torch.Tensor, prompt: str | None) -> torch.Tensor:
        assert images.dtype == torch.float32 and images.ndim == 4 and images.shape[1] == 3
        assert float(images.min()) >= 0.0 and float(images.max()) <= 1.0
        self.batches.append(tuple(images.shape))
        self.prompts.append(prompt)
        return self.compute(images)

    def compute(self, images: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def reduce(self, features: torch.Tensor) -> torch.Tensor:
        return features


class Brightness(Toy):
    """Unary: mean pixel value (x 10)."""

    def compute(self, images):
        return images.mean(dim=(1, 2, 3)) * 10


class Pattern(Toy):
    """Embedding: the image's deviation from its own mean, pooled to 2 x 2 per channel (dim 12)."""

    kind = "embedding"
    dim = 12

    def compute(self, images):
        pooled = torch.nn.functional.adaptive_avg_pool2d(images, 2).flatten(1)
        return pooled - pooled.mean(dim=1, keepdim=True)


class PixelDistance(Toy):
    """Pairwise: mean absolute pixel difference (x 10), computed in reduce on all images at once."""

    kind = "pairwise"

    def compute(self, images):
        return images.flatten(1)

    def reduce(self, features):
        return torch.cdist(features.double(), features.double(), p=1) / features.shape[1] * 10


class Returning(Toy):
    """Returns whatever `make(images)` builds - to test the checks on scorer outputs."""

    def __init__(self, kind: str, make, name: str = "bad", dim: int | None = None) -> None:
        super().__init__(name)
        self.kind = kind
        self.dim = dim
        self.make = make

    def compute(self, images):
        return images.mean(dim=(1, 2, 3))

    def reduce(self, features):
        return self.make(features)


def trio(weights=(1.0, 0.5, 2.0)):
    """One scorer of each kind."""
    return [Brightness(weight=weights[0]), Pattern(weight=weights[1]), PixelDistance(weight=weights[2])]
