"""Session: options, driving, results, trace."""

from __future__ import annotations

import inspect
import itertools
import math

import numpy as np
import pytest

import groupinference as gi
from groupinference._options import DEFAULTS

from conftest import Host, objective


def test_defaults_come_from_gi_options_init() -> None:
    signature = inspect.signature(gi.Session)
    defaults = {name: p.default for name, p in signature.parameters.items()}
    assert defaults == {
        "num_candidates": DEFAULTS.num_candidates, "group_size": DEFAULTS.group_size,
        "num_steps": DEFAULTS.num_steps, "lam": DEFAULTS.lambda_, "schedule": "ratio",
        "prune_ratio": DEFAULTS.prune_ratio, "first_prune_step": DEFAULTS.first_prune_step,
        "survivor_counts": None, "solver": "auto", "time_limit": DEFAULTS.time_limit,
        "mip_gap": DEFAULTS.mip_gap, "normalize": "none", "trace_every_step": False, "seed": DEFAULTS.seed,
        "budget": DEFAULTS.budget, "schedule_file": None, "restarts": DEFAULTS.restarts,
        "memory_limit": DEFAULTS.memory_limit,
    }
    # The values the header documents.
    assert (defaults["num_candidates"], defaults["group_size"], defaults["num_steps"]) == (64, 4, 20)
    assert (defaults["lam"], defaults["prune_ratio"], defaults["time_limit"], defaults["mip_gap"]) == (1.0, 0.5, 0.1, 0.0)
    assert (defaults["budget"], defaults["restarts"], defaults["memory_limit"]) == (0.2, 0, 256 * 2**20)
    with gi.Session() as s:
        assert (s.num_candidates, s.group_size, s.num_steps) == (64, 4, 20)
        p = s.progress
        assert (p.alive, p.num_steps, p.naive_evaluations, p.keep_after_next) == (64, 20, 64 * 20, 32)


def test_run_chooses_a_consistent_group(host: Host) -> None:
    with host.session() as s:
        before = s.progress
        assert before.objective is None and not before.done and before.scores_needed
        s.run()
        r = s.result()
        p = s.progress
    assert r.ids.dtype == np.int32 and r.ids.tolist() == sorted(set(r.ids.tolist())) and len(r.ids) == 3
    assert np.all(host.denoised[r.ids] == 4)  # the group was denoised to the end
    np.testing.assert_array_equal(r.unary, host.quality[r.ids])
    assert r.pairwise.shape == (3, 3) and np.all(np.diag(r.pairwise) == 0)
    np.testing.assert_array_equal(r.pairwise, r.pairwise.T)
    # Embedding scorer: b_ij = 1 - cos(e_i, e_j), computed by the library in float32.
    e = host.looks[r.ids].astype(float)
    e /= np.linalg.norm(e, axis=1, keepdims=True)
    expected = 1 - e @ e.T
    np.fill_diagonal(expected, 0)
    np.testing.assert_allclose(r.pairwise, expected, atol=1e-5)
    assert math.isclose(r.objective, objective(r.unary, r.pairwise, 0.5, range(3)), rel_tol=1e-12)
    assert p.done and p.objective == r.objective and p.alive == 3 and p.steps_done == 4
    # ratio 0.5 from step 0: 16 -> 8 -> 4 -> 3 -> 3
    assert r.evaluations == p.evaluations == 16 + 8 + 4 + 3
    assert r.naive_evaluations == 16 * 4


def test_denoiser_sees_the_survivors_each_step(host: Host) -> None:
    with host.session() as s:
        seen = []
        for _ in range(4):
            seen.append(s.survivors.tolist())
            s.step()
        final = s.result().ids.tolist()
    denoised = [(step, ids) for kind, step, ids in host.calls if kind == "denoise"]
    assert denoised == list(enumerate(seen))
    assert [len(ids) for ids in seen] == [16, 8, 4, 3] and seen[-1] == final


