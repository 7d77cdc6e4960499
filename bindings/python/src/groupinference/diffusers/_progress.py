"""A progress bar per denoising step: survivors and model evaluations spent (tqdm when installed)."""

from __future__ import annotations

import sys
from typing import Any


class StepBar:
    """One bar for one group inference; disabled with enabled=False."""

    def __init__(self, enabled: bool, total: int, num_candidates: int) -> None:
        self._bar: Any = None
        self._text = False
        self._total = total
        if not enabled:
            return
        try:
            from tqdm.auto import tqdm
        except ImportError:  # no tqdm: one line per step on stderr
            self._text = True
            return
        self._bar = tqdm(total=total, desc="group inference", unit="step", dynamic_ncols=True)
        self._bar.set_postfix_str(f"alive {num_candidates}/{num_candidates}")

    def update(self, progress: Any, num_candidates: int) -> None:
        share = progress.evaluations / progress.naive_evaluations if progress.naive_evaluations else 0.0
        text = (f"alive {progress.alive}/{num_candidates}, evaluations {progress.evaluations}/"
                f"{progress.naive_evaluations} ({share:.0%})")
        if self._bar is not None:
            self._bar.set_postfix_str(text, refresh=False)
            self._bar.update(1)
        elif self._text:
            print(f"group inference: step {progress.steps_done}/{self._total}, {text}", file=sys.stderr)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
