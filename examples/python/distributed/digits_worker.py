"""A shard of the digits demo's candidates (examples/python/digits) as a worker of
groupinference.distributed: the latents, previews and steps done of the
candidates it holds, the flow model that advances them, and the two scorers.

Each candidate follows exactly the Euler path of flow.Sampler.advance, whatever
worker or batch it is in: its noise depends only on (seed, id), and a step uses
only its own row. (The floats can still differ in the last bits between batch
sizes: OpenBLAS picks its kernel by matrix size.)
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

DIGITS = Path(__file__).resolve().parents[1] / "digits"
if str(DIGITS) not in sys.path:
    sys.path.insert(0, str(DIGITS))

from flow import DEFAULT_GUIDANCE, PIXELS  # noqa: E402
from host import WEIGHTS, Networks  # noqa: E402

QUALITY, FEATURES = "quality", "features"
"""The scorer names this worker answers for: log p(digit | preview) and the autoencoder code."""


def feature_dim(weights=WEIGHTS) -> int:
    return len(np.load(weights)["features/center"])


class DigitsWorker:
    """Follows groupinference.distributed.Worker. ``model_seconds`` accumulates the time
    spent in the networks (denoising and scoring), for the overhead benchmark."""

    def __init__(self, digit, num_steps, guidance=DEFAULT_GUIDANCE, seed=0, weights=WEIGHTS):
        self.nets = Networks(weights)
        self.digit, self.steps, self.guidance, self.seed = digit, num_steps, guidance, seed
        self.ids = np.empty(0, dtype=np.int64)          # held, ascending
        self.x = np.empty((0, PIXELS), dtype=np.float32)
        self.preview = np.empty((0, PIXELS), dtype=np.float32)
        self.steps_done = np.empty(0, dtype=np.int64)
        self.evaluations = 0
        self.model_seconds = 0.0

    # -- the protocol ---------------------------------------------------------------
    def start(self, ids):
        """The same noise as flow.Sampler's candidate i: default_rng([seed, i])."""
        ids = np.asarray(ids, dtype=np.int64)
        noise = np.stack([np.random.default_rng([self.seed, int(i)]).standard_normal(PIXELS) for i in ids])
        self._adopt(ids, noise.astype(np.float32), np.full((len(ids), PIXELS), np.nan, np.float32),
                    np.zeros(len(ids), np.int64))

    def advance(self, ids, step, want_scores):
        """flow.Sampler.advance on these rows, then the scores of the new previews."""
        rows = self._rows(ids)
        if np.any(self.steps_done[rows] != step):
            raise ValueError(f"step {step}: candidates at steps {sorted(set(self.steps_done[rows].tolist()))}")
        began = time.perf_counter()
        t = step / self.steps
        x = self.x[rows]
        v = self.nets.flow.velocity(x, t, self.digit, self.guidance)
        self.preview[rows] = x + (1.0 - t) * v
        self.x[rows] = x + v / self.steps
        self.steps_done[rows] += 1
        self.evaluations += len(rows)
        scores = None
        if want_scores:
            previews = self.preview[rows]
            scores = {QUALITY: self.nets.quality(previews, self.digit), FEATURES: self.nets.features(previews)}
        self.model_seconds += time.perf_counter() - began
        return scores

    def keep(self, ids):
        rows = self._rows(ids)
        self.ids, self.x, self.preview, self.steps_done = (
            self.ids[rows], self.x[rows], self.preview[rows], self.steps_done[rows])

    def take(self, ids):
        rows = self._rows(ids)
        state = dict(ids=self.ids[rows], x=self.x[rows], preview=self.preview[rows], steps_done=self.steps_done[rows])
        self.keep(np.setdiff1d(self.ids, state["ids"]))
        return state

    def put(self, state):
        self._adopt(state["ids"], state["x"], state["preview"], state["steps_done"])

    def finalize(self, ids):
        """The final samples (64 pixels in [-1, 1]) of finished candidates."""
        rows = self._rows(ids)
        if np.any(self.steps_done[rows] != self.steps):
            raise ValueError(f"finalize: candidates {np.asarray(ids)[self.steps_done[rows] != self.steps].tolist()} "
                             f"have not finished their {self.steps} steps")
        return list(self.x[rows])

    # -- for the benchmark ----------------------------------------------------------
    def timing(self):
        return self.model_seconds, self.evaluations

    # -- helpers --------------------------------------------------------------------
    def _rows(self, ids):
        ids = np.asarray(ids, dtype=np.int64)
        rows = np.searchsorted(self.ids, ids)
        if len(ids) and (rows.max() >= len(self.ids) or np.any(self.ids[rows] != ids)):
            raise KeyError(f"ids {np.setdiff1d(ids, self.ids).tolist()} are not held by this worker")
        return rows

    def _adopt(self, ids, x, preview, steps_done):
        ids = np.asarray(ids, dtype=np.int64)
        if np.intersect1d(ids, self.ids).size:
            raise ValueError(f"ids {np.intersect1d(ids, self.ids).tolist()} are already held here")
        order = np.argsort(np.concatenate([self.ids, ids]), kind="stable")
        self.ids = np.concatenate([self.ids, ids])[order]
        self.x = np.concatenate([self.x, x])[order]
        self.preview = np.concatenate([self.preview, preview])[order]
        self.steps_done = np.concatenate([self.steps_done, steps_done])[order]
