"""Checks shared by every scorer: the image convention in, the result shapes out."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ._lazy import require

if TYPE_CHECKING:
    import torch

# Images are (n, 3, H, W) in [0, 1]; values this far outside are refused, closer ones
# clamped. bfloat16 rounds 1.0 to within 2**-8, float16 to within 2**-11.
IMAGE_TOLERANCE = 1e-2

CONVENTION = "a (n, 3, H, W) float tensor with values in [0, 1], as a pipeline returns with output_type='pt'"


def check_name(name: Any) -> str:
    if not isinstance(name, str) or not name:
        raise ValueError(f"a scorer's name must be a non-empty string, not {name!r}")
    return name


def check_weight(who: str, weight: Any) -> float:
    try:
        value = float(weight)
    except (TypeError, ValueError):
        raise TypeError(f"{who}: weight must be a real number, not {type(weight).__name__}") from None
    if not math.isfinite(value):
        raise ValueError(f"{who}: weight must be finite, not {value}")
    return value


def check_images(who: str, images: Any) -> torch.Tensor:
    """Return `images` if they follow the convention; raise naming what breaks it."""
    torch = require("torch", who)
    if not isinstance(images, torch.Tensor):
        hint = ""
        if type(images).__module__ == "numpy":
            hint = " (for output_type='np' images of shape (n, H, W, 3): torch.from_numpy(x).permute(0, 3, 1, 2))"
        raise TypeError(f"{who}: images must be {CONVENTION}, not {type(images).__name__}{hint}")
    shape = tuple(images.shape)
    if len(shape) != 4 or shape[1] != 3 or 0 in shape:
        hint = " (channels last? use images.permute(0, 3, 1, 2))" if len(shape) == 4 and shape[-1] == 3 else ""
        raise ValueError(f"{who}: images must be {CONVENTION}; got shape {shape}{hint}")
    if not images.is_floating_point():
        hint = " (uint8 images: divide by 255)" if images.dtype == torch.uint8 else ""
        raise TypeError(f"{who}: images must be {CONVENTION}; got dtype {images.dtype}{hint}")
    # One synchronisation for all three facts.
    low, high, finite = torch.stack([images.amin().float(), images.amax().float(),
                                     torch.isfinite(images).all().float()]).tolist()
    if finite != 1.0:
        raise ValueError(f"{who}: images contain NaN or infinite values")
    if low < -IMAGE_TOLERANCE or high > 1.0 + IMAGE_TOLERANCE:
        hint = " (images in [-1, 1]: use images / 2 + 0.5)" if low < -0.5 else ""
        raise ValueError(f"{who}: images must be {CONVENTION}; got values in [{low:.4g}, {high:.4g}]{hint}")
    return images


def check_result(who: str, value: Any, shape: tuple[int, ...], meaning: str) -> torch.Tensor:
    """A wrapped callable's result as a float tensor of exactly `shape`, every value finite."""
    torch = require("torch", who)
    if not isinstance(value, torch.Tensor):
        try:
            value = torch.as_tensor(value)
        except (TypeError, ValueError, RuntimeError) as error:
            raise TypeError(f"{who}: the callable returned {type(value).__name__}, not numbers ({error})") from None
    if value.dtype == torch.bool or value.is_complex():
        raise TypeError(f"{who}: the callable returned {value.dtype} values; expected real numbers")
    if not value.is_floating_point():
        value = value.to(torch.float64)
    if tuple(value.shape) != shape:
        raise ValueError(f"{who}: the callable returned shape {tuple(value.shape)}; expected {shape} ({meaning})")
    finite = torch.isfinite(value)
    if not bool(finite.all()):
        where = tuple(int(i) for i in (~finite).nonzero()[0].tolist())
        raise ValueError(f"{who}: the callable returned a non-finite value ({value[where].item()}) at index {where}")
    return value
