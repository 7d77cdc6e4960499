"""Presets: the group-inference numbers per model family.

The FLUX presets are the defaults of the paper's reference code ("Scaling Group Inference for
Diverse and High-Quality Generation"): K = 4, the ratio schedule pruning after every step from
step 0, lambda = 1.5 with CLIP (unary) and DINOv2 patch diversity (pairwise) scorers. The
reference code covers FLUX only; the SD, SDXL and SD3 presets keep its K, lambda and halving
schedule with each pipeline family's usual number of steps.

>>> preset("flux-schnell")
Preset(name='flux-schnell', num_candidates=64, group_size=4, num_inference_steps=4, prune_ratio=0.9, lam=1.5, schedule='ratio', first_prune_step=0)
>>> preset("flux-dev").num_candidates, preset("flux-dev").num_inference_steps
(128, 20)
>>> import dataclasses
>>> dataclasses.replace(preset("sdxl"), num_candidates=16).num_candidates   # a custom preset
16
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Preset", "PRESETS", "preset"]


@dataclass(frozen=True)
class Preset:
    """Defaults for group_generate; any of them can be overridden by its keyword argument."""

    name: str
    num_candidates: int
    group_size: int
    num_inference_steps: int
    prune_ratio: float
    lam: float
    schedule: str = "ratio"
    first_prune_step: int = 0


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        # The reference code's defaults.
        Preset("flux-schnell", num_candidates=64, group_size=4, num_inference_steps=4, prune_ratio=0.9, lam=1.5),
        Preset("flux-dev", num_candidates=128, group_size=4, num_inference_steps=20, prune_ratio=0.5, lam=1.5),
        # The same K, lambda and halving, with each family's usual step count.
        Preset("sd", num_candidates=64, group_size=4, num_inference_steps=25, prune_ratio=0.5, lam=1.5),
        Preset("sdxl", num_candidates=64, group_size=4, num_inference_steps=25, prune_ratio=0.5, lam=1.5),
        Preset("sd3", num_candidates=64, group_size=4, num_inference_steps=28, prune_ratio=0.5, lam=1.5),
    )
}
"""The presets by name. group_generate picks the pipeline family's preset when none is given
(FLUX: "flux-dev" when the transformer has guidance embeddings, else "flux-schnell")."""


def preset(name: str | Preset) -> Preset:
    """The preset called `name` (a Preset is returned as it is).

    >>> preset("sd3").num_inference_steps
    28
    >>> preset("flux")
    Traceback (most recent call last):
    ...
    ValueError: unknown preset 'flux'; the presets are 'flux-schnell', 'flux-dev', 'sd', 'sdxl', 'sd3'
    """
    if isinstance(name, Preset):
        return name
    try:
        return PRESETS[name]
    except (KeyError, TypeError):
        names = ", ".join(repr(n) for n in PRESETS)
        raise ValueError(f"unknown preset {name!r}; the presets are {names}") from None
