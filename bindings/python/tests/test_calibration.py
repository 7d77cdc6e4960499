"""gi.calibrate: schedules derived from full runs, their report, and their files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import groupinference as gi

from test_schedules import SettlingHost

M, K, T = 16, 3, 5


def full_run(seed: int, **options: Any) -> gi.Session:
    """Every candidate denoised to the end and scored at every step."""
    options.setdefault("first_prune_step", T - 1)
    options.setdefault("trace_every_step", True)
    s = SettlingHost(m=M, steps=T, seed=seed).session(num_candidates=M, group_size=K, num_steps=T, **options)
    s.run()
    return s


@pytest.fixture(scope="module")
def runs() -> list[gi.Session]:
    made = [full_run(seed) for seed in range(4)]
    yield made
    for s in made:
        s.close()


def test_budget_goal(runs: list[gi.Session]) -> None:
    c = gi.calibrate(runs, budget=0.5)
    assert (c.num_candidates, c.group_size, c.num_steps, c.num_runs) == (M, K, T, 4)
    counts = c.counts.tolist()
    assert c.counts.dtype == np.int32 and len(counts) == T
    assert counts == sorted(counts, reverse=True) and counts[-1] == K and counts[0] <= M
    assert c.evaluations == M + sum(counts[:-1]) <= 0.5 * M * T
    assert c.evaluations_fraction == pytest.approx(c.evaluations / (M * T))
    assert 0 <= c.retention_min <= c.retention <= 1 + 1e-9
    assert c.first_prune_step == next(t for t, n in enumerate(counts) if n < M)
    assert c.step_retention.shape == c.step_overlap.shape == (T,)
    assert np.all(c.step_retention <= 1 + 1e-9)
    assert np.all((0 <= c.step_overlap) & (c.step_overlap <= 1))
    # More budget never keeps less.
    assert gi.calibrate(runs, budget=1.0).retention >= c.retention - 1e-12


def test_retention_goal(runs: list[gi.Session]) -> None:
    c = gi.calibrate(runs, retention=0.9)
    assert c.retention >= 0.9
    cheaper = gi.calibrate(runs, budget=(c.evaluations - 1) / (M * T))
    assert cheaper.retention < 0.9  # the cheapest schedule of the family that keeps 90 %


def test_choosing_with_the_final_scores_is_full_selection(runs: list[gi.Session]) -> None:
    c = gi.calibrate(runs, budget=1.0)
    assert c.step_retention[-1] == pytest.approx(1.0) and c.step_overlap[-1] == pytest.approx(1.0)
    assert gi.calibrate(runs, retention=1.0).retention == pytest.approx(1.0)


def test_calibrated_schedule_round_trip(runs: list[gi.Session], tmp_path: Path) -> None:
    c = gi.calibrate(runs, budget=0.6)
    path = tmp_path / "calibrated.json"
    c.save(path)
    text = json.loads(path.read_text())
    assert text["survivor_counts"] == c.counts.tolist()
    assert text["retention"] == pytest.approx(c.retention) and text["runs"] == 4
    assert text["evaluations"] == c.evaluations
    loaded = gi.load_schedule(path)
    assert loaded.counts.tolist() == c.counts.tolist() and loaded.evaluations == c.evaluations
    gi.save_schedule(tmp_path / "again.json", M, K, T, c.counts, report=c)
    assert json.loads((tmp_path / "again.json").read_text()) == text
    # A session on fresh noises follows the file and spends what the report says.
    h = SettlingHost(m=M, steps=T, seed=99)
    with h.session(num_candidates=M, group_size=K, num_steps=T, schedule="calibrated", schedule_file=path) as s:
        s.run()
        assert s.result().evaluations == c.evaluations
        assert [len(r.kept) for r in s.records() if len(r.kept) < len(r.ids)] == \
            [n for t, n in enumerate(c.counts.tolist()) if n < ([M] + c.counts.tolist())[t]]


def test_goal_errors(runs: list[gi.Session]) -> None:
    with pytest.raises(ValueError, match="exactly one of budget"):
        gi.calibrate(runs)
    with pytest.raises(ValueError, match="exactly one of budget"):
        gi.calibrate(runs, budget=0.5, retention=0.9)
    with pytest.raises(ValueError, match=r"budget = 0 is out of range"):
        gi.calibrate(runs, budget=0)
    for goal in ({"budget": 1.5}, {"budget": -0.1}, {"budget": float("nan")}, {"retention": 0.0},
                 {"retention": 1.2}):
        with pytest.raises(gi.ArgumentError, match="goal"):
            gi.calibrate(runs, **goal)
    with pytest.raises(TypeError, match="budget must be a real number"):
        gi.calibrate(runs, budget="0.5")  # type: ignore[arg-type]
    # Below M + K(T-1) = 16 + 12 = 28 of 80 evaluations nothing fits.
    with pytest.raises(gi.ArgumentError, match="no schedule fits budget = 0.3"):
        gi.calibrate(runs, budget=0.3)


def test_runs_errors(runs: list[gi.Session]) -> None:
    with pytest.raises(gi.ArgumentError, match="num_runs = 0"):
        gi.calibrate([], budget=0.5)
    with pytest.raises(TypeError, match="not a single Session"):
        gi.calibrate(runs[0], budget=0.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"runs\[1\] must be a groupinference.Session"):
        gi.calibrate([runs[0], "run"], budget=0.5)  # type: ignore[list-item]
    with pytest.raises(gi.ArgumentError, match=r"runs\[1\] repeats an earlier run"):
        gi.calibrate([runs[0], runs[0]], budget=0.5)
    # A pruned run saw only the survivors' previews.
    pruned = full_run(7, first_prune_step=0)
    with pytest.raises(gi.ArgumentError, match="run 1 has no scores of all 16 candidates at step 1"):
        gi.calibrate([runs[0], pruned], budget=0.5)
    # Scores only at the pruning steps.
    sparse = full_run(8, trace_every_step=False)
    with pytest.raises(gi.ArgumentError, match="trace_every_step = 1"):
        gi.calibrate([sparse], budget=0.5)
    other_lambda = full_run(9, lam=2.0)
    with pytest.raises(gi.ArgumentError, match="lambda"):
        gi.calibrate([runs[0], other_lambda], budget=0.5)
    unfinished = SettlingHost(m=M, steps=T).session(num_candidates=M, group_size=K, num_steps=T,
                                                    first_prune_step=T - 1, trace_every_step=True)
    unfinished.step()
    with pytest.raises(gi.StateError, match="run 1 is not done"):
        gi.calibrate([runs[0], unfinished], budget=0.5)
    unfinished.close()
    with pytest.raises(gi.HandleError):
        gi.calibrate([runs[0], unfinished], budget=0.5)
    for s in (pruned, sparse, other_lambda):
        s.close()


def test_schedule_files_record_lambda_and_refuse_another(runs: list[gi.Session], tmp_path: Path) -> None:
    c = gi.calibrate(runs, budget=0.6)
    path = tmp_path / "calibrated.json"
    c.save(path)
    assert gi.load_schedule(path).lam == pytest.approx(c.lam) == pytest.approx(runs[0].lam)
    with pytest.raises(gi.ArgumentError, match="calibrated for lambda"):
        gi.Session(num_candidates=M, group_size=K, num_steps=T, lam=c.lam * 2 + 1,
                   schedule="calibrated", schedule_file=path)
    gi.save_schedule(tmp_path / "plain.json", M, K, T, c.counts)
    assert gi.load_schedule(tmp_path / "plain.json").lam is None
    with gi.Session(num_candidates=M, group_size=K, num_steps=T, lam=c.lam * 2 + 1,
                    schedule="calibrated", schedule_file=tmp_path / "plain.json") as s:
        assert s.lam == c.lam * 2 + 1  # a file without lambda suits any
