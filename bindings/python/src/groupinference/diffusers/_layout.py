"""Batch layouts of per-candidate tensors (see _rows)."""

CANDIDATES = "candidates"
"""One row per alive candidate."""
GUIDED = "guided"
"""Under classifier-free guidance two blocks, [unconditional rows; conditional rows]; else one."""
PAIRED = "paired"
"""Under classifier-free guidance each candidate's unconditional row followed by its conditional
row (``torch.cat([negative, positive]).repeat(n, 1)``); else one row per candidate."""
