"""An image processor's config (resize, center crop, normalise) applied with torch ops on the device.

transformers' own processors convert to PIL or numpy on the CPU; a scorer running next to
a pipeline on a GPU keeps the previews where they are. The geometry follows transformers:
``size={"shortest_edge": s}`` scales the short side to s and the long side to
int(s * long / short); ``{"height", "width"}`` resizes to exactly that; the center crop
starts at ((H - h) // 2, (W - w) // 2) and pads with black when the image is smaller.
PIL's resampling filters map to torch's: bicubic and bilinear with ``antialias=True``,
which uses PIL's filter kernels in both directions; Lanczos and Hamming, which torch
lacks, use that bicubic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._lazy import require

if TYPE_CHECKING:
    import torch

# PIL.Image.Resampling codes as stored in processor configs -> (torch mode, antialias).
_RESAMPLE = {0: ("nearest-exact", False), 1: ("bicubic", True), 2: ("bilinear", True),
             3: ("bicubic", True), 4: ("area", False), 5: ("bicubic", True)}
_RESAMPLE_NAMES = {"nearest": 0, "lanczos": 1, "bilinear": 2, "bicubic": 3, "box": 4, "hamming": 5}


@dataclass(frozen=True)
class ImageTransform:
    shortest_edge: int | None          # resize the short side to this, or
    resize_to: tuple[int, int] | None  # resize to exactly (height, width)
    crop: tuple[int, int] | None       # center crop (height, width)
    mean: tuple[float, ...] | None     # None: no normalisation
    std: tuple[float, ...] | None
    mode: str
    antialias: bool

    @classmethod
    def from_pretrained(cls, name_or_path: str, who: str) -> ImageTransform:
        """Read the processor config (preprocessor_config.json) the way transformers does."""
        transformers = require("transformers", who)
        config, _ = transformers.ImageProcessingMixin.get_image_processor_dict(str(name_or_path))
        return cls.from_config(config, who)

    @classmethod
    def from_config(cls, config: dict[str, Any], who: str) -> ImageTransform:
        shortest, exact, crop = None, None, None
        if config.get("do_resize", True):
            shortest, exact = _size(config.get("size"), "size", who)
        if config.get("do_center_crop", "crop_size" in config):
            _, crop = _size(config.get("crop_size"), "crop_size", who, square=True)
        mean = std = None
        if config.get("do_normalize", True):
            mean, std = _channels(config, "image_mean", who), _channels(config, "image_std", who)
            if min(std) <= 0:
                raise ValueError(f"{who}: the image processor config has image_std {std}; every value must be > 0")
        resample = config.get("resample", 3)
        resample = _RESAMPLE_NAMES.get(resample, resample) if isinstance(resample, str) else resample
        if resample not in _RESAMPLE:
            raise ValueError(f"{who}: the image processor config has resample={resample!r}; "
                             f"supported are the PIL codes {sorted(_RESAMPLE)}")
        mode, antialias = _RESAMPLE[resample]
        return cls(shortest, exact, crop, mean, std, mode, antialias)

    def output_size(self) -> tuple[int, int] | None:
        """The (height, width) every image comes out as, or None when it depends on the input."""
        if self.crop is not None:
            return self.crop
        return self.resize_to

    def __call__(self, images: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
        """(n, 3, H, W) in [0, 1] -> the model's pixel_values in `dtype`, on the same device."""
        torch = require("torch", "ImageTransform")
        functional = torch.nn.functional
        x = images.float().clamp(0.0, 1.0)
        height, width = x.shape[-2:]
        target = self.resize_to if self.resize_to is not None else _shortest_edge(height, width, self.shortest_edge)
        if target is not None and target != (height, width):
            x = functional.interpolate(x, size=target, mode=self.mode, antialias=self.antialias,
                                       **({"align_corners": False} if self.mode in ("bilinear", "bicubic") else {}))
            x = x.clamp(0.0, 1.0)  # bicubic overshoots; PIL clips to the pixel range
        if self.crop is not None:
            x = _center_crop(x, *self.crop)
        if self.mean is not None and self.std is not None:
            mean = torch.tensor(self.mean, device=x.device, dtype=x.dtype).view(1, -1, 1, 1)
            std = torch.tensor(self.std, device=x.device, dtype=x.dtype).view(1, -1, 1, 1)
            x = (x - mean) / std
        return x.to(dtype)


def _size(value: Any, key: str, who: str, square: bool = False) -> tuple[int | None, tuple[int, int] | None]:
    """A processor's size entry -> (shortest edge, None) or (None, (height, width))."""
    if value is None:
        raise ValueError(f"{who}: the image processor config enables {key} but gives no {key}")
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        # Older configs store a bare int: CLIP and BiT read it as the shortest edge,
        # a crop size as a square.
        return (None, (value, value)) if square else (value, None)
    if isinstance(value, dict):
        given = {k: v for k, v in value.items() if v is not None}
        if set(given) == {"shortest_edge"} and not square:
            return int(given["shortest_edge"]), None
        if set(given) == {"height", "width"}:
            return None, (int(given["height"]), int(given["width"]))
    raise ValueError(f"{who}: unsupported {key} {value!r} in the image processor config; supported are "
                     f"{{'height': h, 'width': w}}" + ("" if square else ", {'shortest_edge': s}") + " or an int")


def _channels(config: dict[str, Any], key: str, who: str) -> tuple[float, ...]:
    value = config.get(key)
    if not isinstance(value, (list, tuple)) or len(value) != 3:
        raise ValueError(f"{who}: the image processor config needs {key} with 3 values, not {value!r}")
    return tuple(float(v) for v in value)


def _shortest_edge(height: int, width: int, size: int | None) -> tuple[int, int] | None:
    if size is None:
        return None
    short, long = (width, height) if width <= height else (height, width)
    if short == size:
        return (height, width)
    new_long = int(size * long / short)
    return (new_long, size) if width <= height else (size, new_long)


def _center_crop(x: torch.Tensor, crop_height: int, crop_width: int) -> torch.Tensor:
    torch = require("torch", "ImageTransform")
    height, width = x.shape[-2:]
    if crop_height > height or crop_width > width:
        # transformers puts the image at ceil(pad / 2) from the top left
        pad_h, pad_w = max(crop_height - height, 0), max(crop_width - width, 0)
        x = torch.nn.functional.pad(x, (pad_w - pad_w // 2, pad_w // 2, pad_h - pad_h // 2, pad_h // 2))
        height, width = x.shape[-2:]
    top, left = (height - crop_height) // 2, (width - crop_width) // 2
    return x[..., top:top + crop_height, left:left + crop_width]
