"""Class-conditional rectified flow on 8x8 digits: the velocity model and a
deterministic Euler sampler that advances any subset of candidates.

Convention: x_t = (1 - t) * noise + t * image, t from 0 (noise) to 1 (image);
the network predicts the velocity v = image - noise. Pixels live in [-1, 1].
"""
import numpy as np

from mlp import MLP

NUM_CLASSES = 10
SIDE = 8
PIXELS = SIDE * SIDE
# Mild guidance: samples are crisper than unguided ones, yet not all alike and
# not all flawless - so choosing a good, varied group matters.
DEFAULT_GUIDANCE = 1.25


def to_model_space(pixels):
    """sklearn's digits are 0..16 per pixel; the model works in [-1, 1]."""
    return np.asarray(pixels, dtype=np.float32) / 8.0 - 1.0


def time_features(t):
    """t and a few sinusoids of it, so a ReLU net can bend its answer in t."""
    t = np.asarray(t, dtype=np.float32).reshape(-1, 1)
    k = np.arange(1, 5, dtype=np.float32) * np.pi
    return np.hstack([t, np.sin(k * t), np.cos(k * t)])


def model_input(x, t, labels):
    """Network input: x_t, time features, one-hot class (all zeros = the
    "null" class used for classifier-free guidance; label -1)."""
    n = len(x)
    onehot = np.zeros((n, NUM_CLASSES), dtype=np.float32)
    given = labels >= 0
    onehot[np.flatnonzero(given), labels[given]] = 1.0
    tf = time_features(np.broadcast_to(np.asarray(t, dtype=np.float32), (n,)))
    return np.hstack([np.asarray(x, dtype=np.float32), tf, onehot])


class FlowModel:
    def __init__(self, weights):
        self.net = MLP(weights, "flow")

    def velocity(self, x, t, digit, guidance):
        """Guided velocity u + w (c - u): conditional and unconditional rows
        go through the network in one batch."""
        n = len(x)
        labels = np.concatenate([np.full(n, digit), np.full(n, -1)])
        v = self.net(model_input(np.vstack([x, x]), t, labels))
        cond, uncond = v[:n], v[n:]
        return uncond + guidance * (cond - uncond)


class Sampler:
    """M candidates for one digit, each an Euler path of `steps` steps.

    Candidate i's noise depends only on (seed, i), so any subset, in any
    batch, follows exactly the path it would follow alone. After a candidate's
    step s, `preview[i]` is the model's estimate of its clean image,
    x_t + (1 - t) v, from the same evaluation (no extra model call); after the
    last step it equals the final sample.
    """

    def __init__(self, model, digit, num_candidates, steps, guidance=DEFAULT_GUIDANCE, seed=0):
        self.model, self.digit, self.steps, self.guidance = model, digit, steps, guidance
        self.x = np.stack([np.random.default_rng([seed, i]).standard_normal(PIXELS)
                           for i in range(num_candidates)]).astype(np.float32)
        self.preview = np.full_like(self.x, np.nan)  # no estimate before step 0
        self.steps_done = np.zeros(num_candidates, dtype=np.int64)
        self.evaluations = 0  # guided velocity evaluations, one per candidate-step

    def advance(self, step, ids):
        """Run step `step` (0-based) for candidates `ids`, which must all
        have completed exactly `step` steps."""
        ids = np.asarray(ids, dtype=np.int64)
        if np.any(self.steps_done[ids] != step):
            raise ValueError(f"step {step}: candidates at steps {set(self.steps_done[ids].tolist())}")
        t = step / self.steps
        x = self.x[ids]
        v = self.model.velocity(x, t, self.digit, self.guidance)
        self.preview[ids] = x + (1.0 - t) * v
        self.x[ids] = x + v / self.steps
        self.steps_done[ids] += 1
        self.evaluations += len(ids)

    def run(self, ids):
        """Denoise `ids` (all fresh) to the end; returns their final samples."""
        for step in range(self.steps):
            self.advance(step, ids)
        return self.x[np.asarray(ids)]
