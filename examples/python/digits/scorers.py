"""The two scorers of the demo, both on batches of previews (n, 64) in [-1, 1].

quality:  log P(requested digit | image) under a classifier fitted on real digits.
features: the code of an autoencoder fitted on real digits - a separate
          network, so "different" is not judged by the quality classifier; the
          library turns the codes into 1 - cos distances.
"""
import numpy as np

from mlp import MLP


class QualityScorer:
    def __init__(self, weights):
        self.net = MLP(weights, "quality")

    def log_probs(self, images):
        """(n, 10) log-probabilities of the ten classes."""
        z = self.net(images).astype(np.float64)
        z -= z.max(axis=1, keepdims=True)
        return z - np.log(np.exp(z).sum(axis=1, keepdims=True))

    def __call__(self, images, digit):
        return self.log_probs(images)[:, digit]

    def predict(self, images):
        return self.log_probs(images).argmax(axis=1)


class FeatureScorer:
    def __init__(self, weights):
        self.net = MLP(weights, "features")
        # Codes are centred on the real digits' mean code: otherwise every
        # code shares a large common part and all cosines sit near 1.
        self.center = weights["features/center"]
        self.dim = len(self.center)

    def __call__(self, images):
        return np.ascontiguousarray(self.net.hidden(images, 2) - self.center, dtype=np.float32)
