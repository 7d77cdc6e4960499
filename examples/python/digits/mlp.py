"""Forward pass of a fitted scikit-learn MLP from its saved weights.

Training uses scikit-learn; inference needs only numpy, so the demo loads a
small .npz instead of pickles (which tie the weights to a scikit-learn version).
"""
import numpy as np

ACTIVATIONS = {
    "relu": lambda a: np.maximum(a, 0.0, out=a),
    "tanh": np.tanh,
    "identity": lambda a: a,
}


def export(net, prefix):
    """The weights of a fitted MLPRegressor/MLPClassifier as npz entries."""
    out = {f"{prefix}/activation": np.array(net.activation)}
    for i, (w, b) in enumerate(zip(net.coefs_, net.intercepts_)):
        out[f"{prefix}/w{i}"] = w.astype(np.float32)
        out[f"{prefix}/b{i}"] = b.astype(np.float32)
    return out


class MLP:
    """Hidden layers use the saved activation; the output layer is linear
    (logits for a classifier: take the softmax yourself)."""

    def __init__(self, weights, prefix):
        self.activation = ACTIVATIONS[str(weights[f"{prefix}/activation"])]
        self.layers = []
        while f"{prefix}/w{len(self.layers)}" in weights:
            i = len(self.layers)
            self.layers.append((weights[f"{prefix}/w{i}"], weights[f"{prefix}/b{i}"]))

    def hidden(self, x, depth):
        """Activations after the first `depth` hidden layers."""
        a = np.asarray(x, dtype=np.float32)
        for w, b in self.layers[:depth]:
            a = self.activation(a @ w + b)
        return a

    def __call__(self, x):
        a = self.hidden(x, len(self.layers) - 1)
        w, b = self.layers[-1]
        return a @ w + b
