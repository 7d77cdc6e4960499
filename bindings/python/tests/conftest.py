"""Shared helpers. Every test runs against the real libgroupinference.so that
``import groupinference`` loads (set GROUPINFERENCE_LIBRARY to choose one)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import groupinference as gi

REPO = Path(__file__).resolve().parents[3]
INSTANCES = REPO / "Tests" / "Fixtures" / "qip-instances"
SWIFT_CLI = REPO / ".build" / "release" / "groupinference-cli"


def swift_cli_is_current() -> bool:
    """The Swift CLI and the loaded library are the repository's builds of the current
    sources, so comparing their answers means something (a stale build says nothing)."""
    library = REPO / ".build" / "release" / "libgroupinference.so"
    if not SWIFT_CLI.exists() or Path(gi.library_path).resolve() != library.resolve():
        return False
    built = min(SWIFT_CLI.stat().st_mtime, library.stat().st_mtime)
    return all(source.stat().st_mtime <= built for source in (REPO / "Sources").rglob("*.swift"))


def objective(unary: Any, pairwise: Any, lam: float, selection: Any) -> float:
    """f(y) in float64, summed over i < j as the library does."""
    u, b = np.asarray(unary, dtype=float), np.asarray(pairwise, dtype=float)
    sel = [int(i) for i in selection]
    return float(sum(u[i] for i in sel) + lam * sum(b[i, j] for a, i in enumerate(sel) for j in sel[a + 1:]))


def brute_force(unary: Any, pairwise: Any, lam: float, k: int) -> float:
    n = len(unary)
    return max(objective(unary, pairwise, lam, c) for c in itertools.combinations(range(n), k))


def load_instance(name: str) -> dict[str, Any]:
    return json.loads((INSTANCES / f"{name}.json").read_text())


class Host:
    """A toy generator: fixed quality and looks per candidate, a denoiser that counts."""

    def __init__(self, m: int = 16, dim: int = 4, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        self.m, self.dim = m, dim
        self.quality = rng.uniform(0.1, 0.9, size=m)
        self.looks = rng.normal(size=(m, dim)).astype(np.float32)
        self.denoised = np.zeros(m, dtype=int)
        self.calls: list[tuple[str, int, list[int]]] = []

    def score(self, step: int, ids: np.ndarray) -> np.ndarray:
        self.calls.append(("score", step, ids.tolist()))
        return self.quality[ids]

    def embed(self, step: int, ids: np.ndarray) -> np.ndarray:
        return self.looks[ids]

    def differ(self, step: int, ids: np.ndarray) -> np.ndarray:
        return np.abs(ids[:, None] - ids[None, :]).astype(float) / self.m

    def denoise(self, step: int, ids: np.ndarray) -> None:
        self.calls.append(("denoise", step, ids.tolist()))
        self.denoised[ids] += 1

    def session(self, **options: Any) -> gi.Session:
        options.setdefault("num_candidates", self.m)
        options.setdefault("group_size", 3)
        options.setdefault("num_steps", 4)
        options.setdefault("lam", 0.5)
        s = gi.Session(**options)
        s.add_unary_scorer("quality", self.score)
        s.add_embedding_scorer("looks", self.embed, dim=self.dim)
        s.set_denoiser(self.denoise)
        return s


class FlakyScorer:
    """The host's quality score, except that it raises `error` at `step` while `failing` is set."""

    def __init__(self, host: Host, step: int, error: BaseException) -> None:
        self.host, self.step, self.error, self.failing = host, step, error, True

    def __call__(self, step: int, ids: np.ndarray) -> np.ndarray:
        if self.failing and step == self.step:
            raise self.error
        return self.host.quality[ids]


@pytest.fixture
def host() -> Host:
    return Host()
