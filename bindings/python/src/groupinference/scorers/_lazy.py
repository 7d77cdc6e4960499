"""Lazy imports of torch and transformers: importing groupinference.scorers needs neither."""

from __future__ import annotations

import importlib
from types import ModuleType


def require(module: str, who: str) -> ModuleType:
    """Import `module` or raise an ImportError saying what `who` needs installed."""
    return require_all(who, module)[0]


def require_all(who: str, *modules: str) -> list[ModuleType]:
    """Import every module, or name all that are missing and the pip command that installs them."""
    found, missing = [], []
    for module in modules:
        try:
            found.append(importlib.import_module(module))
        except ImportError as error:
            missing.append((module, error))
    if missing:
        names = " ".join(m for m, _ in missing)
        reasons = "; ".join(f"{m}: {e}" for m, e in missing)
        raise ImportError(f"{who} needs {' and '.join(m for m, _ in missing)}, which could not be imported "
                          f"({reasons}); install with: pip install {names}") from missing[0][1]
    return found
