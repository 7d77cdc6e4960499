"""What the model-backed scorers share: loading with from_pretrained, device moves, preprocessing."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from ._checks import check_images
from ._lazy import require, require_all
from ._preprocess import ImageTransform
from .base import Scorer

if TYPE_CHECKING:
    import torch


class ModelScorer(Scorer):
    """A scorer around one transformers model and its image processor config."""

    # model_type values (config.json) this scorer can load
    model_types: tuple[str, ...] = ()

    def __init__(self, name_or_path: str | os.PathLike[str], *, name: str, weight: float, dim: int | None = None) -> None:
        super().__init__(name=name, weight=weight, dim=dim)
        _, transformers = require_all(self._who, "torch", "transformers")
        self.name_or_path = os.fspath(name_or_path)
        self.config = transformers.AutoConfig.from_pretrained(self.name_or_path)
        if self.config.model_type not in self.model_types:
            raise ValueError(f"{self._who}: {self.name_or_path!r} holds a {self.config.model_type!r} model; "
                             f"expected model_type {' or '.join(map(repr, self.model_types))}")
        self.transform = ImageTransform.from_pretrained(self.name_or_path, self._who)
        self.model: Any = None  # set by the subclass

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    @property
    def dtype(self) -> torch.dtype:
        return next(self.model.parameters()).dtype

    def to(self, device: Any, dtype: Any = None) -> ModelScorer:
        """Move the model to `device` (and floating-point `dtype`, e.g. torch.float16); returns self."""
        torch = require("torch", self._who)
        if dtype is not None and not (isinstance(dtype, torch.dtype) and dtype.is_floating_point):
            raise TypeError(f"{self._who}: dtype must be a floating-point torch.dtype, not {dtype!r}")
        self.model.to(device=device, dtype=dtype)
        return self

    def pixel_values(self, images: torch.Tensor) -> torch.Tensor:
        """Checked images -> the model's input on its device, in its dtype."""
        images = check_images(self._who, images)
        return self.transform(images.to(self.device), self.dtype)

    def __repr__(self) -> str:
        return f"{super().__repr__()[:-1]} model={self.name_or_path!r}>"