def test_records_describe_every_scoring(host: Host) -> None:
    with host.session() as s:
        s.run()
        records = s.records()
        r = s.result()
    assert len(records) == len(r.records) == 4
    for a, b in zip(records, r.records):
        np.testing.assert_array_equal(a.ids, b.ids)
        assert (a.step, a.objective, a.solve_status) == (b.step, b.objective, b.solve_status)
    assert [rec.step for rec in records] == [0, 1, 2, 3]
    assert [len(rec.ids) for rec in records] == [16, 8, 4, 3]
    assert [len(rec.kept) for rec in records] == [8, 4, 3, 3]
    for rec, following in itertools.zip_longest(records, records[1:]):
        assert set(rec.kept.tolist()) <= set(rec.ids.tolist())
        if following is not None:
            np.testing.assert_array_equal(rec.kept, following.ids)
        assert set(rec.scorer_values) == {"quality", "looks"}
        np.testing.assert_array_equal(rec.scorer_values["quality"], host.quality[rec.ids])
        np.testing.assert_array_equal(rec.unary, host.quality[rec.ids])
        assert rec.diversity.shape == rec.ids.shape
        assert rec.solve_status in {"none", "optimal", "gap_limit", "time_limit", "heuristic"}
        assert rec.seconds_scoring >= 0 and rec.seconds_solving >= 0
        assert not rec.on_demand and rec.discarded == 0
        assert rec.bound_kind in {"none", "trivial", "cheap", "relaxation", "mip"}
        assert (rec.bound_kind == "none") == (rec.bound is None)
        if rec.bound is None:
            assert rec.gap is None
        else:
            assert rec.bound >= rec.objective - 1e-9
    assert records[-1].is_final and not any(rec.is_final for rec in records[:-1])
    assert records[-1].evaluations == r.evaluations
    np.testing.assert_array_equal(records[-1].kept, r.ids)
    assert records[-1].objective == pytest.approx(r.objective, rel=1e-12)


def test_records_are_available_before_the_end(host: Host) -> None:
    with host.session(trace_every_step=True, first_prune_step=2) as s:
        assert s.records() == []
        s.step()
        (first,) = s.records()
        assert first.step == 0 and first.solve_status == "none" and len(first.kept) == 16
        assert first.objective is not None
        s.run()
        assert [rec.step for rec in s.records()] == [0, 1, 2, 3]


def test_the_group_is_the_brute_force_optimum() -> None:
    """One selection (T = 1): the library's choice is the best group under the combined scores."""
    rng = np.random.default_rng(7)
    m, k, lam = 9, 3, 0.8
    q1, q2 = rng.uniform(size=m), rng.uniform(size=m)
    d = np.triu(rng.uniform(size=(m, m)), 1)  # upper triangular: stands for d + d.T
    with gi.Session(num_candidates=m, group_size=k, num_steps=1, lam=lam, solver="exact") as s:
        s.add_unary_scorer("a", lambda step, ids: q1[ids], weight=1.0)
        s.add_unary_scorer("b", lambda step, ids: q2[ids], weight=0.5)
        s.add_pairwise_scorer("d", lambda step, ids: d[np.ix_(ids, ids)], weight=2.0)
        s.set_denoiser(lambda step, ids: None)
        s.run()
        r = s.result()
    u = q1 + 0.5 * q2
    b = 2.0 * (d + d.T)  # a strictly triangular matrix is mirrored, not averaged
    best = max(objective(u, b, lam, c) for c in itertools.combinations(range(m), k))
    assert r.objective == pytest.approx(best, rel=1e-9)
    assert objective(u, b, lam, r.ids) == pytest.approx(best, rel=1e-9)
    np.testing.assert_allclose(r.unary, u[r.ids], rtol=1e-12)
    assert r.records[-1].solve_status == "optimal" and r.records[-1].gap == 0


def test_step_by_step_then_done(host: Host) -> None:
    s = host.session()
    for steps_done in range(1, 5):
        s.step()
        assert s.progress.steps_done == steps_done
    assert s.progress.done
    with pytest.raises(gi.StateError, match="done"):
        s.step()
    with pytest.raises(gi.StateError, match="done"):
        s.run()
    with pytest.raises(gi.StateError, match="done"):
        s.prune(3)
    s.close()


