"""A small session through an installed groupinference, as a user's script runs it.

    python session_check.py [--library-under DIR] [--deps-under DIR]

Runs 16 candidates -> a group of 3 over 5 steps with a unary and an embedding
scorer, checks the result against the scorers, and prints the files the
process mapped for the library, GLPK and OpenBLAS (from /proc/self/maps).
--library-under / --deps-under fail the run unless those files lie under DIR.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

import groupinference as gi


def mapped_files() -> set[str]:
    with open("/proc/self/maps") as maps:
        return {line.split(None, 5)[5].strip() for line in maps if len(line.split(None, 5)) == 6}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--library-under", type=Path)
    parser.add_argument("--deps-under", type=Path)
    args = parser.parse_args()

    rng = np.random.default_rng(7)
    quality = rng.random(16)
    looks = rng.standard_normal((16, 8)).astype(np.float32)
    denoised = np.zeros(16, dtype=int)

    def advance(step: int, ids: np.ndarray) -> None:
        denoised[ids] += 1

    with gi.Session(num_candidates=16, group_size=3, num_steps=5, lam=0.5) as s:
        s.add_unary_scorer("quality", lambda step, ids: quality[ids])
        s.add_embedding_scorer("looks", lambda step, ids: looks[ids], dim=8)
        s.set_denoiser(advance)
        s.run()
        r = s.result()
    problems = []
    if len(set(r.ids.tolist())) != 3:
        problems.append(f"group {r.ids.tolist()} is not 3 distinct ids")
    if not np.array_equal(r.unary, quality[r.ids]):
        problems.append("the group's unary scores are not the scorer's")
    if r.evaluations != int(denoised.sum()) or not np.all(denoised[r.ids] == 5):
        problems.append(f"evaluations {r.evaluations} vs denoiser calls {int(denoised.sum())}")

    files = mapped_files()
    ours = sorted(f for f in files if "libgroupinference" in f)
    # numpy's own OpenBLAS (numpy.libs/) is not the one the library links.
    deps = sorted(f for f in files if ("libglpk" in f or "libopenblas" in f) and "numpy" not in f)
    print(f"library_path: {gi.library_path}")
    print(f"mapped library: {' '.join(ours)}")
    print(f"mapped GLPK/OpenBLAS: {' '.join(deps)}")
    print(f"group: {r.ids.tolist()} objective {r.objective:.6f} evaluations {r.evaluations}")
    if len(deps) != 2 or not any("glpk" in d for d in deps):
        problems.append(f"expected one GLPK and one OpenBLAS mapped, got {deps}")
    for what, under, found in (("library", args.library_under, ours), ("GLPK/OpenBLAS", args.deps_under, deps)):
        if under is not None:
            outside = [f for f in found if not Path(f).resolve().is_relative_to(under.resolve())]
            if outside or not found:
                problems.append(f"{what} not mapped from under {under}: {found}")
    for problem in problems:
        print(f"session_check: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
