"""Exceptions of groupinference.diffusers (no torch needed to import them)."""

from __future__ import annotations

__all__ = ["UnsupportedPipelineError", "UnsupportedSchedulerError", "ScorerOutputError", "TableMismatchError"]


class UnsupportedPipelineError(TypeError):
    """The pipeline (or one of its settings or call arguments) is not supported; the message
    names it and what is supported."""


class UnsupportedSchedulerError(TypeError):
    """The pipeline's scheduler (or its configuration) is not supported; the message names it
    and the supported ones."""


class ScorerOutputError(ValueError):
    """A scorer returned something of the wrong type, shape or with non-finite values; the
    message names the scorer, what it returned and what was expected."""


class TableMismatchError(RuntimeError):
    """The installed diffusers does not match the table of what is sliced for this pipeline or
    scheduler (a tensor, argument or attribute is missing or has an unexpected batch size); the
    message names it."""
