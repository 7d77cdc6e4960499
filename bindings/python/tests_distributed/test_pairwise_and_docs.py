"""A pairwise scorer over candidates on different workers (features per candidate, the
matrix built on the driver), and the docstring examples."""
from __future__ import annotations

import doctest

import numpy as np
import pytest

import groupinference.distributed as distributed
from conftest import Setup, assert_same_run, local_pool
from groupinference.distributed import Driver, Pairwise, Unary
from workers import FEATURES, QUALITY


def cosine_distances(features):
    e = np.asarray(features, dtype=np.float64)
    e = e / np.linalg.norm(e, axis=1, keepdims=True)
    return 1.0 - e @ e.T


@pytest.mark.parametrize("workers", [1, 2])
def test_pairwise_features_from_every_worker(workers, nets):
    from host import DigitsHost
    setup = Setup(m=32, k=4, steps=6)
    host = DigitsHost(nets, setup.digit, setup.m, setup.steps, seed=setup.seed)
    with setup.session() as s:
        s.add_unary_scorer(QUALITY, host.quality)
        s.add_pairwise_scorer(FEATURES, lambda step, ids: cosine_distances(host.embed(step, ids)))
        s.set_denoiser(host.denoise)
        s.run()
        want = s.result()
    with setup.session() as s:
        got = Driver(s, local_pool(setup, workers), [Unary(QUALITY), Pairwise(FEATURES, cosine_distances)]).run()
    assert_same_run(got.result, want, exact=workers == 1)
    np.testing.assert_allclose(got.result.pairwise, want.pairwise, atol=1e-6)


def test_docstring_examples():
    modules = [distributed.driver, distributed.pool, distributed.rebalance, distributed.scorers]
    for module in modules:
        failed, attempted = doctest.testmod(module)
        assert attempted > 0 and failed == 0, module.__name__
