"""DiffusersWorker and distributed_generate: the candidates of a pipeline spread over workers give
group_generate's group, survivors, evaluations and images (bit for bit: CPU, float32, one thread,
batch_size 1); candidate state - latents, generators, the scheduler's per-candidate history - moves
between workers without changing anything; a lost worker costs its candidates and nothing else."""

from __future__ import annotations

import doctest
import importlib

import numpy as np
import pytest
import torch
from toy_scorers import trio

from groupinference.diffusers import (DiffusersWorker, UnsupportedPipelineError, UnsupportedSchedulerError,
                                      distributed_generate, group_generate)
from groupinference.distributed import Gone, LocalPool, WorkerError, WorkersLost

PROMPT = "a photo of a dog"
SEED = 5
FLOW = {"max_sequence_length": 16, "height": 16, "width": 16}

CASES = [("sd", s, {}) for s in ("ddim", "euler", "euler-ancestral", "dpm++2m", "unipc", "pndm")] + [
    ("sdxl", "euler", {}), ("sdxl", "dpm++2m", {}), ("sd3", None, FLOW), ("flux-schnell", None, FLOW),
    ("flux-dev", None, FLOW)]


def reference(pipe, m, k, steps, kwargs, **options):
    return group_generate(pipe, PROMPT, scorers=trio(), num_candidates=m, group_size=k, num_inference_steps=steps,
                          seed=SEED, output_type="pt", progress=False, **kwargs, **options)


def workers(pipe, n, steps, kwargs, scorers=None, **extra):
    scorers = scorers or trio()
    return [DiffusersWorker(pipe, PROMPT, steps, SEED, scorers=scorers, output_type="pt", **kwargs, **extra)
            for _ in range(n)], scorers


def assert_same(got, want):
    """Same group, survivors after every step, evaluations, objective and images (bit for bit)."""
    assert got.ids.tolist() == want.ids.tolist()
    assert [r.kept.tolist() for r in got.result.records] == [r.kept.tolist() for r in want.result.records]
    assert got.result.evaluations == want.result.evaluations
    assert got.result.objective == want.result.objective
    assert got.seeds == want.seeds
    assert torch.equal(got.images, want.images), f"max |diff| {(got.images - want.images).abs().max()}"
    for name, values in want.scores.items():
        np.testing.assert_array_equal(got.scores[name], values)


@pytest.mark.parametrize("case", CASES, ids=[f"{k}-{s or 'flow-euler'}" for k, s, _ in CASES])
def test_two_workers_equal_group_generate(tiny, case):
    kind, scheduler, kwargs = case
    pipe = tiny(kind, scheduler)
    want = reference(pipe, 8, 2, 3, kwargs)
    pool, scorers = workers(pipe, 2, 3, kwargs)
    got = distributed_generate(pool, scorers, num_candidates=8, group_size=2, progress=False)
    assert_same(got, want)
    assert got.run.losses == [] and got.result.evaluations < got.result.naive_evaluations


@pytest.mark.parametrize("kind, scheduler", [("sd", "euler-ancestral"), ("flux-dev", None)])
def test_larger_batches_and_small_previews_match_within_the_tolerance(tiny, kind, scheduler):
    """batch_size > 1 groups candidates differently per worker than in one process: float rounding
    only (measured: images 9e-7, objective 3e-8 relative); preview_size applies on the workers."""
    pipe = tiny(kind, scheduler)
    kwargs = FLOW if kind.startswith("flux") else {}
    options = dict(batch_size=4, preview_size=8)
    want = reference(pipe, 16, 2, 4, kwargs, prune_ratio=0.5, **options)
    pool, scorers = workers(pipe, 2, 4, kwargs, **options)
    got = distributed_generate(pool, scorers, num_candidates=16, group_size=2, progress=False, prune_ratio=0.5)
    assert [r.kept.tolist() for r in got.result.records] == [r.kept.tolist() for r in want.result.records]
    assert got.result.objective == pytest.approx(want.result.objective, rel=1e-6)
    assert (got.images - want.images).abs().max().item() <= 1e-5


