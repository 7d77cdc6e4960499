"""Shared fixtures of the diffusers tests: tiny random pipelines (built from configs, saved with
save_pretrained, loaded back with from_pretrained), one per kind and scheduler per session.

Torch runs on one thread: tiny models are dominated by thread start-up otherwise (100x slower on a
busy 2-core machine), and the bit-identity checks are stated for a fixed thread count.
"""

from __future__ import annotations

import os

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("diffusers")
torch.set_num_threads(1)

from groupinference.diffusers.tiny import tiny_pipeline  # noqa: E402

_CACHE: dict[tuple[str, str | None], object] = {}


@pytest.fixture(scope="session")
def tiny(tmp_path_factory):
    """tiny(kind, scheduler=None) -> a tiny pipeline loaded with from_pretrained (cached per session)."""

    def make(kind: str, scheduler: str | None = None):
        key = (kind, scheduler)
        if key not in _CACHE:
            folder = tmp_path_factory.mktemp(f"{kind}-{scheduler or 'default'}")
            _CACHE[key] = tiny_pipeline(kind, scheduler=scheduler, path=os.fspath(folder))
        return _CACHE[key]

    return make


def pytest_configure(config):
    # diffusers 0.42's schedulers trip numpy 2's copy-keyword deprecation; not ours to fix.
    config.addinivalue_line("filterwarnings", "ignore::DeprecationWarning:diffusers.*")
    config.addinivalue_line("filterwarnings", "ignore::FutureWarning:diffusers.*")