def test_prune_on_demand(host: Host) -> None:
    with host.session() as s:
        s.prune(16)  # keep everyone: nothing happens
        assert s.progress.num_records == 0
        s.prune(10)  # before the first step: scores describe the initial noises
        assert s.progress.alive == 10 and len(s.survivors) == 10
        (rec,) = s.records()
        assert rec.step == -1 and rec.on_demand and len(rec.kept) == 10
        with pytest.raises(gi.ArgumentError, match="keep = 2"):
            s.prune(2)
        with pytest.raises(gi.ArgumentError, match="keep = 11"):
            s.prune(11)
        with pytest.raises(ValueError, match="keep"):
            s.prune(2**40)
        s.step()
        s.prune(4)
        assert s.progress.alive == 4
        s.run()
        assert s.result().evaluations == 10 + 4 + 3 + 3  # step 0 denoised 10, then 4 after the prune


def test_result_before_the_end(host: Host) -> None:
    with host.session() as s:
        with pytest.raises(gi.StateError, match="no results yet"):
            s.result()


def test_counts_schedule(host: Host) -> None:
    with host.session(schedule="counts", survivor_counts=np.array([12, 12, 5, 3], dtype=np.int64)) as s:
        alive = []
        for _ in range(4):
            s.step()
            alive.append(s.progress.alive)
        assert alive == [12, 12, 5, 3]
    with pytest.raises(ValueError, match="num_steps = 4 needs one per step"):
        host.session(schedule="counts", survivor_counts=[8, 3])
    with pytest.raises(ValueError, match="schedule='counts'"):
        host.session(survivor_counts=[8, 8, 4, 3])
    with pytest.raises(gi.ArgumentError, match="survivor_counts and schedule_file are NULL"):
        host.session(schedule="counts")
    with pytest.raises(gi.ArgumentError, match=r"survivor_counts\[1\] = 9"):
        host.session(schedule="counts", survivor_counts=[8, 9, 4, 3])


def test_first_prune_step_and_ratio(host: Host) -> None:
    with host.session(first_prune_step=2, prune_ratio=0.25) as s:
        s.run()
        assert [len(rec.ids) for rec in s.records()] == [16, 12]
        assert s.result().evaluations == 16 + 16 + 16 + 12


@pytest.mark.parametrize("solver", ["auto", "exact", "heuristic", "mip"])
@pytest.mark.parametrize("normalize", ["none", "zscore"])
def test_solver_and_normalize_options(host: Host, solver: str, normalize: str) -> None:
    with host.session(solver=solver, normalize=normalize, time_limit=5.0, mip_gap=0.0, seed=3) as s:
        s.run()
        statuses = {rec.solve_status for rec in s.records()}
    if solver == "heuristic":
        assert statuses <= {"heuristic", "optimal", "none"}
    if solver in ("exact", "mip"):
        assert statuses <= {"optimal", "none"}


def test_sessions_are_deterministic(host: Host) -> None:
    results = []
    for _ in range(2):
        with host.session() as s:
            s.run()
            results.append(s.result())
    assert results[0].ids.tolist() == results[1].ids.tolist()
    assert results[0].objective == results[1].objective


