"""Pruning schedules for the demo, chosen with --schedule NAME.

A schedule says how the session is configured (options for gi.Session) and
how it is driven. To add one, subclass Schedule, override what differs (a
schedule that decides in Python overrides drive() and calls session.prune),
and list it in SCHEDULES.

- reference:  the paper's ratio schedule, keep max(ceil(n/2), K) after every
              step from step 0 (~14 % of the model evaluations of M·T);
- calibrated: survivor counts derived by gi.calibrate from full runs on
              other seeds (calibrate.py), read from schedules/*.json;
- adaptive:   the library's adaptive rule within the budget, no calibration.
"""
from pathlib import Path

from evaluation import calibration_path

SCHEDULES_DIR = Path(__file__).resolve().parent / "schedules"
DEFAULT_BUDGET = 0.2


class Schedule:
    name = ""
    description = ""

    def __init__(self, budget=DEFAULT_BUDGET, folder=SCHEDULES_DIR):
        self.budget, self.folder = budget, Path(folder)

    def session_options(self, setting):
        """Keyword options of gi.Session for an evaluation.Setting (M, K, T, λ, ...)."""
        raise NotImplementedError

    @property
    def label(self):
        return self.name

    def drive(self, session, bar=None):
        """Step until done; `bar` (tqdm) advances one tick per step."""
        while not session.progress.done:
            session.step()
            if bar is not None:
                bar.set_postfix(alive=session.progress.alive, refresh=False)
                bar.update(1)


class Reference(Schedule):
    name = "reference"
    description = "keep max(ceil(n/2), K) after every step from step 0 (the paper's rho=0.5)"

    def session_options(self, setting):
        return dict(schedule="ratio", prune_ratio=0.5, first_prune_step=0)


class Calibrated(Schedule):
    name = "calibrated"
    description = "survivor counts calibrated on full runs of other seeds within --budget (calibrate.py)"

    @property
    def label(self):
        return f"calibrated {self.budget:g}"

    def path(self, setting):
        return calibration_path(self.folder, setting, self.budget)

    def session_options(self, setting):
        path = self.path(setting)
        if not path.exists():
            raise FileNotFoundError(
                f"no calibrated schedule {path.name} in {self.folder}; make it with\n"
                f"  python examples/python/digits/calibrate.py --lam {setting.lam:g} --budget {self.budget:g}"
                + (f" --guidance {setting.guidance:g}" if "guidance" in path.name else "")
                + (f" --m {setting.m} --k {setting.k} --steps {setting.steps}"
                   if (setting.m, setting.k, setting.steps) != (64, 4, 20) else "")
                + (f" --out {self.folder}" if self.folder != SCHEDULES_DIR else ""))
        return dict(schedule="calibrated", schedule_file=path)


class Adaptive(Schedule):
    name = "adaptive"
    description = "the library's adaptive rule within --budget, no calibration runs"

    @property
    def label(self):
        return f"adaptive {self.budget:g}"

    def session_options(self, setting):
        return dict(schedule="adaptive", budget=self.budget)


SCHEDULES = {cls.name: cls for cls in [Reference, Calibrated, Adaptive]}
