"""DINOv2 scorers: the CLS embedding, and the patch-wise diversity of the paper code."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from ._lazy import require
from ._model import ModelScorer

if TYPE_CHECKING:
    import torch


class _DINOv2(ModelScorer):
    model_types = ("dinov2", "dinov2_with_registers")

    def __init__(self, name_or_path: str | os.PathLike[str], *, name: str, weight: float) -> None:
        super().__init__(name_or_path, name=name, weight=weight)
        transformers = require("transformers", self._who)
        self.model = transformers.AutoModel.from_pretrained(self.name_or_path, config=self.config).eval()
        # Tokens: CLS, then the register tokens of DINOv2-with-registers, then the patches.
        self.first_patch = 1 + int(getattr(self.config, "num_register_tokens", 0) or 0)

    def hidden_states(self, images: torch.Tensor) -> torch.Tensor:
        """The model's last_hidden_state (b, tokens, hidden) for checked, preprocessed images."""
        torch = require("torch", self._who)
        pixels = self.pixel_values(images)
        with torch.no_grad():
            return self.model(pixel_values=pixels).last_hidden_state


class DINOv2Embedding(_DINOv2):
    """Embedding: the CLS token of ``transformers.Dinov2Model``'s last hidden state.

    ``dim`` is the model's hidden size; the library turns the rows into 1 - cos
    differences. Loads the model and its image processor config with
    ``from_pretrained(name_or_path)``; preprocessing runs with torch ops on the device.
    """

    kind = "embedding"

    def __init__(self, name_or_path: str | os.PathLike[str], *, weight: float = 1.0, name: str | None = None) -> None:
        super().__init__(name_or_path, name=name or "DINOv2Embedding", weight=weight)
        self.dim = int(self.config.hidden_size)

    def features(self, images: torch.Tensor, prompt: str | None = None) -> torch.Tensor:
        """(b, dim) CLS embeddings, float32; the prompt is not used."""
        return self.hidden_states(images)[:, 0].float()


class DINOv2PatchDiversity(_DINOv2):
    """Pairwise: mean over patches of 1 - cos between two images' DINOv2 patch features.

    The paper code's default diversity. :meth:`features` gives each image's unit-length
    patch features (b, patches, hidden); :meth:`reduce` turns all n into the symmetric
    n x n matrix D[i, j] = 1 - mean_p <f_ip, f_jp> with one matrix product on the device.
    (The paper code resizes to 256 x 256 without a crop; this scorer follows the model's
    processor config.)
    """

    kind = "pairwise"

    def __init__(self, name_or_path: str | os.PathLike[str], *, weight: float = 1.0, name: str | None = None) -> None:
        super().__init__(name_or_path, name=name or "DINOv2PatchDiversity", weight=weight)

    def features(self, images: torch.Tensor, prompt: str | None = None) -> torch.Tensor:
        """(b, patches, hidden) unit-length patch features, float32; the prompt is not used."""
        torch = require("torch", self._who)
        patches = self.hidden_states(images)[:, self.first_patch:].float()
        return torch.nn.functional.normalize(patches, dim=-1)

    def reduce(self, features: torch.Tensor) -> torch.Tensor:
        """(n, patches, hidden) unit patch features -> (n, n) mean 1 - cos, zero diagonal."""
        torch = require("torch", self._who)
        if not isinstance(features, torch.Tensor) or features.ndim != 3 or 0 in features.shape:
            shape = tuple(features.shape) if isinstance(features, torch.Tensor) else type(features).__name__
            raise ValueError(f"{self._who}: reduce() takes the (n, patches, hidden) features of features(), not {shape}")
        n, patches = features.shape[:2]
        with torch.no_grad():
            flat = features.reshape(n, -1).float()
            # sum over patches of <f_ip, f_jp> is the dot product of the flattened features
            differences = 1.0 - (flat @ flat.T) / patches
            differences = (differences + differences.T) / 2  # exactly symmetric despite rounding
            differences.fill_diagonal_(0.0)
        return differences
