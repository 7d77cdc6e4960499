"""Latents -> images for the scorers: previews (x̂0) and the final images.

Images handed to scorers follow the pipelines' ``output_type="pt"`` convention: float32,
(n, 3, H, W), values in [0, 1], on the pipeline's device. Each family turns latents into VAE input
as its ``__call__`` does (SD: z / scaling_factor; SDXL: with the VAE's latents_mean/std when it has
them; SD3 and FLUX: z / scaling_factor + shift_factor; FLUX unpacks its 2x2 patches first), with
the scaling of whichever VAE decodes - the pipeline's, or a ``preview_vae`` such as an
``AutoencoderTiny`` (whose config says scaling_factor 1.0 when it reads the pipeline's latents as
they are).

``preview_size=(h, w)`` decodes previews from latents resized (bilinear, antialiased) to
(h, w) / vae_scale_factor: decoding costs scale with the pixels. Final images are always decoded
at full size with the pipeline's VAE.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

import torch
import torch.nn.functional as F

from ._chunks import chunk_spans


def _vae_input(family: str, latents: torch.Tensor, config: Any) -> torch.Tensor:
    scaling = config.scaling_factor
    if family == "sdxl":
        mean, std = getattr(config, "latents_mean", None), getattr(config, "latents_std", None)
        if mean is not None and std is not None:
            channels = latents.shape[1]
            mean = torch.tensor(mean).view(1, channels, 1, 1).to(latents.device, latents.dtype)
            std = torch.tensor(std).view(1, channels, 1, 1).to(latents.device, latents.dtype)
            return latents * std / scaling + mean
        return latents / scaling
    if family in ("sd3", "flux"):
        return latents / scaling + (getattr(config, "shift_factor", None) or 0.0)
    return latents / scaling


@contextmanager
def _upcast_if_needed(family: str, vae: Any) -> Iterator[None]:
    """SDXL's fp16 VAE overflows; its pipeline decodes in float32 when force_upcast is set (so do we)."""
    if family == "sdxl" and vae.dtype == torch.float16 and getattr(vae.config, "force_upcast", False):
        vae.to(dtype=torch.float32)
        try:
            yield
        finally:
            vae.to(dtype=torch.float16)
    else:
        yield


class Decoder:
    """Decodes latents of alive candidates in batches of batch_size."""

    def __init__(self, pipeline: Any, family: str, batch_size: int, height: int, width: int,
                 preview_vae: Any = None, preview_size: tuple[int, int] | None = None) -> None:
        self.pipeline = pipeline
        self.family = family
        self.batch_size = batch_size
        self.height, self.width = height, width
        self.preview_vae = preview_vae
        self.preview_size = preview_size
        factor = pipeline.vae_scale_factor
        if preview_size is not None:
            h, w = preview_size
            if h % factor or w % factor or h <= 0 or w <= 0:
                raise ValueError(f"preview_size = {preview_size} must be positive multiples of the VAE scale "
                                 f"factor {factor}")

    def _spatial(self, latents: torch.Tensor) -> torch.Tensor:
        if self.family == "flux":
            return self.pipeline._unpack_latents(latents, self.height, self.width, self.pipeline.vae_scale_factor)
        return latents

    def raw(self, latents: torch.Tensor, vae: Any, size: tuple[int, int] | None = None) -> torch.Tensor:
        """vae.decode of one batch: images in [-1, 1] as the pipeline's VAE returns them."""
        z = self._spatial(latents)
        if size is not None:
            factor = self.pipeline.vae_scale_factor
            z = F.interpolate(z.to(torch.float32), size=(size[0] // factor, size[1] // factor), mode="bilinear",
                              antialias=True)
        upcast = _upcast_if_needed(self.family, vae) if vae is self.pipeline.vae else nullcontext()
        with upcast:
            dtype = next(vae.parameters()).dtype
            z = _vae_input(self.family, z.to(dtype), vae.config)
            return vae.decode(z, return_dict=False)[0]

    @staticmethod
    def to_unit(raw: torch.Tensor) -> torch.Tensor:
        """[-1, 1] -> [0, 1] float32, as the pipelines' output_type="pt" (VaeImageProcessor.denormalize)."""
        return (raw * 0.5 + 0.5).clamp(0, 1).to(torch.float32)

    def previews(self, latents: torch.Tensor) -> Iterator[torch.Tensor]:
        """Preview images of x̂0 `latents`, one batch at a time."""
        vae = self.preview_vae if self.preview_vae is not None else self.pipeline.vae
        for a, b in chunk_spans(latents.shape[0], self.batch_size):
            yield self.to_unit(self.raw(latents[a:b], vae, self.preview_size))

    def finals(self, latents: torch.Tensor, keep_raw: list[torch.Tensor] | None = None) -> Iterator[torch.Tensor]:
        """The final images of `latents` (full size, the pipeline's VAE), one batch at a time;
        the raw decodes are appended to keep_raw when given."""
        for a, b in chunk_spans(latents.shape[0], self.batch_size):
            raw = self.raw(latents[a:b], self.pipeline.vae)
            if keep_raw is not None:
                keep_raw.append(raw)
            yield self.to_unit(raw)
