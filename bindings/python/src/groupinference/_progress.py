"""What ``Session.run(progress=...)`` calls after every step: a tqdm bar, or the host's function."""

from __future__ import annotations

from typing import Callable, Union

from .results import Progress

ProgressFn = Callable[[Progress], object]
"""fn(progress) -> truthy to stop the run after this step (None or False: go on)."""
ProgressArg = Union[bool, ProgressFn, None]


class TqdmBar:
    """A tqdm bar over the session's steps (tqdm.auto: a widget in notebooks)."""

    def __init__(self, start: Progress) -> None:
        try:
            from tqdm.auto import tqdm  # optional; imported only when a bar is asked for
        except ImportError:
            raise ImportError("run(progress=True) draws a bar with tqdm, which is not installed: "
                              "pip install tqdm, or pass a function of the Progress instead") from None
        self._bar = tqdm(total=start.num_steps, initial=start.steps_done, unit="step", desc="group inference")
        self._bar.set_postfix(alive=start.alive, refresh=False)

    def __call__(self, progress: Progress) -> bool:
        self._bar.set_postfix(alive=progress.alive, evaluations=progress.evaluations, refresh=False)
        self._bar.update(progress.steps_done - self._bar.n)
        return False  # a bar never stops the run

    def close(self) -> None:
        self._bar.close()


def progress_function(progress: ProgressArg, start: Progress) -> tuple[ProgressFn, Callable[[], None]]:
    """The function to call after every step, and what to call when the run ends."""
    if progress is True:
        bar = TqdmBar(start)
        return bar, bar.close
    if callable(progress):
        return progress, _nothing
    raise TypeError(f"progress must be True, False, None or a function of the Progress, not {type(progress).__name__}")


def _nothing() -> None:
    pass
