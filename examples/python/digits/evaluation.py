"""Running digits sessions and measuring them against full selection; shared
by the demo (--compare), calibrate.py and bench/digits/schedule_sweep.py.

- A *full run* denoises all M candidates to the end and scores every step
  (first_prune_step = T-1, trace_every_step): what gi.calibrate needs, and
  the source of the final scores every method is judged by.
- *Full selection*: the best K of all M under the final scores, solved
  exactly (gi.solve_qip, exact, 5 s).
- *i.i.d.*: the expected objective of a random K-subset of the M final
  samples, K·mean u + λ·C(K,2)·mean b - what drawing K noises and
  denoising them gives on average.
- *Gain retained* by a group: (f(group) − f(i.i.d.)) / (f(full) − f(i.i.d.)),
  all under the final scores; the definition gi.calibrate uses.
"""
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from flow import DEFAULT_GUIDANCE
from host import DigitsHost

REPO = Path(__file__).resolve().parents[3]
try:
    import groupinference as gi
except ImportError:  # a checkout without `pip install -e bindings/python`
    sys.path.insert(0, str(REPO / "bindings" / "python" / "src"))
    import groupinference as gi


@dataclass(frozen=True)
class Setting:
    """What a run needs besides its digit and seed."""
    m: int = 64
    k: int = 4
    steps: int = 20
    lam: float = 0.5
    guidance: float = DEFAULT_GUIDANCE
    solver: str = "auto"


def open_session(nets, digit, seed, setting, **options):
    """A session wired to a fresh host for (digit, seed); the caller runs and closes it."""
    host = DigitsHost(nets, digit, setting.m, setting.steps, setting.guidance, seed)
    session = gi.Session(num_candidates=setting.m, group_size=setting.k, num_steps=setting.steps,
                         lam=setting.lam, solver=setting.solver, seed=seed, **options)
    session.add_unary_scorer("quality", host.quality)
    session.add_embedding_scorer("features", host.embed, dim=host.feature_dim)
    session.set_denoiser(host.denoise)
    return session, host


def full_run_options(setting):
    return dict(schedule="ratio", first_prune_step=setting.steps - 1, trace_every_step=True)


def full_run(nets, digit, seed, setting):
    """Denoise all M to the end, scoring every step; returns the (open, finished) session and host."""
    session, host = open_session(nets, digit, seed, setting, **full_run_options(setting))
    session.run()
    return session, host


@dataclass(frozen=True)
class Reference:
    """Final scores of all M candidates of one (digit, seed), and the two yardsticks."""
    unary: np.ndarray        # (M,) quality of the final samples
    pairwise: np.ndarray     # (M, M) 1 - cos of their features
    lam: float
    k: int
    full: float              # best K of M (exact)
    full_ids: np.ndarray
    full_status: str
    iid: float               # expected objective of a random K-subset

    def objective(self, ids):
        ids = np.asarray(ids)
        return float(self.unary[ids].sum() + self.lam * np.triu(self.pairwise[np.ix_(ids, ids)], 1).sum())

    def retained(self, ids):
        """Share of full selection's gain over i.i.d. that the group `ids` keeps."""
        return (self.objective(ids) - self.iid) / (self.full - self.iid)


def reference(host, setting):
    """Final scores from a host whose M candidates are all denoised to the end."""
    assert np.all(host.sampler.steps_done == setting.steps)
    unary, pairwise = host.scores(host.sampler.x)
    m, k, lam = len(unary), setting.k, setting.lam
    iid = k * unary.mean() + lam * k * (k - 1) / 2 * (pairwise.sum() - np.trace(pairwise)) / (m * (m - 1))
    best = gi.solve_qip(unary, pairwise, k=k, lam=lam, solver="exact", time_limit=5)
    return Reference(unary, pairwise, lam, k, best.objective, best.selection, best.status, float(iid))


def calibration_path(folder, setting, budget):
    """Where calibrate.py writes the schedule for these M, K, T, λ, budget (and guidance, if not the default)."""
    guidance = "" if setting.guidance == DEFAULT_GUIDANCE else f"_guidance{setting.guidance:g}"
    return Path(folder) / (f"m{setting.m}_k{setting.k}_t{setting.steps}_lam{setting.lam:g}"
                           f"_budget{budget:g}{guidance}.json")
