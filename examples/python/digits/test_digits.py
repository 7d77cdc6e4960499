"""Checks of the committed digits model, sampler and scorers (fast: a few seconds).

    python -m pytest examples/python/digits/test_digits.py
"""
import json
import subprocess
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


# -- schedules (0.2: calibrated and adaptive) -------------------------------------------

def _gi():
    try:
        import groupinference as gi
    except ImportError:
        sys.path.insert(0, str(REPO / "bindings" / "python" / "src"))
        gi = pytest.importorskip("groupinference")
    return gi


def test_committed_schedule_files():
    """calibrate.py's files: one per sweep λ and committed budget, for M=64, K=4, T=20, within budget."""
    gi = _gi()
    from calibrate import COMMITTED_BUDGETS, SWEEP_LAMBDAS
    from evaluation import Setting, calibration_path
    from schedules import SCHEDULES_DIR
    for lam in SWEEP_LAMBDAS:
        for budget in COMMITTED_BUDGETS:
            path = calibration_path(SCHEDULES_DIR, Setting(lam=lam), budget)
            s = gi.load_schedule(path)
            assert (s.num_candidates, s.group_size, s.num_steps) == (64, 4, 20)
            assert s.evaluations <= budget * 64 * 20 and s.counts[-1] == 4
            assert json.loads(path.read_text())["runs"] == 30
    assert len(list(SCHEDULES_DIR.glob("*.json"))) == len(SWEEP_LAMBDAS) * len(COMMITTED_BUDGETS)


def test_schedules_give_session_options(tmp_path):
    from evaluation import Setting
    from schedules import SCHEDULES
    setting = Setting(lam=0.5)
    assert SCHEDULES["reference"]().session_options(setting) == dict(schedule="ratio", prune_ratio=0.5,
                                                                     first_prune_step=0)
    assert SCHEDULES["adaptive"](0.3).session_options(setting) == dict(schedule="adaptive", budget=0.3)
    options = SCHEDULES["calibrated"](0.2).session_options(setting)
    assert options["schedule"] == "calibrated" and options["schedule_file"].name == "m64_k4_t20_lam0.5_budget0.2.json"
    with pytest.raises(FileNotFoundError, match=r"calibrate.py --lam 0.7 --budget 0.2 --out"):
        SCHEDULES["calibrated"](0.2, tmp_path).session_options(Setting(lam=0.7))


def test_calibrate_then_demo_compare(tmp_path):
    """calibrate.py writes a schedule file the demo's --compare then uses (small M and T)."""
    small = ["--m", "16", "--k", "4", "--steps", "6"]
    here = Path(__file__).parent
    done = subprocess.run([sys.executable, str(here / "calibrate.py"), *small, "--lam", "0.5", "--budget", "0.5",
                           "--seeds", "1000", "--digits", "3", "5", "--out", str(tmp_path / "schedules")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "schedules" / "m16_k4_t6_lam0.5_budget0.5.json").exists()
    done = subprocess.run([sys.executable, str(here / "demo.py"), *small, "--digit", "3", "--budget", "0.5",
                           "--compare", "--quiet", "--schedules", str(tmp_path / "schedules"),
                           "--out", str(tmp_path / "out")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    for row in ["i.i.d. (K=4)", "group, reference", "group, calibrated 0.5", "group, adaptive 0.5",
                "full selection (M=16)", "i.i.d. expected"]:
        assert row in done.stdout
    full_row = next(line for line in done.stdout.splitlines() if line.startswith("full selection"))
    assert full_row.split()[-3:] == ["96", "100.0%", "100.0%"]
    assert (tmp_path / "out" / "digit3_groups.png").exists()
    # Without the file: a one-line error, nothing run.
    done = subprocess.run([sys.executable, str(here / "demo.py"), "--schedule", "calibrated", "--lam", "0.7",
                           "--quiet", "--out", str(tmp_path / "out2")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "calibrate.py --lam 0.7 --budget 0.2" in done.stderr
    assert not (tmp_path / "out2").exists()