@pytest.mark.parametrize(
    ("options", "error", "words"),
    [
        ({"schedule": "linear"}, ValueError, "schedule = 'linear' is not one of 'ratio', 'counts'"),
        ({"solver": "gurobi"}, ValueError, "solver = 'gurobi' is not one of 'auto', 'exact', 'heuristic', 'mip'"),
        ({"normalize": "minmax"}, ValueError, "normalize = 'minmax' is not one of 'none', 'zscore'"),
        ({"solver": 1}, ValueError, "solver = 1 is not one of"),
        ({"num_candidates": 2**40}, ValueError, "num_candidates = 1099511627776 is out of range"),
        ({"num_candidates": 8.0}, TypeError, "num_candidates must be an integer"),
        ({"group_size": True}, TypeError, "group_size must be an integer, not a bool"),
        ({"lam": "1"}, TypeError, "lam must be a real number"),
        ({"seed": -1}, ValueError, "seed = -1 is out of range"),
        ({"group_size": 17}, gi.ArgumentError, "K = 17"),
        ({"group_size": 0}, gi.ArgumentError, "K = 0"),
        ({"num_candidates": gi.MAX_CANDIDATES + 1, "group_size": 3}, gi.LimitError, "num_candidates"),
        ({"num_steps": gi.MAX_STEPS + 1}, gi.LimitError, "num_steps"),
        ({"lam": float("nan")}, gi.ArgumentError, "lambda"),
        ({"prune_ratio": 1.0}, gi.ArgumentError, "prune_ratio"),
        ({"first_prune_step": 4}, gi.ArgumentError, "first_prune_step"),
        ({"time_limit": -1.0}, gi.ArgumentError, "time_limit"),
        ({"time_limit": float("inf")}, gi.ArgumentError, "time_limit"),
        ({"mip_gap": 1.0}, gi.ArgumentError, "mip_gap"),
        ({"trace_every_step": 2}, gi.ArgumentError, "trace_every_step"),
        ({"memory_limit": 2**20 - 1}, gi.ArgumentError, "memory_limit = 1048575 bytes is below the minimum of 1 MiB"),
        ({"memory_limit": 2**64}, ValueError, "memory_limit = 18446744073709551616 is out of range"),
    ],
)
def test_bad_options(host: Host, options: dict[str, object], error: type[Exception], words: str) -> None:
    with pytest.raises(error) as caught:
        host.session(**options)
    assert words in str(caught.value)


def test_library_messages_name_the_function() -> None:
    with pytest.raises(gi.ArgumentError) as caught:
        gi.Session(num_candidates=5, group_size=6)
    assert caught.value.message.startswith("gi_session_create: ")
    assert caught.value.code == -1 and caught.value.status == "GI_ERR_ARGUMENT"


def test_scorer_registration(host: Host) -> None:
    with gi.Session(num_candidates=8, group_size=2, num_steps=2) as s:
        assert s.add_unary_scorer("q", host.score) == 0
        assert s.add_embedding_scorer("e", host.embed, dim=4, weight=0.5) == 1
        assert s.add_pairwise_scorer("p", host.differ, weight=2.0) == 2
        assert s.scorers == {"q": 0, "e": 1, "p": 2}
        with pytest.raises(gi.ArgumentError, match="already exists"):
            s.add_unary_scorer("q", host.score)
        with pytest.raises(gi.ArgumentError, match="name"):
            s.add_unary_scorer("", host.score)
        with pytest.raises(gi.ArgumentError, match="name"):
            s.add_unary_scorer("x" * 256, host.score)
        with pytest.raises(ValueError, match="NUL"):
            s.add_unary_scorer("a\0b", host.score)
        with pytest.raises(TypeError, match="name must be a str"):
            s.add_unary_scorer(b"q2", host.score)  # type: ignore[arg-type]
        with pytest.raises(gi.ArgumentError, match="weight"):
            s.add_unary_scorer("w", host.score, weight=float("inf"))
        with pytest.raises(TypeError, match="callable"):
            s.add_unary_scorer("c", 42)  # type: ignore[arg-type]
        with pytest.raises(gi.ArgumentError, match="dim = 0"):
            s.add_embedding_scorer("e0", host.embed, dim=0)
        with pytest.raises(gi.LimitError, match="dim"):
            s.add_embedding_scorer("big", host.embed, dim=gi.MAX_EMBEDDING_DIM + 1)
        with pytest.raises(ValueError, match="dim = -1"):
            s.add_embedding_scorer("neg", host.embed, dim=-1)
        assert s.add_unary_scorer("é名", host.score) == 3  # UTF-8 names
        assert s.scorers["é名"] == 3
        s.set_denoiser(host.denoise)
        s.step()
        with pytest.raises(gi.StateError, match="too late"):
            s.add_unary_scorer("late", host.score)


def test_scorer_limit() -> None:
    with gi.Session(num_candidates=4, group_size=2, num_steps=1) as s:
        for i in range(gi.MAX_SCORERS):
            s.add_unary_scorer(f"s{i}", None)
        with pytest.raises(gi.LimitError):
            s.add_unary_scorer("one too many", None)


