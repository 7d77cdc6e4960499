"""A dead worker costs its candidates and nothing else: the run goes on while at least K
remain, and otherwise fails naming the lost worker and ids, leaving the session as it was."""
from __future__ import annotations

import numpy as np
import pytest

from conftest import Setup, assert_same_run, drive, kill
from flow import Sampler
from groupinference.distributed import DistributedError, WorkersLost
from workers import DigitsWorker, DyingLocalPool, ExitsAt, ExitsInFinalize, ExitsInPut

SETUP = Setup(m=32, k=4, steps=8)


def killer(pool_kill, after_step, worker, seen):
    """on_step hook: after `after_step`, note the worker's shard and kill it."""
    def on_step(driver):
        if driver.timings[-1].step == after_step:
            seen.update(ids=driver.shards[driver.pool.names[worker]].tolist(), alive=driver.session.progress.alive)
            pool_kill(worker)
    return on_step


def check_survivors_intact(got, lost_ids, nets, setup=SETUP):
    """The group avoids the lost ids; every member's output is what its own noise gives when
    denoised alone (nothing corrupted); the trace has one discard record of exactly the lost ids."""
    assert not set(got.result.ids.tolist()) & set(lost_ids)
    alone = Sampler(nets.flow, setup.digit, setup.m, setup.steps, seed=setup.seed).run(got.result.ids)
    np.testing.assert_allclose(np.stack(got.outputs), alone, atol=1e-5)
    discards = [r for r in got.result.records if r.discarded]
    assert len(discards) == 1 and discards[0].ids.tolist() == sorted(lost_ids)
    assert discards[0].discarded == len(lost_ids)


def test_ray_actor_killed_mid_run_the_run_goes_on(nets, ray_pool, ray_instance):
    pool = ray_pool(SETUP, 2)
    seen = {}
    got, driver = drive(SETUP, pool, on_step=killer(lambda w: kill(ray_instance, pool.actors[w]), 0, 1, seen))
    assert seen["alive"] == 16 and 0 < len(seen["ids"]) < 16 - SETUP.k
    (loss,) = got.losses
    assert (loss.worker, loss.step, list(loss.ids)) == ("ray-1", 1, seen["ids"])
    assert "ray.kill" in loss.reason
    check_survivors_intact(got, seen["ids"], nets)
    # The same run in process, with the same worker declared dead at the same point: the same
    # discard, the same selections afterwards, the same evaluations.
    local = DyingLocalPool([DigitsWorker(*SETUP.worker_args()) for _ in range(2)])
    same = {}
    want, _ = drive(SETUP, local, on_step=killer(local.dead.add, 0, 1, same))
    assert same["ids"] == seen["ids"]
    assert_same_run(got.result, want.result, exact=False)
    assert got.result.evaluations < want.result.naive_evaluations


def test_ray_actor_killed_too_few_remain(ray_pool, ray_instance):
    pool = ray_pool(SETUP, 2)
    seen = {}
    with SETUP.session() as session:
        from groupinference.distributed import Driver
        from workers import SCORERS
        driver = Driver(session, pool, SCORERS)
        with pytest.raises(WorkersLost) as caught:
            driver.run(on_step=killer(lambda w: kill(ray_instance, pool.actors[w]), 2, 1, seen))
        # alive 4 = K after step 2: any loss leaves too few.
        message = str(caught.value)
        assert "'ray-1'" in message and str(seen["ids"]) in message and "remain for a group of 4" in message
        assert caught.value.lost == {"ray-1": seen["ids"]}
        # Nothing discarded, nothing else touched: the session is as the last step left it.
        progress = session.progress
        assert (progress.alive, progress.steps_done, progress.discarded) == (seen["alive"], 3, 0)
        assert not any(r.discarded for r in session.records())
        with pytest.raises(DistributedError, match="cannot go on: only 2 candidates remain"):
            driver.step()


def test_two_of_three_lost_names_both(ray_pool, ray_instance):
    setup = SETUP.but(m=24)
    pool = ray_pool(setup, 3)

    def kill_two(driver):
        if driver.timings[-1].step == 1:
            kill_two.ids = {n: ids.tolist() for n, ids in driver.shards.items() if n != "ray-0"}
            kill(ray_instance, pool.actors[1])
            kill(ray_instance, pool.actors[2])

    with pytest.raises(WorkersLost) as caught:
        drive(setup, pool, on_step=kill_two)
    assert caught.value.lost == kill_two.ids
    for name, ids in kill_two.ids.items():
        assert f"worker {name!r} held ids {ids}" in str(caught.value)


def test_actor_process_ends_inside_advance(nets, ray_pool):
    pool = ray_pool(SETUP, [(DigitsWorker, ()), (ExitsAt, (1,))])
    shards = {}
    got, driver = drive(SETUP, pool, on_step=lambda d: shards.update({d.timings[-1].step: d.shards}))
    (loss,) = got.losses
    assert (loss.worker, loss.step, list(loss.ids)) == ("ray-1", 1, shards[0]["ray-1"].tolist())
    check_survivors_intact(got, list(loss.ids), nets)
    assert driver.shard_sizes[1] == 0 and "ray-1" not in driver.shards


def test_target_dies_while_receiving_moved_candidates(nets, ray_pool):
    """Worker 1 holds nothing after the first prune, so the rebalancing moves half of worker 0's
    survivors to it, and it dies in put(): those candidates are lost, the others go on."""
    from conftest import reference
    want, _ = reference(SETUP, nets)
    first = want.records[0].kept
    shards = [first, np.setdiff1d(np.arange(SETUP.m), first)]
    pool = ray_pool(SETUP, [(DigitsWorker, ()), (ExitsInPut, ())])
    got, _ = drive(SETUP, pool, shards=shards)
    (loss,) = got.losses
    assert loss.worker == "ray-1" and loss.step == 0 and list(loss.ids) == sorted(first[-8:].tolist())
    assert got.rebalances[0].before == (16, 0) and got.rebalances[0].moved == 0
    check_survivors_intact(got, list(loss.ids), nets)


def test_group_member_lost_before_its_output(ray_pool):
    pool = ray_pool(SETUP, [(DigitsWorker, ()), (ExitsInFinalize, ())])
    with SETUP.session() as session:
        from groupinference.distributed import Driver
        from workers import SCORERS
        driver = Driver(session, pool, SCORERS)
        with pytest.raises(WorkersLost, match="of the final group were lost") as caught:
            driver.run()
        held = driver.losses[0].ids
        assert held and caught.value.lost == {"ray-1": list(held)}
        assert set(held) <= set(session.result().ids.tolist())  # the session's answer stands


def test_local_pool_loss_between_steps(nets):
    """The fault path without Ray: a worker declared dead after step 0."""
    local = DyingLocalPool([DigitsWorker(*SETUP.worker_args()) for _ in range(2)])
    seen = {}
    got, _ = drive(SETUP, local, on_step=killer(local.dead.add, 0, 0, seen))
    assert [(loss.worker, loss.step, list(loss.ids)) for loss in got.losses] == [("worker 0", 1, seen["ids"])]
    check_survivors_intact(got, seen["ids"], nets)
