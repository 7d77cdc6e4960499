"""Shared fixtures: the digits model's reference run (one session, the host's callbacks)
and pools of digits workers, in process or on a local Ray (num_cpus=2, one instance for
the whole test run, shut down at the end)."""
from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("RAY_AUTH_MODE", "disabled")  # a private local instance
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")

from dataclasses import dataclass, replace  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import groupinference as gi  # noqa: E402
from groupinference.distributed import Driver, LocalPool, RayPool  # noqa: E402

from workers import SCORERS, DigitsWorker, ray_environment  # noqa: E402


@dataclass(frozen=True)
class Setup:
    m: int = 32
    k: int = 4
    steps: int = 8
    lam: float = 0.5
    digit: int = 3
    seed: int = 0
    schedule: str = "ratio"

    def session(self) -> gi.Session:
        extra = dict(budget=0.3) if self.schedule == "adaptive" else {}
        return gi.Session(num_candidates=self.m, group_size=self.k, num_steps=self.steps, lam=self.lam,
                          seed=self.seed, schedule=self.schedule, **extra)

    def worker_args(self) -> tuple:
        return (self.digit, self.steps, 1.25, self.seed)

    def but(self, **changes) -> "Setup":
        return replace(self, **changes)


@pytest.fixture(scope="session")
def nets():
    from host import Networks
    return Networks()


def reference(setup: Setup, nets) -> tuple[gi.Result, object]:
    """The ordinary in-process run: one session with the digits host's callbacks."""
    from host import DigitsHost
    host = DigitsHost(nets, setup.digit, setup.m, setup.steps, seed=setup.seed)
    with setup.session() as s:
        s.add_unary_scorer("quality", host.quality)
        s.add_embedding_scorer("features", host.embed, dim=host.feature_dim)
        s.set_denoiser(host.denoise)
        s.run()
        return s.result(), host


def drive(setup: Setup, pool, **options):
    """A Driver run of `setup` on `pool`; returns (DistributedResult, Driver)."""
    with setup.session() as s:
        driver = Driver(s, pool, SCORERS, **{k: v for k, v in options.items() if k != "on_step"})
        return driver.run(on_step=options.get("on_step")), driver


def local_pool(setup: Setup, n: int) -> LocalPool:
    return LocalPool([DigitsWorker(*setup.worker_args()) for _ in range(n)])


@pytest.fixture(scope="session")
def ray_instance():
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, object_store_memory=128 * 2**20,
             runtime_env=ray_environment())
    yield ray
    ray.shutdown()


@pytest.fixture
def ray_pool(ray_instance):
    """ray_pool(setup, n, cls=DigitsWorker, *extra) -> a RayPool of n fresh actors of cls(*extra,
    *setup.worker_args()); ray_pool(setup, [(cls, extra), ...]) for different ones. Killed after the test."""
    made = []

    def make(setup: Setup, n, cls=DigitsWorker, *extra):
        kinds = [(cls, extra)] * n if isinstance(n, int) else n
        actors = [ray_instance.remote(num_cpus=0)(c).remote(*e, *setup.worker_args()) for c, e in kinds]
        made.extend(actors)
        return RayPool(actors, [f"ray-{i}" for i in range(len(actors))])

    yield make
    for actor in made:
        ray_instance.kill(actor)


def kill(ray, actor) -> None:
    """ray.kill, and wait until the actor is gone (ray.kill only asks): the tests say when it dies."""
    ray.kill(actor)
    while True:
        try:
            ray.get(actor.__ray_ready__.remote())
        except ray.exceptions.RayActorError:
            return


def assert_same_run(got: gi.Result, want: gi.Result, exact: bool) -> None:
    """Same group, evaluations and survivors after every scoring; the objective equal bit
    for bit (exact) or to 1e-6 relative (shards change BLAS batch sizes, hence the last bits)."""
    assert got.ids.tolist() == want.ids.tolist()
    assert got.evaluations == want.evaluations
    assert [r.kept.tolist() for r in got.records] == [r.kept.tolist() for r in want.records]
    if exact:
        assert got.objective == want.objective
        np.testing.assert_array_equal(got.unary, want.unary)
    else:
        assert got.objective == pytest.approx(want.objective, rel=1e-6)
        np.testing.assert_allclose(got.unary, want.unary, rtol=1e-5)