def test_no_scorers_and_no_denoiser(host: Host) -> None:
    with gi.Session(num_candidates=8, group_size=2, num_steps=2) as s:
        with pytest.raises(gi.StateError, match="no scorers"):
            s.step()
        s.add_unary_scorer("q", host.score)
        with pytest.raises(gi.StateError, match="needs a denoiser"):
            s.run()
        s.set_denoiser(host.denoise)
        s.set_denoiser(None)  # cleared again: a host-driven loop
        with pytest.raises(gi.StateError, match="needs a denoiser"):
            s.run()
        s.step()  # without a denoiser the host advances the candidates itself
        s.step()
        assert s.progress.done and host.denoised.sum() == 0


def test_time_limited_exact_prune_warns() -> None:
    n = 40
    i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    hard = 0.5 + 0.4 * np.sin((i * 31 + j * 17) * (i + j).astype(float))
    hard = np.triu(hard, 1) + np.triu(hard, 1).T
    with gi.Session(num_candidates=n, group_size=4, num_steps=2, solver="exact", time_limit=0.001) as s:
        s.add_unary_scorer("flat", lambda step, ids: np.full(len(ids), 0.3))
        s.add_pairwise_scorer("hard", lambda step, ids: hard[np.ix_(ids, ids)])
        s.set_denoiser(lambda step, ids: None)
        with pytest.warns(gi.GroupInferenceWarning, match="time limit") as record:
            s.step()  # 40 -> 20: beyond a millisecond's proof
        assert record[0].filename == __file__
        rec = s.records()[-1]
        assert rec.solve_status == "time_limit" and rec.gap is not None and rec.gap > 0
        assert rec.bound is not None and rec.bound >= rec.objective


def test_sessions_cannot_be_copied(host: Host) -> None:
    import copy
    import pickle

    with host.session() as s:
        with pytest.raises(TypeError, match="cannot be copied"):
            copy.copy(s)
        with pytest.raises(TypeError, match="cannot be copied"):
            pickle.dumps(s)


def test_context_manager_and_repr() -> None:
    with gi.Session(num_candidates=8, group_size=2, num_steps=2) as s:
        assert "M=8 K=2 T=2" in repr(s) and not s.closed
    assert s.closed and repr(s) == "<groupinference.Session closed>"
    s.close()  # idempotent


def test_result_and_record_reprs_are_summaries(host: Host) -> None:
    with gi.Session(num_candidates=256, group_size=100, num_steps=3, lam=0.5, solver="heuristic") as s:
        s.add_unary_scorer("q", lambda step, ids: np.sin(ids.astype(float)))
        s.add_embedding_scorer("e", lambda step, ids: np.cos(np.outer(ids + 1, np.arange(1, 9))), dim=8)
        s.set_denoiser(lambda step, ids: None)
        s.run()
        r = s.result()
    text = repr(r)
    assert len(text) < 200, text  # the dataclass repr printed every record's arrays: tens of kilobytes
    assert text.startswith("<Result ids=[") and "..., " in text and "(100 ids)" in text
    assert f"objective={r.objective:.6g}" in text and f"{len(r.records)} records" in text
    assert all(len(repr(rec)) < 120 for rec in r.records)
    assert repr(r.records[0]).startswith("<StepRecord step=0 scored=256 kept=")


def test_option_and_status_literals_match_the_library_names() -> None:
    from typing import get_args, get_type_hints

    from groupinference import _options, results
    from groupinference import _structs as S

    assert set(get_args(gi.ScheduleName)) == set(_options.SCHEDULE_NAMES)
    assert set(get_args(gi.SolverName)) == set(S.SOLVERS)
    assert set(get_args(gi.NormalizeName)) == set(S.NORMALIZATIONS)
    assert set(get_args(gi.SolveStatus)) == set(S.SOLVE_STATUS_NAMES.values())
    assert set(get_args(gi.BoundKind)) == set(S.BOUND_KIND_NAMES.values())
    hints = get_type_hints(gi.Session.__init__)
    assert (hints["schedule"], hints["solver"], hints["normalize"]) == (gi.ScheduleName, gi.SolverName, gi.NormalizeName)
    assert get_type_hints(gi.solve_qip)["solver"] == gi.SolverName
    assert get_type_hints(results.StepRecord)["bound_kind"] == gi.BoundKind
