"""Train the digits demo's three small networks on scikit-learn's bundled
8x8 digits and write their weights to weights.npz (float32, ~2.5 MB):

  flow      class-conditional rectified-flow velocity field with a "null"
            class for classifier-free guidance (MLPRegressor, partial_fit)
  quality   digit classifier, the unary scorer (MLPClassifier)
  features  autoencoder whose code is the diversity embedding (MLPRegressor)

    python examples/python/digits/train.py [--out weights.npz] [--grid build/digits/samples.png]

Deterministic: fixed seeds, one BLAS thread.
"""
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # same numbers every run, and
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # polite on shared machines

import argparse
import time
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor

import mlp
from flow import DEFAULT_GUIDANCE, FlowModel, Sampler, model_input, to_model_space

HERE = Path(__file__).resolve().parent
NULL_CLASS_RATE = 0.15  # how often the label is dropped, for guidance


def train_flow(x, y, epochs, copies, seed=0):
    """Fit v(x_t, t, class) = image - noise on fresh (noise, t) draws each
    epoch. The batch grows in the last third instead of decaying the learning
    rate, which partial_fit does not expose (same effect on SGD noise)."""
    rng = np.random.default_rng(seed)
    net = MLPRegressor(hidden_layer_sizes=(512, 512, 512), learning_rate_init=1e-3,
                       batch_size=256, random_state=seed)
    for epoch in range(epochs):
        if epoch == 2 * epochs // 3:
            net.batch_size = 1024
        idx = np.tile(np.arange(len(x)), copies)
        image = x[idx]
        noise = rng.standard_normal(image.shape).astype(np.float32)
        t = rng.random(len(idx)).astype(np.float32)
        xt = (1 - t[:, None]) * noise + t[:, None] * image
        labels = np.where(rng.random(len(idx)) < NULL_CLASS_RATE, -1, y[idx])
        net.partial_fit(model_input(xt, t, labels), image - noise)
        if epoch % 10 == 0 or epoch == epochs - 1:
            print(f"  flow epoch {epoch:3d}  loss {net.loss_:.4f}", flush=True)
    return net


def train_quality(x, y, seed=0):
    xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.2, stratify=y, random_state=seed)
    # Strong weight decay keeps the log-probabilities graded instead of all ~0,
    # so the score still tells a clear digit from a doubtful one.
    net = MLPClassifier(hidden_layer_sizes=(128,), alpha=1.0, max_iter=400, random_state=seed)
    net.fit(xtr, ytr)
    print(f"  quality classifier: held-out accuracy {net.score(xte, yte):.3f}, loss {net.loss_:.4f}")
    return net


def train_features(x, seed=0):
    net = MLPRegressor(hidden_layer_sizes=(64, 16, 64), activation="tanh",
                       max_iter=600, random_state=seed)
    net.fit(x, x)
    print(f"  feature autoencoder: reconstruction loss {net.loss_:.4f}")
    return net


def render_grid(weights, path, per_class=10, steps=20, guidance=DEFAULT_GUIDANCE):
    """Samples for every digit, one row each, to check by eye."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    model = FlowModel(weights)
    fig, axes = plt.subplots(10, per_class, figsize=(per_class, 10))
    for d in range(10):
        samples = Sampler(model, d, per_class, steps, guidance, seed=0).run(np.arange(per_class))
        for j, img in enumerate(samples):
            axes[d, j].imshow(img.reshape(8, 8), cmap="gray_r", vmin=-1, vmax=1)
            axes[d, j].axis("off")
    fig.suptitle(f"samples per digit (rows 0-9), {steps} Euler steps, guidance {guidance}")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=80)
    print(f"wrote {path}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=HERE / "weights.npz")
    ap.add_argument("--epochs", type=int, default=60)
    ap.add_argument("--copies", type=int, default=10, help="noise draws per image per epoch")
    ap.add_argument("--grid", type=Path, default=HERE.parents[2] / "build" / "digits" / "samples.png")
    args = ap.parse_args()

    digits = load_digits()
    x, y = to_model_space(digits.data), digits.target
    print(f"{len(x)} real digits, {x.shape[1]} pixels")
    weights = {}
    total = time.perf_counter()
    for name, fit in [("flow", lambda: train_flow(x, y, args.epochs, args.copies)),
                      ("quality", lambda: train_quality(x, y)),
                      ("features", lambda: train_features(x))]:
        start = time.perf_counter()
        net = fit()
        print(f"  {name}: {time.perf_counter() - start:.1f} s")
        weights.update(mlp.export(net, name))
    code = mlp.MLP(weights, "features").hidden(x, 2)
    weights["features/center"] = code.mean(axis=0).astype(np.float32)

    print(f"training took {time.perf_counter() - total:.1f} s")
    np.savez_compressed(args.out, **weights)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)")
    render_grid(weights, args.grid)


if __name__ == "__main__":
    main()
