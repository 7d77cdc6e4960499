"""Batch layouts of per-candidate tensors (see _rows)."""

CANDIDATES = "candidates"
"""One row per alive candidate."""
GUIDED = "guided"
"""Under classifier-free guidance two blocks, [unconditional rows; conditional rows]; else one."""
