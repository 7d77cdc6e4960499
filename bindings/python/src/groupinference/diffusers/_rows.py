"""The id -> row map: which batch row holds which candidate.

Candidate ids are the session's (0..M-1) and never change; batch rows are renumbered after every
prune. Rows always hold the alive ids in ascending order - the order of gi_survivors - so the
pipeline's output images come out in the order of the result's ids.

Per-candidate tensors have one of three batch layouts:

- CANDIDATES: one row per alive candidate (latents, generators, scheduler history);
- GUIDED: under classifier-free guidance two blocks, [unconditional rows; conditional rows], the
  layout of ``torch.cat([negative_embeds, embeds])`` in every pipeline and of the denoiser's batch
  ``torch.cat([latents] * 2)``; without guidance one block. Row r and row n + r belong to the
  candidate of row r.
- PAIRED: under classifier-free guidance the candidate of row r owns rows 2r (unconditional) and
  2r + 1 (conditional), the layout of ``torch.cat([negative, positive]).repeat(n, 1)`` (SDXL's
  add_time_ids); without guidance one row per candidate. The denoiser must get these rows in the
  GUIDED order (``model_rows``): in the pipeline's own call it gets them as they are, so with
  different negative and positive rows candidates get the wrong ones.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from ._layout import GUIDED, PAIRED
from .errors import TableMismatchError


class RowMap:
    """Rows of the alive candidates; ``ids[r]`` is the candidate in row r.

    >>> rows = RowMap(6)
    >>> rows.keep([1, 4, 5]).tolist()        # the survivors -> the rows that held them
    [1, 4, 5]
    >>> rows.keep([4]).tolist(), rows.ids.tolist()
    ([1], [4])
    """

    def __init__(self, num_candidates: int) -> None:
        self._ids = np.arange(num_candidates, dtype=np.int32)

    @property
    def ids(self) -> np.ndarray:
        """The alive ids, ascending; row r holds ids[r]."""
        return self._ids

    @property
    def n(self) -> int:
        return len(self._ids)

    def keep(self, survivors: Sequence[int] | np.ndarray) -> torch.Tensor:
        """Renumber the rows for `survivors` (ascending ids, all alive); return the old rows they held."""
        survivors = np.asarray(survivors, dtype=np.int32)
        where = np.searchsorted(self._ids, survivors)
        if (where >= len(self._ids)).any() or not np.array_equal(self._ids[np.minimum(where, len(self._ids) - 1)], survivors):
            raise RuntimeError(f"survivors {survivors.tolist()} are not all alive rows {self._ids.tolist()}")
        self._ids = survivors.copy()
        return torch.as_tensor(where, dtype=torch.long)


def block_rows(rows: torch.Tensor, n: int, blocks: int) -> torch.Tensor:
    """Rows `rows` of each of `blocks` consecutive blocks of n rows (the GUIDED layout)."""
    if blocks == 1:
        return rows
    return torch.cat([rows + b * n for b in range(blocks)])


def layout_blocks(layout: str, guided: bool) -> int:
    """Rows per candidate: 2 for GUIDED and PAIRED under guidance, else 1."""
    return 2 if (layout in (GUIDED, PAIRED) and guided) else 1


def blocks_of(tensor: torch.Tensor, n: int, layout: str, guided: bool, what: str) -> int:
    """How many rows per candidate `tensor` (n candidates in `layout`) has; TableMismatchError if its
    batch size is not that."""
    blocks = layout_blocks(layout, guided)
    if tensor.ndim == 0 or tensor.shape[0] != blocks * n:
        shape = tuple(tensor.shape)
        how = {GUIDED: "an unconditional and a conditional block",
               PAIRED: "an unconditional and a conditional row per candidate"}.get(layout, "")
        expected = f"{blocks} x {n} rows ({how if blocks == 2 else 'one per candidate'})"
        raise TableMismatchError(f"{what} has shape {shape}; the table expects {expected} in dimension 0")
    return blocks


def held_rows(rows: torch.Tensor, n: int, layout: str, blocks: int) -> torch.Tensor:
    """The rows of a tensor in `layout` (n candidates, `blocks` rows each) that belong to the
    candidates of `rows`, in the layout's own order (a slice keeps the layout).

    >>> held_rows(torch.tensor([0, 2]), 3, PAIRED, 2).tolist(), held_rows(torch.tensor([0, 2]), 3, GUIDED, 2).tolist()
    ([0, 1, 4, 5], [0, 2, 3, 5])
    """
    if layout == PAIRED and blocks == 2:
        return (2 * rows[:, None] + torch.arange(2, device=rows.device)).flatten()
    return block_rows(rows, n, blocks)


def model_rows(rows: torch.Tensor, n: int, layout: str, blocks: int) -> torch.Tensor:
    """The same rows in the denoiser's batch order, [unconditional rows; conditional rows].

    >>> model_rows(torch.tensor([0, 2]), 3, PAIRED, 2).tolist()
    [0, 4, 1, 5]
    """
    if layout == PAIRED and blocks == 2:
        return torch.cat([2 * rows, 2 * rows + 1])
    return block_rows(rows, n, blocks)


def select(tensor: torch.Tensor, rows: torch.Tensor, n: int, layout: str, guided: bool, what: str) -> torch.Tensor:
    """The rows of `tensor` (n candidates in `layout`) that belong to the candidates of `rows`."""
    blocks = blocks_of(tensor, n, layout, guided, what)
    return tensor.index_select(0, held_rows(rows.to(tensor.device), n, layout, blocks))
