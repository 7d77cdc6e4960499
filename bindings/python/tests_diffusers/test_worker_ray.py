"""DiffusersWorkers as Ray actors (a local Ray, num_cpus=2): each actor loads the tiny pipeline with
from_pretrained(path); the group, survivors, evaluations and images equal group_generate's, candidate
state moves actor to actor when rebalancing; the actors serve a second run, in which a killed actor
costs its candidates only.
Skipped when Ray is not installed (pip install ray==2.60.0)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch
from test_worker import PROMPT, SEED, _shards, assert_same, reference
from toy_scorers import trio

import groupinference
from groupinference.diffusers import DiffusersWorker, distributed_generate
from groupinference.diffusers.tiny import tiny_pipeline

ray = pytest.importorskip("ray")
from groupinference.distributed import RayPool  # noqa: E402

M, K, STEPS = 12, 2, 3


@pytest.fixture(scope="module")
def local_ray():
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")  # a private local instance
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    # The actors import groupinference and the tests' toy scorers as this process does.
    paths = [str(Path(groupinference.__file__).parents[1]), str(Path(__file__).parent)]
    paths += [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, object_store_memory=128 * 2**20,
             runtime_env={"env_vars": {"PYTHONPATH": os.pathsep.join(paths), "OMP_NUM_THREADS": "1"}})
    yield ray
    ray.shutdown()


def test_ray_actors_equal_group_generate_and_move_state(local_ray, tmp_path):
    folder = tmp_path / "tiny-sd-dpm"
    pipe = tiny_pipeline("sd", scheduler="dpm++2m", path=folder)
    want = reference(pipe, M, K, STEPS, {})
    scorers = trio()
    actor = ray.remote(num_cpus=0)(DiffusersWorker)
    actors = [actor.remote(str(folder), PROMPT, STEPS, SEED, scorers=scorers, output_type="pt") for _ in range(2)]
    try:
        # Worker 0 holds every survivor of the first prune: half of them move to worker 1 through
        # Ray's object store, with their DPM++ 2M history.
        shards = _shards(M, want.result.records[0].kept.tolist(), 6)
        got = distributed_generate(RayPool(actors), scorers, num_candidates=M, group_size=K, shards=shards,
                                   progress=False)
        assert got.run.rebalances[0].before == (6, 0) and got.run.rebalances[0].moved == 3
        assert_same(got, want)

        # The same actors serve a second run; one is killed after the first step: its candidates
        # are discarded, the others finish as they would alone.
        lost = {}

        def kill(driver):
            if driver.timings[-1].step == 0:
                lost["ids"] = driver.shards["worker 1"].tolist()
                ray.kill(actors[1])
                while True:  # ray.kill only asks: wait until the actor is gone
                    try:
                        ray.get(actors[1].__ray_ready__.remote())
                    except ray.exceptions.RayActorError:
                        break

        survived = distributed_generate(RayPool(actors), scorers, num_candidates=M, group_size=K, rebalance=None,
                                        progress=False, on_step=kill)
        (loss,) = survived.run.losses
        assert loss.worker == "worker 1" and list(loss.ids) == lost["ids"] and len(lost["ids"]) > 0
        assert not set(survived.ids.tolist()) & set(lost["ids"])
        for j, seed in enumerate(survived.seeds):
            alone = pipe(PROMPT, num_inference_steps=STEPS, generator=torch.Generator().manual_seed(seed),
                         output_type="pt").images[0]
            assert torch.equal(alone, survived.images[j])
    finally:
        for a in actors:
            ray.kill(a)
