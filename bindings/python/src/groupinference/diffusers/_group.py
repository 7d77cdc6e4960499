"""What the callback and the own loops share: after each denoising step, score if the session
needs it, let the session step (and prune), and say which rows survive."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from ._decode import Decoder
from ._progress import StepBar
from ._rows import RowMap
from ._scoring import Scorers


class GroupState:
    """A host-driven session with its scorers, id -> row map, decoder and progress bar."""

    def __init__(self, session: Any, scorers: Scorers, decoder: Decoder, prompt: str | None, bar: StepBar) -> None:
        self.session = session
        self.scorers = scorers
        self.decoder = decoder
        self.prompt = prompt
        self.bar = bar
        self.rows = RowMap(session.num_candidates)
        self.final_raw: list[torch.Tensor] | None = None
        """The final step's raw decodes of the scored candidates (in row order), when kept."""

    @property
    def num_steps(self) -> int:
        return self.session.num_steps

    def after_step(self, step: int, previews: Callable[[], torch.Tensor], latents: torch.Tensor,
                   keep_final_raw: bool = False) -> torch.Tensor | None:
        """The alive candidates have taken denoising step `step`; `previews()` gives their x̂0
        latents and `latents` their current latents. Returns the rows that survive, or None when
        all do."""
        session = self.session
        if session.progress.scores_needed:
            ids = self.rows.ids
            if step == self.num_steps - 1:  # the final choice scores the final images themselves
                self.final_raw = [] if keep_final_raw else None
                batches = self.decoder.finals(latents, self.final_raw)
            else:
                batches = self.decoder.previews(previews())
            self.scorers.score(step, ids, batches, self.prompt)
        session.step()
        progress = session.progress
        self.bar.update(progress, session.num_candidates)
        survivors = session.survivors
        if len(survivors) == self.rows.n:
            return None
        return self.rows.keep(survivors)
