"""solve_qip: brute force, the shared instances, inputs, errors, the warning."""

from __future__ import annotations

import inspect
import json
import warnings

import numpy as np
import pytest

import groupinference as gi

from conftest import INSTANCES, brute_force, objective
from groupinference._options import DEFAULTS


def random_problem(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    u = rng.uniform(size=n)
    b = rng.uniform(-1, 1, size=(n, n))
    b = (b + b.T) / 2
    np.fill_diagonal(b, 0)
    return u, b


@pytest.mark.parametrize("solver", ["exact", "auto", "mip"])
def test_matches_brute_force(solver: str) -> None:
    rng = np.random.default_rng(12345)
    for trial in range(25):
        n = int(rng.integers(2, 11))
        k = int(rng.integers(1, n + 1))
        lam = [-0.5, 0.0, 1.5][trial % 3]
        u, b = random_problem(rng, n)
        s = gi.solve_qip(u, b, k, lam, solver=solver, time_limit=10.0)
        best = brute_force(u, b, lam, k)
        assert s.status == "optimal" and s.gap == 0
        assert s.objective == pytest.approx(best, rel=1e-9, abs=1e-12)
        assert s.objective == pytest.approx(objective(u, b, lam, s.selection), rel=1e-12, abs=1e-12)
        assert s.selection.dtype == np.int32 and len(s.selection) == k
        assert s.selection.tolist() == sorted(set(s.selection.tolist()))
        if s.bound is not None:
            assert s.bound >= best - 1e-9


@pytest.mark.parametrize(
    ("solver", "k", "lam", "kind"),
    [("exact", 4, 1.0, "relaxation"), ("auto", 4, 1.0, "relaxation"), ("mip", 4, 1.0, "mip"),
     ("heuristic", 4, 1.0, "cheap"), ("exact", 1, 1.0, "trivial"), ("heuristic", 12, 1.0, "trivial"),
     ("exact", 4, 0.0, "trivial")],
)
def test_bound_kind_says_which_bound(solver: str, k: int, lam: float, kind: str) -> None:
    u, b = random_problem(np.random.default_rng(8), 12)
    s = gi.solve_qip(u, b, k, lam, solver=solver, memory_limit=2**20)
    assert s.bound_kind == kind and s.bound is not None
    assert s.bound >= s.objective - 1e-9
    if kind == "trivial":
        assert s.bound == pytest.approx(s.objective, abs=1e-12)
    assert f"bound_kind='{kind}'" in repr(s)


def test_heuristic_reports_itself() -> None:
    rng = np.random.default_rng(1)
    u, b = random_problem(rng, 40)
    s = gi.solve_qip(u, b, 20, 1.0, solver="heuristic")
    assert s.status in ("heuristic", "optimal") and s.nodes == 0
    assert s.seconds >= 0
    if s.status == "heuristic":
        assert s.bound is not None and s.gap is not None and s.gap >= 0


INSTANCE_FILES = sorted(INSTANCES.glob("*.json"))


def test_the_shared_instances_are_there() -> None:
    assert len(INSTANCE_FILES) >= 19


@pytest.mark.parametrize("path", INSTANCE_FILES, ids=[p.stem for p in INSTANCE_FILES])
def test_shared_instances(path: object) -> None:
    inst = json.loads(path.read_text())  # type: ignore[attr-defined]
    # Proven ones get the budget the Swift tests give auto; the others only have bounds to respect.
    limit = 1.0 if inst["proven"] else 0.2
    s = gi.solve_qip(inst["unary"], inst["binary"], inst["K"], inst["lambda"], solver="auto", time_limit=limit)
    assert len(s.selection) == inst["K"]
    assert s.objective == pytest.approx(objective(inst["unary"], inst["binary"], inst["lambda"], s.selection),
                                        rel=1e-12)
    if inst["proven"]:
        assert abs(s.objective - inst["optimum"]) <= 1e-9 * abs(inst["optimum"])
        if s.bound is not None:
            assert s.bound >= inst["optimum"] * (1 - 1e-9) - 1e-12
    else:
        assert s.objective <= inst["upper_bound"] * (1 + 1e-9)
        assert s.objective >= inst["best_known"] * (1 - 1e-4)


@pytest.mark.parametrize("solver", ["exact", "mip"])
@pytest.mark.parametrize("name", ["real_M16_K4_s0", "real_M32_K4_s0"])
def test_exact_proves_small_instances(name: str, solver: str) -> None:
    inst = json.loads((INSTANCES / f"{name}.json").read_text())
    s = gi.solve_qip(inst["unary"], inst["binary"], inst["K"], inst["lambda"], solver=solver, time_limit=30.0)
    assert s.status == "optimal" and s.gap == 0 and s.nodes >= 0
    assert abs(s.objective - inst["optimum"]) <= 1e-9 * abs(inst["optimum"])
    assert s.selection.tolist() == inst["optimal_selection"]


def test_inputs_of_any_layout_and_kind() -> None:
    rng = np.random.default_rng(5)
    u, b = random_problem(rng, 12)
    reference = gi.solve_qip(u, b, 4, 1.0)
    big = np.zeros((24, 24))
    big[::2, ::2] = b
    variants = [
        (u.tolist(), b.tolist()),
        (u.astype(np.float32).astype(np.float64), b),
        (np.repeat(u, 2)[::2], big[::2, ::2]),  # strided views
        (u, np.asfortranarray(b)),
    ]
    for vu, vb in variants:
        s = gi.solve_qip(vu, vb, 4, 1.0)
        assert s.selection.tolist() == reference.selection.tolist()
    s32 = gi.solve_qip(u.astype(np.float32), b.astype(np.float32), np.int64(4), np.float32(1.0))
    assert len(s32.selection) == 4
    ints = gi.solve_qip([3, 1, 2], [[0, 1, 1], [1, 0, 1], [1, 1, 0]], 2, 0)
    assert ints.selection.tolist() == [0, 2]


def test_defaults_come_from_the_library() -> None:
    parameters = inspect.signature(gi.solve_qip).parameters
    assert [parameters[n].default for n in ("solver", "time_limit", "mip_gap", "seed")] == ["auto", DEFAULTS.time_limit, 0.0, 0]
    # lam defaults as in Session: the library's default lambda.
    assert parameters["lam"].default == inspect.signature(gi.Session).parameters["lam"].default == DEFAULTS.lambda_
    assert parameters["memory_limit"].default == DEFAULTS.memory_limit == 256 * 2**20
    u, b = random_problem(np.random.default_rng(4), 8)
    assert gi.solve_qip(u, b, 3).objective == gi.solve_qip(u, b, 3, lam=DEFAULTS.lambda_).objective
    s = gi.solve_qip([1.0, 0.5, 0.2], np.zeros((3, 3)), 2, 1.0, mip_gap=0.5, seed=2**64 - 1)
    assert s.selection.tolist() == [0, 1]


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda u, b: gi.solve_qip(u.reshape(2, 5), b, 2, 1.0), ValueError, "unary has shape (2, 5), expected (any,)"),
        (lambda u, b: gi.solve_qip(u, b[:9], 2, 1.0), ValueError, "pairwise has shape (9, 10), expected (10, 10)"),
        (lambda u, b: gi.solve_qip(u, b.ravel(), 2, 1.0), ValueError, "pairwise has shape (100,)"),
        (lambda u, b: gi.solve_qip(u.astype(complex), b, 2, 1.0), TypeError, "unary must hold real numbers"),
        (lambda u, b: gi.solve_qip(["a"] * 10, b, 2, 1.0), TypeError, "unary must hold real numbers"),
        (lambda u, b: gi.solve_qip(u, b, 2.0, 1.0), TypeError, "k must be an integer"),
        (lambda u, b: gi.solve_qip(u, b, 2, "1"), TypeError, "lam must be a real number"),
        (lambda u, b: gi.solve_qip(u, b, 2, 1.0, solver="fast"), ValueError,
         "solver = 'fast' is not one of 'auto', 'exact', 'heuristic', 'mip'"),
        (lambda u, b: gi.solve_qip(u, b, 2**40, 1.0), ValueError, "k = 1099511627776 is out of range"),
        # The library's own checks.
        (lambda u, b: gi.solve_qip([], np.zeros((0, 0)), 1, 1.0), gi.ArgumentError, "n = 0"),
        (lambda u, b: gi.solve_qip(u, b, 0, 1.0), gi.ArgumentError, "k = 0"),
        (lambda u, b: gi.solve_qip(u, b, 11, 1.0), gi.ArgumentError, "k = 11"),
        (lambda u, b: gi.solve_qip(u, b, 2**31 - 1, 1.0), gi.ArgumentError, "k = 2147483647"),
        (lambda u, b: gi.solve_qip(u, b, -3, 1.0), gi.ArgumentError, "k = -3"),
        (lambda u, b: gi.solve_qip(u, b, 2, float("nan")), gi.ArgumentError, "lambda"),
        (lambda u, b: gi.solve_qip(u, b + np.triu(np.full((10, 10), 0.5), 1), 2, 1.0), gi.ArgumentError,
         "neither symmetric nor strictly triangular"),
        (lambda u, b: gi.solve_qip(np.where(np.arange(10) == 3, np.inf, u), b, 2, 1.0), gi.ScoresError, "unary[3]"),
        (lambda u, b: gi.solve_qip(u, np.where(np.eye(10)[::-1] == 1, np.nan, b), 2, 1.0), gi.ScoresError,
         "not finite"),
        (lambda u, b: gi.solve_qip(u, b, 2, 1.0, time_limit=-1), gi.ArgumentError, "time_limit"),
        (lambda u, b: gi.solve_qip(u, b, 2, 1.0, mip_gap=1.0), gi.ArgumentError, "mip_gap"),
        (lambda u, b: gi.solve_qip(u, b, 2, 1.0, mip_gap=-0.1), gi.ArgumentError, "mip_gap"),
        (lambda u, b: gi.solve_qip(u, b, 2, 1.0, seed=-1), ValueError, "seed = -1"),
        (lambda u, b: gi.solve_qip(u, b, 2, 1.0, memory_limit=2**20 - 1), gi.ArgumentError,
         "memory_limit = 1048575 bytes is below the minimum of 1 MiB"),
        (lambda u, b: gi.solve_qip(u, b, 2, 1.0, memory_limit=-1), ValueError, "memory_limit = -1 is out of range"),
    ],
)
def test_errors(call: object, error: type[Exception], words: str) -> None:
    u, b = random_problem(np.random.default_rng(0), 10)
    with pytest.raises(error) as caught:
        call(u, b)  # type: ignore[operator]
    assert words in str(caught.value)


def hard_problem(n: int = 40) -> tuple[np.ndarray, np.ndarray]:
    """The C test's halving step that exact cannot prove in a millisecond."""
    i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    b = 0.5 + 0.4 * np.sin((i * 31 + j * 17) * (i + j).astype(float))
    b = np.triu(b, 1)
    b = b + b.T
    return np.full(n, 0.3), b


def test_time_limit_is_a_warning() -> None:
    u, b = hard_problem()
    with pytest.warns(gi.GroupInferenceWarning, match="time limit") as record:
        s = gi.solve_qip(u, b, 20, 1.0, solver="exact", time_limit=0.001)
    assert record[0].filename == __file__  # attributed to the caller, not the binding
    assert s.status == "time_limit" and s.bound is not None and s.bound >= s.objective and s.gap and s.gap > 0
    with warnings.catch_warnings():
        warnings.simplefilter("error", gi.GroupInferenceWarning)
        with pytest.raises(gi.GroupInferenceWarning):
            gi.solve_qip(u, b, 20, 1.0, solver="exact", time_limit=0.001)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = gi.solve_qip(u, b, 20, 1.0, solver="heuristic")  # no warning
    assert s.status == "heuristic" and s.nodes == 0
