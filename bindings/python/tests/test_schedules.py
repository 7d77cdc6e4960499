"""0.2: the adaptive and file-based schedules, restarts, the best group per
record and the per-record diagnostics."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import groupinference as gi

from conftest import Host


def spearmanr(x: np.ndarray, y: np.ndarray) -> tuple[float]:
    """Spearman's rank correlation of two series without ties (as scipy.stats.spearmanr(x, y)[0])."""
    rx, ry = np.argsort(np.argsort(x)), np.argsort(np.argsort(y))
    return (float(np.corrcoef(rx, ry)[0, 1]),)


class SettlingHost(Host):
    """Quality previews that start noisy and settle on the final quality, as a
    denoiser's previews do: noise shrinking linearly to zero at the last step."""

    def __init__(self, m: int = 16, steps: int = 4, seed: int = 0) -> None:
        super().__init__(m=m, seed=seed)
        self.steps = steps
        self.noise = np.random.default_rng(seed + 100).normal(size=(steps, m))

    def score(self, step: int, ids: np.ndarray) -> np.ndarray:
        fade = 1.0 - (step + 1) / self.steps
        return self.quality[ids] + 0.5 * fade * self.noise[max(step, 0), ids]


# -- adaptive ---------------------------------------------------------------------------


def test_adaptive_schedule_stays_within_its_budget() -> None:
    h = SettlingHost(m=16, steps=6)
    with h.session(num_steps=6, schedule="adaptive", budget=0.5) as s:
        s.run()
        r = s.result()
        records = s.records()
    assert len(r.ids) == 3 and np.all(h.denoised[r.ids] == 6)
    assert r.evaluations <= 0.5 * 16 * 6 and r.evaluations >= 16 + 3 * 5
    # Adaptive scores every step and knows each record's best group (detail mode).
    assert [rec.step for rec in records] == list(range(6))
    assert all(len(rec.group) == 3 for rec in records)
    alive = [len(rec.kept) for rec in records]
    assert alive == sorted(alive, reverse=True) and alive[-1] == 3


def test_adaptive_budget_is_checked_by_the_library(host: Host) -> None:
    # M + K(T-1) = 16 + 3*3 = 25 of M*T = 64 evaluations: at least 0.39.
    with pytest.raises(gi.ArgumentError, match="raise budget to at least 0.39"):
        host.session(schedule="adaptive", budget=0.2)
    for bad in (0.0, 1.5, float("nan")):
        with pytest.raises(gi.ArgumentError, match="budget"):
            host.session(schedule="adaptive", budget=bad)
    with pytest.raises(TypeError, match="budget must be a real number"):
        host.session(schedule="adaptive", budget="0.5")
    with host.session(schedule="adaptive", budget=1.0) as s:
        s.run()
        assert len(s.result().ids) == 3


# -- schedule files -----------------------------------------------------------------------


def test_calibrated_schedule_reads_the_file(host: Host, tmp_path: Path) -> None:
    path = tmp_path / "schedule.json"
    gi.save_schedule(path, 16, 3, 4, [10, 6, 3, 3])
    for schedule in ("calibrated", "counts"):
        for form in (path, str(path)):
            host.denoised[:] = 0
            with host.session(schedule=schedule, schedule_file=form) as s:
                alive = []
                for _ in range(4):
                    s.step()
                    alive.append(s.progress.alive)
                assert alive == [10, 6, 3, 3]
                assert s.result().evaluations == 16 + 10 + 6 + 3


