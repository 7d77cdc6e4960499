"""Rebalancing after a prune: shard sizes before and after, the moves' cost, the
candidates arriving intact, and the switch that turns it off."""
from __future__ import annotations

import itertools
import os

import numpy as np
import pytest

from conftest import Setup, assert_same_run, drive, local_pool, reference
from groupinference.distributed import rebalance
from workers import StateAvoidsDriver


def lopsided(setup, nets):
    """Shards that put every survivor of the first prune on worker 0, and the reference run."""
    want, host = reference(setup, nets)
    first = want.records[0].kept
    return [first, np.setdiff1d(np.arange(setup.m), first)], want, host


def test_uneven_shards_are_rebalanced(nets):
    setup = Setup(m=32, k=4, steps=6)
    shards, want, host = lopsided(setup, nets)
    got, driver = drive(setup, local_pool(setup, 2), shards=shards)
    first = got.rebalances[0]
    assert (first.step, first.before, first.after, first.moved) == (0, (16, 0), (8, 8), 8)
    assert first.seconds > 0
    for r in got.rebalances:  # every rebalancing leaves shards within one of each other
        assert max(r.after) - min(r.after) <= 1 and sum(r.after) == sum(r.before)
    assert_same_run(got.result, want, exact=False)  # moved candidates continued where they were
    np.testing.assert_allclose(np.stack(got.outputs), host.sampler.x[want.ids], atol=1e-5)
    assert sum(t.rebalance for t in got.timings) >= sum(r.seconds for r in got.rebalances)


def test_rebalancing_switched_off(nets):
    setup = Setup(m=32, k=4, steps=6)
    shards, want, _ = lopsided(setup, nets)
    got, driver = drive(setup, local_pool(setup, 2), shards=shards, rebalance=None)
    assert got.rebalances == []
    assert driver.pool.workers[1].evaluations == 16  # worker 1 only did step 0, for its 16 (all pruned)
    assert_same_run(got.result, want, exact=False)


def test_threshold_decides(nets):
    """A high threshold tolerates what a low one fixes."""
    setup = Setup(m=32, k=4, steps=6)
    uneven_shards = [np.arange(0, 20), np.arange(20, 32)]
    _, tolerant = drive(setup, local_pool(setup, 2), shards=uneven_shards, rebalance=10.0)
    assert tolerant.rebalances == []
    _, strict = drive(setup, local_pool(setup, 2), shards=uneven_shards, rebalance=0.0)
    assert all(max(r.before) - min(r.before) >= 2 for r in strict.rebalances)


def test_ray_moves_state_actor_to_actor(nets, ray_pool):
    """On Ray, a moved candidate's state goes through the object store only: a state that
    cannot be unpickled in the driver's process arrives."""
    setup = Setup(m=32, k=4, steps=6)
    shards, want, host = lopsided(setup, nets)
    got, _ = drive(setup, ray_pool(setup, 2, StateAvoidsDriver, os.getpid()), shards=shards)
    assert got.rebalances[0].before == (16, 0) and got.rebalances[0].after == (8, 8)
    assert_same_run(got.result, want, exact=False)
    np.testing.assert_allclose(np.stack(got.outputs), host.sampler.x[want.ids], atol=1e-5)


@pytest.mark.parametrize("seed", range(20))
def test_plan_balances_with_fewest_moves(seed):
    rng = np.random.default_rng(seed)
    sizes = rng.integers(0, 50, size=rng.integers(2, 9)).tolist()
    moves = rebalance.plan(sizes)
    after = list(sizes)
    for src, dst, count in moves:
        assert count > 0 and sizes[src] > sizes[dst]
        after[src] -= count
        after[dst] += count
    assert max(after) - min(after) <= 1
    # Fewest possible: over every choice of which shards end one larger, what must leave the others.
    n, low, extra = len(sizes), sum(sizes) // len(sizes), sum(sizes) % len(sizes)
    fewest = min(sum(max(0, s - low - (w in larger)) for w, s in enumerate(sizes))
                 for larger in map(set, itertools.combinations(range(n), extra)))
    assert sum(c for _, _, c in moves) == fewest
