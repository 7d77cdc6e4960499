"""Pairwise matrices from the host (callbacks, pushes, solve_qip): symmetric, or strictly
triangular standing for its mirror - never averaged into half of lambda (since 0.3)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import groupinference as gi

RULE = "neither symmetric nor strictly triangular"


def upper(m: int = 12, seed: int = 3) -> np.ndarray:
    return np.triu(np.random.default_rng(seed).uniform(0.1, 1.0, size=(m, m)), 1)


def chosen(matrix: np.ndarray, pushed: bool = False, **options: Any) -> gi.Result:
    """The final group of a session whose only diversity is `matrix` (indexed by candidate id)."""
    m = len(matrix)
    quality = np.linspace(0.2, 0.8, m)
    with gi.Session(num_candidates=m, group_size=3, num_steps=2, lam=0.7, solver="exact", **options) as s:
        s.add_unary_scorer("q", lambda step, ids: quality[ids])
        if pushed:
            p = s.add_pairwise_scorer("d", None)
            while not s.progress.done:
                ids = s.survivors
                if s.progress.scores_needed:
                    s.push_pairwise(p, ids, matrix[np.ix_(ids, ids)])
                s.step()
        else:
            s.add_pairwise_scorer("d", lambda step, ids: matrix[np.ix_(ids, ids)])
            s.set_denoiser(lambda step, ids: None)
            s.run()
        return s.result()


@pytest.mark.parametrize("pushed", [False, True], ids=["callback", "push"])
@pytest.mark.parametrize("form", ["upper", "lower"])
def test_a_triangular_matrix_stands_for_its_mirror(pushed: bool, form: str) -> None:
    d = upper()
    symmetric = d + d.T
    triangular = d if form == "upper" else d.T
    want, got = chosen(symmetric, pushed), chosen(triangular, pushed)
    assert got.ids.tolist() == want.ids.tolist()
    assert got.objective == pytest.approx(want.objective, rel=1e-12)
    np.testing.assert_allclose(got.pairwise, symmetric[np.ix_(got.ids, got.ids)], rtol=1e-12)
    # Averaged, as before 0.3, the same matrix would have counted half: the objective says it did not.
    halved = chosen((d + d.T) / 2, pushed)
    assert got.objective > halved.objective


def test_solve_qip_triangular_equals_symmetric_not_half() -> None:
    d = upper(10, seed=5)
    u = np.random.default_rng(1).uniform(size=10)
    symmetric = gi.solve_qip(u, d + d.T, 4, lam=1.5, solver="exact")
    for triangular in (d, d.T):
        r = gi.solve_qip(u, triangular, 4, lam=1.5, solver="exact")
        assert r.selection.tolist() == symmetric.selection.tolist()
        assert r.objective == pytest.approx(symmetric.objective, rel=1e-12)
    halved = gi.solve_qip(u, (d + d.T) / 2, 4, lam=1.5, solver="exact")
    assert symmetric.objective > halved.objective


def test_float32_rounding_is_within_the_tolerance() -> None:
    rng = np.random.default_rng(2)
    e = rng.normal(size=(12, 6)).astype(np.float32)
    gram = e @ e.T  # float32 products: the two triangles may differ by a few ulps
    d = np.abs(gram.max() - gram) * (1 + 1e-7 * np.triu(np.ones((12, 12)), 1))  # and a little more
    r = chosen(d.astype(np.float64))
    assert len(r.ids) == 3


def asymmetric(m: int = 12) -> np.ndarray:
    d = upper(m) + upper(m).T
    d[7, 2] += 0.25  # one pair differs: neither symmetric nor triangular
    return d


def test_an_asymmetric_callback_matrix_is_refused_naming_the_pair() -> None:
    with pytest.raises(gi.ScoresError, match=RULE) as caught:
        chosen(asymmetric())
    assert "[id 2][id 7]" in str(caught.value) and "strictly upper or lower triangular" in str(caught.value)


def test_an_asymmetric_pushed_matrix_is_refused() -> None:
    with gi.Session(num_candidates=12, group_size=3, num_steps=2) as s:
        p = s.add_pairwise_scorer("d", None)
        with pytest.raises(gi.ScoresError, match=RULE):
            s.push_pairwise(p, s.survivors, asymmetric())


def test_solve_qip_refuses_an_asymmetric_matrix() -> None:
    with pytest.raises(gi.ArgumentError, match=RULE) as caught:
        gi.solve_qip(np.ones(12), asymmetric(), 3, lam=1.0)
    assert "[2][7]" in str(caught.value)
