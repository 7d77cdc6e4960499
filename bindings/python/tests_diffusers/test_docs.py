"""The doctests of the public modules run."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["groupinference.diffusers", "groupinference.diffusers.presets", "groupinference.diffusers._rows",
           "groupinference.diffusers._chunks", "groupinference.diffusers.callback", "groupinference.diffusers.generate",
           "groupinference.diffusers.tiny"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
