"""The examples in the docstrings run and print what they say."""

from __future__ import annotations

import doctest

import groupinference
import groupinference.calibration
import groupinference.session


def test_docstring_examples() -> None:
    for module in (groupinference, groupinference.session, groupinference.calibration):
        failed, attempted = doctest.testmod(module)
        assert attempted > 0 and failed == 0, module.__name__