def test_sdxl_negative_micro_conditioning_is_each_candidates_own(tiny):
    """With SDXL's negative_original_size/negative_target_size every candidate gets its [negative;
    positive] time ids, as when run alone. (group_generate hands the UNet the pipeline's rows for M
    candidates, where those ids are interleaved: measured up to 0.04 off the candidate alone.)"""
    pipe = tiny("sdxl", "euler")
    kwargs = {"negative_original_size": (8, 8), "negative_target_size": (8, 8)}
    pool, scorers = workers(pipe, 2, 3, kwargs)
    got = distributed_generate(pool, scorers, num_candidates=6, group_size=2, progress=False)
    for j, seed in enumerate(got.seeds):
        alone = pipe(PROMPT, num_inference_steps=3, generator=torch.Generator().manual_seed(seed), output_type="pt",
                     **kwargs).images[0]
        assert torch.equal(alone, got.images[j])


def _shards(m, kept, heavy):
    """Two shards: worker 0 gets `heavy` of the first prune's survivors `kept` and fills up with
    pruned ids to half of m; worker 1 the rest - so the first prune leaves the shards uneven."""
    pruned = [i for i in range(m) if i not in kept]
    first = sorted(kept[:heavy] + pruned[:m // 2 - heavy])
    return [first, sorted(set(range(m)) - set(first))]


MOVES = ([(("sd", s), h) for s in ("dpm++2m", "unipc", "pndm", "euler-ancestral") for h in ("fresh", "all", "most")]
         + [(("sd", "ddim"), "most"), (("sd", "euler"), "most"), (("flux-schnell", None), "fresh"),
            (("flux-schnell", None), "most")])
WHERE = {"fresh": "into-a-fresh-worker", "all": "into-an-empty-worker", "most": "into-a-busy-worker"}


@pytest.mark.parametrize("pipeline, heavy", MOVES, ids=[f"{WHERE[h]}-{k}-{s or 'flow-euler'}" for (k, s), h in MOVES])
def test_rebalancing_moves_state_and_changes_nothing(tiny, pipeline, heavy):
    """After the first prune worker 0 holds all (or 5 of 6) survivors: the driver moves some to
    worker 1 - one that never started (it prepares the conditioning and adopts their scheduler
    step), one emptied by the prune, or a busy one (their history rows join its own) - and the
    multistep history, the ancestral sampler's generators and the latents go with them."""
    kind, scheduler = pipeline
    pipe = tiny(kind, scheduler)
    kwargs = FLOW if kind.startswith("flux") else {}
    m, k, steps = 12, 2, 3
    want = reference(pipe, m, k, steps, kwargs, prune_ratio=0.5)  # (FLUX schnell's preset prunes 90 %)
    kept = want.result.records[0].kept.tolist()
    assert len(kept) == 6
    shards = [list(range(m)), []] if heavy == "fresh" else _shards(m, kept, 6 if heavy == "all" else 5)
    pool, scorers = workers(pipe, 2, steps, kwargs)
    seen = []
    got = distributed_generate(pool, scorers, num_candidates=m, group_size=k, shards=shards, progress=False,
                               prune_ratio=0.5, on_step=lambda d: seen.append(d.shard_sizes))
    first = got.run.rebalances[0]
    assert first.step == 0 and first.before == ((5, 1) if heavy == "most" else (6, 0)) and first.after == (3, 3)
    assert first.moved == (2 if heavy == "most" else 3) and seen[0] == (3, 3)
    assert_same(got, want)
    unbalanced = distributed_generate(workers(pipe, 2, steps, kwargs, scorers)[0], scorers, num_candidates=m,
                                      group_size=k, shards=shards, rebalance=None, progress=False, prune_ratio=0.5)
    assert unbalanced.run.rebalances == []
    assert_same(unbalanced, want)


def test_take_put_round_trip_by_hand(tiny):
    """take() removes the candidates with their state; put() on a worker of the same run adopts them;
    a put from another run, a step out of line, or ids not held are refused with what was wrong."""
    pipe = tiny("sd", "dpm++2m")
    (a, b), _ = workers(pipe, 2, 3, {})
    a.start(np.arange(0, 4))
    b.start(np.arange(4, 6))
    a.advance(np.arange(0, 4), 0, False)
    with pytest.raises(ValueError, match="step 0 asked, but the candidates here have done 1"):
        a.advance(np.arange(0, 4), 0, False)
    b.advance(np.arange(4, 6), 0, False)
    with pytest.raises(ValueError, match="start is called once per run"):
        b.start(np.arange(6, 8))
    state = a.take(np.array([1, 3]))
    assert a.held.tolist() == [0, 2] and state.ids.tolist() == [1, 3] and state.steps_done == 1
    assert state.latents.shape[0] == 2 and len(state.generator_states) == 2
    assert [None if v is None else v.shape[0] for v in state.history["model_outputs"]] == [None, 2]
    b.put(state)
    assert b.held.tolist() == [1, 3, 4, 5]
    assert pipe.scheduler is not b.pipe.scheduler and b.pipe.scheduler.model_outputs[-1].shape[0] == 4
    with pytest.raises(KeyError, match=r"ids \[9\] are not held"):
        b.keep(np.array([1, 9]))
    (other,), _ = workers(pipe, 1, 2, {})
    with pytest.raises(ValueError, match="another run"):
        other.put(b.take(np.array([4])))
    behind, _ = workers(pipe, 1, 3, {})
    behind[0].start(np.array([7]))
    with pytest.raises(ValueError, match="have done 1 steps, the ones here 0"):
        behind[0].put(b.take(np.array([5])))


def test_history_outside_the_table_refuses_to_move(tiny, monkeypatch):
    """A scheduler keeping per-candidate state the table does not list cannot move candidates: the
    error names the scheduler and the attribute, and the driver surfaces it from take()."""
    import dataclasses

    pipe = tiny("sd", "dpm++2m")
    (worker,), _ = workers(pipe, 1, 3, {})
    worker.rule = dataclasses.replace(worker.rule, history=())  # as if the table forgot model_outputs
    worker.start(np.arange(4))
    worker.advance(np.arange(4), 0, False)
    with pytest.raises(UnsupportedSchedulerError, match=r"DPMSolverMultistepScheduler keeps per-candidate state in "
                                                        r"model_outputs.*rebalance=None"):
        worker.take(np.array([0]))
    assert worker.held.tolist() == [0, 1, 2, 3]  # nothing taken
    want = reference(pipe, 12, 2, 3, {})
    pool, scorers = workers(pipe, 2, 3, {})
    for w in pool:
        w.rule = dataclasses.replace(w.rule, history=())
    with pytest.raises(WorkerError, match=r"raised in take\(\)(.|\n)*model_outputs"):
        distributed_generate(pool, scorers, num_candidates=12, group_size=2, progress=False,
                             shards=_shards(12, want.result.records[0].kept.tolist(), 6))


class DyingLocalPool(LocalPool):
    """Workers in this process that can be declared dead: from then on they answer Gone, as a dead
    Ray actor does."""

    def __init__(self, workers):
        super().__init__(workers)
        self.dead: set[int] = set()

    def submit(self, worker, method, *args):
        return "dead" if worker in self.dead else super().submit(worker, method, *args)

    def gather(self, tickets):
        out = super().gather({k: t for k, t in tickets.items() if t[1] != "dead"})
        out.update({k: Gone("declared dead by the test") for k, t in tickets.items() if t[1] == "dead"})
        return out


def test_a_lost_worker_costs_its_candidates_only(tiny):
    pipe = tiny("sd", "euler-ancestral")
    pool = DyingLocalPool(workers(pipe, 3, 3, {})[0])
    lost = {}

    def kill_after_first_step(driver):  # the worker holding the most survivors dies
        if driver.timings[-1].step == 0:
            worker = max(range(3), key=lambda w: (driver.shard_sizes[w], w))
            lost.update(worker=worker, ids=driver.shards[f"worker {worker}"].tolist())
            pool.dead.add(worker)

    got = distributed_generate(pool, pool.workers[0].scorers, num_candidates=12, group_size=2, rebalance=None,
                               progress=False, on_step=kill_after_first_step)
    (loss,) = got.run.losses
    assert loss.worker == f"worker {lost['worker']}" and list(loss.ids) == lost["ids"] and len(lost["ids"]) > 0
    assert not set(got.ids.tolist()) & set(lost["ids"])
    discards = [r for r in got.result.records if r.discarded]
    assert len(discards) == 1 and discards[0].ids.tolist() == lost["ids"]
    for j, seed in enumerate(got.seeds):  # the others' state is intact: each image is its candidate alone
        alone = pipe(PROMPT, num_inference_steps=3, generator=torch.Generator().manual_seed(seed),
                     output_type="pt").images[0]
        assert torch.equal(alone, got.images[j])


def test_too_few_left_after_a_loss_fails_naming_the_worker(tiny):
    pipe = tiny("sd", "euler")
    pool = DyingLocalPool(workers(pipe, 2, 3, {})[0])
    held = {}

    def kill(driver):
        if driver.timings[-1].step == 0:
            held["ids"] = driver.shards["worker 1"].tolist()
            pool.dead.add(1)

    with pytest.raises(WorkersLost, match=r"lost worker 'worker 1'.*Only \d candidates remain for a group of 3") as e:
        distributed_generate(pool, pool.workers[0].scorers, num_candidates=8, group_size=3, progress=False,
                             on_step=kill)
    assert e.value.lost == {"worker 1": held["ids"]}


def test_bad_setups_are_refused_with_what_is_wrong(tiny):
    from diffusers import DEISMultistepScheduler, StableDiffusionImg2ImgPipeline

    pipe = tiny("sd")
    with pytest.raises(UnsupportedPipelineError, match="StableDiffusionImg2ImgPipeline is not supported"):
        DiffusersWorker(StableDiffusionImg2ImgPipeline(**pipe.components), PROMPT, 3, scorers=trio())
    # DEIS: unsupported, and (unlike LMS) needs no scipy
    deis = type(pipe)(**{**pipe.components, "scheduler": DEISMultistepScheduler.from_config(pipe.scheduler.config)})
    with pytest.raises(UnsupportedSchedulerError, match="DEISMultistepScheduler is not supported"):
        DiffusersWorker(deis, PROMPT, 3, scorers=trio())
    with pytest.raises(UnsupportedPipelineError, match="latents cannot be passed"):
        DiffusersWorker(pipe, PROMPT, 3, scorers=trio(), latents=torch.zeros(1))
    with pytest.raises(TypeError, match="unexpected argument.*denoising_end"):
        DiffusersWorker(pipe, PROMPT, 3, scorers=trio(), denoising_end=0.5)
    pool, scorers = workers(pipe, 2, 3, {})
    with pytest.raises(ValueError, match="scorers: the driver's"):
        distributed_generate(pool, scorers[:2], num_candidates=8, group_size=2, progress=False)
    with pytest.raises(TypeError, match="guidance_scale.*not groupinference.Session options"):
        distributed_generate(pool, scorers, num_candidates=8, group_size=2, guidance_scale=3.0)
    mixed = [pool[0], DiffusersWorker(pipe, PROMPT, 3, SEED + 1, scorers=scorers, output_type="pt")]
    with pytest.raises(ValueError, match="run different things"):
        distributed_generate(mixed, scorers, num_candidates=8, group_size=2, progress=False)


@pytest.mark.parametrize("name", ["groupinference.diffusers.spread", "groupinference.diffusers._specs"])
def test_doctests(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
