"""The generator's side of group inference for one digit: the sampler's state
and the callbacks the library calls (denoise, quality, features), plus the
group objective computed the same way, for groups the library did not choose.
"""
from pathlib import Path

import numpy as np

from flow import DEFAULT_GUIDANCE, FlowModel, Sampler
from scorers import FeatureScorer, QualityScorer

WEIGHTS = Path(__file__).resolve().parent / "weights.npz"


class Networks:
    """The three trained networks, loaded once and shared by many hosts."""

    def __init__(self, path=WEIGHTS):
        weights = dict(np.load(path))
        self.flow = FlowModel(weights)
        self.quality = QualityScorer(weights)
        self.features = FeatureScorer(weights)


class DigitsHost:
    def __init__(self, nets, digit, num_candidates, steps, guidance=DEFAULT_GUIDANCE, seed=0):
        self.nets, self.digit = nets, digit
        self.sampler = Sampler(nets.flow, digit, num_candidates, steps, guidance, seed)
        self.on_step = None  # optional hook(step, ids) after each denoising step

    # -- callbacks for gi.Session: (step, ids) -----------------------------------
    def denoise(self, step, ids):
        self.sampler.advance(step, ids)
        if self.on_step is not None:
            self.on_step(step, ids)

    def quality(self, step, ids):
        return self.nets.quality(self.sampler.preview[ids], self.digit)

    def embed(self, step, ids):
        return self.nets.features(self.sampler.preview[ids])

    @property
    def feature_dim(self):
        return self.nets.features.dim

    # -- scoring groups the library did not choose ----------------------------------
    def scores(self, images):
        """Unary scores (n,) and pairwise differences 1 - cos (n, n), as the
        library builds them with weight 1 for both scorers."""
        e = self.nets.features(images).astype(np.float64)
        e /= np.linalg.norm(e, axis=1, keepdims=True)
        return self.nets.quality(images, self.digit), 1.0 - e @ e.T


def group_objective(unary, pairwise, lam):
    """sum_i u_i + lam * sum_{i<j} b_ij over a whole (small) group."""
    return float(unary.sum() + lam * np.triu(pairwise, 1).sum())


def mean_pairwise(pairwise):
    n = len(pairwise)
    return float(np.triu(pairwise, 1).sum() / (n * (n - 1) / 2)) if n > 1 else 0.0