def test_schedule_file_misuse_is_refused(host: Host, tmp_path: Path) -> None:
    path = tmp_path / "schedule.json"
    gi.save_schedule(path, 16, 3, 4, [10, 6, 3, 3])
    for schedule in ("ratio", "adaptive"):
        with pytest.raises(ValueError, match="pass schedule='calibrated'"):
            host.session(schedule=schedule, schedule_file=path)
    with pytest.raises(ValueError, match="needs schedule_file"):
        host.session(schedule="calibrated")
    with pytest.raises(ValueError, match="schedule='counts'"):
        host.session(schedule="calibrated", schedule_file=path, survivor_counts=[8, 8, 4, 3])
    with pytest.raises(gi.ArgumentError, match="both set"):
        host.session(schedule="counts", schedule_file=path, survivor_counts=[8, 8, 4, 3])
    with pytest.raises(gi.ArgumentError, match="is for M = 16, K = 3, T = 4, not the options' M = 16, K = 2"):
        host.session(schedule="calibrated", schedule_file=path, group_size=2)
    with pytest.raises(gi.ArgumentError, match="cannot read the schedule file"):
        host.session(schedule="calibrated", schedule_file=tmp_path / "missing.json")
    with pytest.raises(ValueError, match="NUL"):
        host.session(schedule="calibrated", schedule_file="a\0b")
    with pytest.raises(TypeError, match="schedule_file must be a path"):
        host.session(schedule="calibrated", schedule_file=3)
    with pytest.raises(ValueError, match="schedule = 'often' is not one of 'ratio', 'counts', 'adaptive', 'calibrated'"):
        host.session(schedule="often")


