"""The same group comes out of 1, 2 or N workers as out of the in-process run."""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from conftest import Setup, assert_same_run, drive, local_pool, reference
from workers import REPO

SETUPS = [Setup(), Setup(m=64, k=4, steps=10, seed=3, digit=7), Setup(m=24, k=3, steps=12, schedule="adaptive")]


@pytest.mark.parametrize("setup", SETUPS, ids=["ratio", "ratio-m64", "adaptive"])
@pytest.mark.parametrize("workers", [1, 2, 3])
def test_local_pool_equals_in_process(setup, workers, nets):
    want, _ = reference(setup, nets)
    got, driver = drive(setup, local_pool(setup, workers))
    # One worker sees the same batches as the in-process run: the same floats.
    assert_same_run(got.result, want, exact=workers == 1)
    assert driver.losses == [] and len(got.timings) == setup.steps


@pytest.mark.parametrize("workers", [1, 2])
def test_ray_pool_equals_in_process(workers, nets, ray_pool):
    setup = Setup(m=48, steps=10)
    want, host = reference(setup, nets)
    got, _ = drive(setup, ray_pool(setup, workers))
    assert_same_run(got.result, want, exact=workers == 1)
    # The outputs are the group's final samples, in the order of the group.
    np.testing.assert_allclose(np.stack(got.outputs), host.sampler.x[want.ids], atol=1e-5)


def test_outputs_and_shards_follow_the_ids(nets):
    """Workers are dealt contiguous blocks unless told otherwise; outputs come back in the
    group's order whatever worker holds each member."""
    setup = Setup(m=16, k=4, steps=4)
    shards = [np.arange(1, 16, 2), np.arange(0, 16, 2)]  # odd ids on worker 0, even on worker 1
    got, driver = drive(setup, local_pool(setup, 2), shards=shards, rebalance=None)
    want, host = reference(setup, nets)
    assert_same_run(got.result, want, exact=False)
    np.testing.assert_allclose(np.stack(got.outputs), host.sampler.x[want.ids], atol=1e-5)
    assert sorted(np.concatenate(list(driver.shards.values())).tolist()) == want.ids.tolist()
    assert all(ids.tolist() == [i for i in want.ids if i % 2 == w % 2 ^ 1]
               for w, ids in enumerate(driver.shards.values()))


def test_bad_shards_are_refused():
    setup = Setup(m=8)
    from groupinference.distributed import Driver
    from workers import SCORERS
    with setup.session() as s:
        with pytest.raises(ValueError, match="every id 0..7 exactly once"):
            Driver(s, local_pool(setup, 2), SCORERS, shards=[[0, 1, 2], [2, 3, 4, 5, 6, 7]])
        with pytest.raises(ValueError, match="2 given for 3 workers"):
            Driver(s, local_pool(setup, 3), SCORERS, shards=[[0], [1]])
        with pytest.raises(ValueError, match="rebalance"):
            Driver(s, local_pool(setup, 2), SCORERS, rebalance=-1.0)


def run_example(*args: str, ray_address: str | None = None) -> list[str]:
    env = dict(os.environ, **({"RAY_ADDRESS": ray_address} if ray_address else {}))
    done = subprocess.run([sys.executable, str(REPO / "examples/python/distributed/digits_pool.py"), *args],
                          capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_example_prints_the_in_process_group_with_two_ray_workers(ray_instance):
    common = ["--m", "64", "--k", "4", "--steps", "12", "--seed", "1"]
    in_process = run_example("--workers", "0", *common)
    # On the tests' Ray instance (starting another costs seconds).
    on_ray = run_example("--workers", "2", *common, ray_address=ray_instance.get_runtime_context().gcs_address)
    assert in_process[:3] == on_ray[:3], (in_process, on_ray)  # group, objective (4 decimals), evaluations
    assert in_process[0].startswith("group: [") and in_process[2].startswith("evaluations: ")
    assert on_ray[3].startswith("2 Ray workers")
