"""Checks of the committed digits model, sampler and scorers (fast: a few seconds).

    python -m pytest examples/python/digits/test_digits.py
"""
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_digits

from flow import Sampler, to_model_space
from host import DigitsHost, Networks, group_objective

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def nets():
    return Networks()


def test_weights_file_is_small():
    assert (Path(__file__).parent / "weights.npz").stat().st_size < 5e6


def test_samples_are_the_requested_digit(nets):
    """Chance is 10 %; the model's samples are recognised far more often."""
    for digit in range(10):
        samples = Sampler(nets.flow, digit, 16, 20, seed=123).run(np.arange(16))
        rate = (nets.quality.predict(samples) == digit).mean()
        assert rate >= 0.75, f"digit {digit}: only {rate:.0%} recognised"


def test_quality_classifier_knows_real_digits(nets):
    d = load_digits()
    assert (nets.quality.predict(to_model_space(d.data)) == d.target).mean() > 0.95


def test_last_preview_is_the_final_sample(nets):
    s = Sampler(nets.flow, 7, 8, 10, seed=0)
    final = s.run(np.arange(8))
    np.testing.assert_allclose(s.preview, final, atol=1e-5)


def test_batched_equals_one_by_one(nets):
    """Any subset in any batch follows the path it would follow alone."""
    batched = Sampler(nets.flow, 2, 6, 8, seed=5).run(np.arange(6))
    single = Sampler(nets.flow, 2, 6, 8, seed=5)
    for i in [4, 0, 5, 1, 3, 2]:
        single.run([i])
    np.testing.assert_allclose(single.x, batched, atol=1e-5)
    assert single.evaluations == 6 * 8


def test_advance_refuses_out_of_step_candidates(nets):
    s = Sampler(nets.flow, 1, 4, 5)
    s.advance(0, [0, 1])
    with pytest.raises(ValueError):
        s.advance(1, [0, 2])  # candidate 2 has not done step 0


def test_embeddings_are_nonzero_float32(nets):
    s = Sampler(nets.flow, 4, 32, 5)
    s.advance(0, np.arange(32))  # earliest previews: the blurriest
    e = nets.features(s.preview)
    assert e.dtype == np.float32 and e.shape == (32, nets.features.dim)
    assert np.linalg.norm(e, axis=1).min() > 1e-3


def test_group_inference_end_to_end(nets):
    """The library's choice, objective and cost agree with the host's own figures."""
    try:
        import groupinference as gi
    except ImportError:
        sys.path.insert(0, str(REPO / "bindings" / "python" / "src"))
        gi = pytest.importorskip("groupinference")
    m, k, steps, lam = 16, 4, 6, 0.5
    host = DigitsHost(nets, 3, m, steps)
    with gi.Session(num_candidates=m, group_size=k, num_steps=steps, lam=lam, solver="exact") as s:
        s.add_unary_scorer("quality", host.quality)
        s.add_embedding_scorer("features", host.embed, dim=host.feature_dim)
        s.set_denoiser(host.denoise)
        s.run()
        r = s.result()
    assert len(r.ids) == k and np.all(host.sampler.steps_done[r.ids] == steps)
    assert r.evaluations == host.sampler.evaluations < m * steps
    unary, pairwise = host.scores(host.sampler.x[r.ids])
    np.testing.assert_allclose(r.unary, unary, atol=1e-6)
    np.testing.assert_allclose(r.pairwise, pairwise * (1 - np.eye(k)), atol=1e-5)
    assert r.objective == pytest.approx(group_objective(unary, pairwise, lam), abs=1e-5)