def test_save_and_load_schedule(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    gi.save_schedule(path, 64, 4, 5, np.array([20, 10, 6, 4, 4], dtype=np.int64))
    loaded = gi.load_schedule(path)
    assert (loaded.num_candidates, loaded.group_size, loaded.num_steps) == (64, 4, 5)
    assert loaded.counts.dtype == np.int32 and loaded.counts.tolist() == [20, 10, 6, 4, 4]
    assert loaded.evaluations == 64 + 20 + 10 + 6 + 4
    text = json.loads(path.read_text())
    assert text["format"] == "groupinference-schedule" and text["survivor_counts"] == [20, 10, 6, 4, 4]
    assert text["retention"] is None and text["runs"] == 0  # no report given
    again = gi.load_schedule(str(path))
    assert again.counts.tolist() == [20, 10, 6, 4, 4] and again.num_candidates == 64


def test_save_schedule_errors(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    with pytest.raises(gi.ArgumentError, match=r"survivor_counts\[1\] = 12"):
        gi.save_schedule(path, 16, 3, 4, [10, 12, 3, 3])  # increasing
    with pytest.raises(gi.ArgumentError, match="out of range"):
        gi.save_schedule(path, 16, 17, 4, [16, 16, 16, 16])  # K > M
    with pytest.raises(ValueError, match="num_steps = 4 needs one per step"):
        gi.save_schedule(path, 16, 3, 4, [10, 3])
    with pytest.raises(gi.ArgumentError, match="cannot write"):
        gi.save_schedule(tmp_path / "no" / "such" / "dir.json", 16, 3, 4, [10, 6, 3, 3])
    with pytest.raises(TypeError, match="path must be a path"):
        gi.save_schedule(None, 16, 3, 4, [10, 6, 3, 3])  # type: ignore[arg-type]
    assert not path.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not valid JSON"),
        ('{"num_candidates": 4}', 'lacks "format"'),
        ('{"format": "groupinference-schedule", "num_candidates": 4.5, "group_size": 2, "num_steps": 2, '
         '"survivor_counts": [4, 2]}', '"num_candidates" must be a whole number'),
        ('{"format": "groupinference-schedule", "num_candidates": 4, "group_size": 2, "num_steps": 2, '
         '"survivor_counts": [4, 3]}', r"survivor_counts\[1\] = 3"),
        ('{"format": "groupinference-schedule", "num_candidates": 4, "group_size": 2, "num_steps": 2, '
         '"survivor_counts": 4}', '"survivor_counts" must be an array'),
    ],
)
def test_load_schedule_names_what_is_wrong(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(gi.ArgumentError, match=message) as caught:
        gi.load_schedule(path)
    assert str(path) in caught.value.message
    with pytest.raises(gi.ArgumentError, match="cannot read"):
        gi.load_schedule(tmp_path / "missing.json")


# -- restarts -------------------------------------------------------------------------------


def test_restarts(host: Host) -> None:
    with host.session(restarts=5, seed=3, solver="heuristic") as s:
        s.run()
        assert len(s.result().ids) == 3
    with pytest.raises(gi.ArgumentError, match="restarts = -1 must be in"):
        host.session(restarts=-1)
    with pytest.raises(TypeError, match="restarts must be an integer"):
        host.session(restarts=1.5)
    rng = np.random.default_rng(1)
    u, b = rng.uniform(size=30), rng.uniform(size=(30, 30))
    b = (b + b.T) / 2
    plain = gi.solve_qip(u, b, k=5, lam=1.0, solver="heuristic")
    restarted = gi.solve_qip(u, b, k=5, lam=1.0, solver="heuristic", restarts=20, seed=7)
    assert restarted.objective >= plain.objective - 1e-12
    with pytest.raises(gi.ArgumentError, match="restarts"):
        gi.solve_qip(u, b, k=5, lam=1.0, restarts=-2)


# -- best group per record, diagnostics ---------------------------------------------------------


def test_record_group(host: Host) -> None:
    with host.session() as s:  # ratio 0.5: kept 8, 4, 3, 3
        s.run()
        records = s.records()
    assert [len(r.group) for r in records] == [0, 0, 3, 3]  # known only where K was kept
    for r in records[2:]:
        np.testing.assert_array_equal(r.group, r.kept)
    with host.session(trace_every_step=True) as s:  # detail mode: every record knows its best group
        s.run()
        records = s.records()
    assert all(len(r.group) == 3 and r.group.dtype == np.int32 for r in records)
    assert all(set(r.group.tolist()) <= set(r.ids.tolist()) for r in records)


def test_diagnostics_match_a_direct_computation() -> None:
    h = SettlingHost(m=16, steps=5)
    with h.session(num_steps=5, first_prune_step=4, trace_every_step=True) as s:
        s.run()
        records = s.records()
        final = records[-1]
        for index, rec in enumerate(records):
            d = s.diagnostics(index, "quality")
            expected_final = spearmanr(rec.scorer_values["quality"], final.scorer_values["quality"])[0]
            assert d.spearman_final == pytest.approx(expected_final, abs=1e-12)
            assert d.common_final == 16
            overlap = len(set(rec.group.tolist()) & set(final.kept.tolist())) / 3
            assert d.group_overlap_final == pytest.approx(overlap)
            if index == 0:
                assert d.spearman_previous is None and d.movement is None and d.group_overlap_previous is None
                assert d.common_previous == 0
            else:
                before = records[index - 1]
                expected = spearmanr(rec.scorer_values["quality"], before.scorer_values["quality"])[0]
                assert d.spearman_previous == pytest.approx(expected, abs=1e-12)
                change = np.abs(rec.scorer_values["quality"] - before.scorer_values["quality"])
                assert d.movement == pytest.approx(np.median(change), abs=1e-12)
                assert d.common_previous == 16
        # The last record against itself.
        last = s.diagnostics(-1, "unary")
        assert last.spearman_final == pytest.approx(1.0) and last.group_overlap_final == 1.0
        # Every way of naming the scores.
        assert s.diagnostics(2, "quality") == s.diagnostics(2, 0)
        assert s.diagnostics(2, "looks") == s.diagnostics(2, 1)
        assert s.diagnostics(2, "unary") == s.diagnostics(2, "quality")  # the only unary scorer, weight 1
        assert s.diagnostics(-5) == s.diagnostics(0)
        diversity = s.diagnostics(3, "diversity")
        assert diversity.spearman_final is not None


def test_diagnostics_before_the_end_and_errors(host: Host) -> None:
    with host.session(trace_every_step=True) as s:
        s.step()
        s.step()
        d = s.diagnostics(1)
        assert d.spearman_final is None and d.group_overlap_final is None and d.common_final == 0
        assert d.common_previous == 8  # step 0 scored 16, step 1 the 8 kept
        with pytest.raises(gi.ArgumentError, match="index"):
            s.diagnostics(2)
        with pytest.raises(IndexError, match="index = -3 with 2 records"):
            s.diagnostics(-3)
        with pytest.raises(ValueError, match=r"which = 'clip' is not 'unary', 'diversity' or a scorer name \('quality', 'looks'\)"):
            s.diagnostics(0, "clip")
        with pytest.raises(gi.ArgumentError, match="which = 2 is neither a scorer id"):
            s.diagnostics(0, 2)
        with pytest.raises(ValueError, match="which = -1 is out of range"):
            s.diagnostics(0, -1)
        with pytest.raises(TypeError, match="which must be an integer"):
            s.diagnostics(0, 1.0)  # type: ignore[arg-type]
    with pytest.raises(gi.HandleError):
        s.diagnostics(0)
