"""Workers and pools for the tests. Imported by the test modules and, through
PYTHONPATH, by the Ray worker processes (which unpickle these classes by name)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "examples" / "python"
for folder in (EXAMPLES / "distributed", EXAMPLES / "digits"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from digits_worker import FEATURES, QUALITY, DigitsWorker, feature_dim  # noqa: E402

from groupinference.distributed import Embedding, Gone, LocalPool, Unary  # noqa: E402

SCORERS = [Unary(QUALITY), Embedding(FEATURES, dim=feature_dim())]
PATHS = [str(Path(__file__).resolve().parent), str(EXAMPLES / "distributed"), str(EXAMPLES / "digits")]


def ray_environment() -> dict:
    path = os.pathsep.join(PATHS + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])
    return {"env_vars": {"PYTHONPATH": path, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}}


class RaisesAt(DigitsWorker):
    """Raises in advance() at one step - a bug in a worker."""

    def __init__(self, fail_step, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fail_step = fail_step

    def advance(self, ids, step, want_scores):
        if step == self.fail_step:
            self.broken_feature_lookup(step)
        return super().advance(ids, step, want_scores)

    def broken_feature_lookup(self, step):
        raise KeyError(f"no feature table for step {step}")


class ExitsAt(DigitsWorker):
    """Its process ends in the middle of advance() at one step - a crashed GPU worker."""

    def __init__(self, exit_step, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.exit_step = exit_step

    def advance(self, ids, step, want_scores):
        if step == self.exit_step:
            os._exit(1)
        return super().advance(ids, step, want_scores)


class WrongRows(DigitsWorker):
    """Answers for one candidate too few."""

    def advance(self, ids, step, want_scores):
        scores = super().advance(ids, step, want_scores)
        return None if scores is None else {name: rows[:-1] for name, rows in scores.items()}


class DyingLocalPool(LocalPool):
    """An in-process pool whose workers can be declared dead: from then on they answer Gone,
    as a dead Ray actor does."""

    def __init__(self, workers, names=None):
        super().__init__(workers, names)
        self.dead: set[int] = set()

    def submit(self, worker, method, *args):
        if worker in self.dead:
            return "dead"
        return super().submit(worker, method, *args)

    def gather(self, tickets):
        alive = {k: t for k, t in tickets.items() if t[1] != "dead"}
        out = super().gather(alive)
        out.update({k: Gone("declared dead by the test") for k, t in tickets.items() if t[1] == "dead"})
        return out

    def move(self, moves):
        if any(m.src in self.dead or m.dst in self.dead for m in moves):
            raise NotImplementedError("the tests do not move candidates to or from a dead local worker")
        return super().move(moves)


class NotOnDriver:
    """Unpickling it in the driver's process raises: proof that a state never went there."""

    def __init__(self, driver_pid):
        self.driver_pid = driver_pid

    def __reduce__(self):
        return (_arrive, (self.driver_pid,))


def _arrive(driver_pid):
    if os.getpid() == driver_pid:
        raise RuntimeError("a candidate's state was sent to the driver")
    return NotOnDriver(driver_pid)


class StateAvoidsDriver(DigitsWorker):
    """Its take() states carry a NotOnDriver."""

    def __init__(self, driver_pid, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.driver_pid = driver_pid

    def take(self, ids):
        return dict(super().take(ids), trap=NotOnDriver(self.driver_pid))


class ExitsInPut(DigitsWorker):
    """Its process ends while adopting moved candidates."""

    def put(self, state):
        os._exit(1)


class ExitsInFinalize(DigitsWorker):
    """Its process ends while handing over the final outputs."""

    def finalize(self, ids):
        os._exit(1)
