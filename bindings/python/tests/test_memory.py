"""10,000 sessions created, given callbacks, run and destroyed: RSS does not grow."""

from __future__ import annotations

import gc
import os
import time

import numpy as np

import groupinference as gi
from groupinference import _callbacks

SESSIONS = 10_000
PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE


QUALITY = np.linspace(0.1, 0.9, 8)
LOOKS = np.random.default_rng(0).normal(size=(8, 3)).astype(np.float32)


def one_session(i: int) -> None:
    with gi.Session(num_candidates=8, group_size=2, num_steps=2, lam=0.5, solver="heuristic") as s:
        s.add_unary_scorer("quality", lambda step, ids: QUALITY[ids])
        s.add_embedding_scorer("looks", lambda step, ids: LOOKS[ids], dim=3)
        s.add_pairwise_scorer("same", lambda step, ids: np.ones((len(ids), len(ids))))
        s.set_denoiser(lambda step, ids: None)
        s.set_denoiser(lambda step, ids: None)  # replaced: the first one's hook runs
        if i % 2:
            try:  # a progress hook that stops the run, then a resumed run: both hooks released
                s.run(progress=lambda p: p.steps_done == 1)
            except gi.Cancelled:
                pass
        s.run()
        r = s.result()
        assert len(r.ids) == 2 and len(r.records) == 2
    if i % 10 == 0:
        # A host-driven session with pushed values.
        with gi.Session(num_candidates=8, group_size=2, num_steps=2) as s:
            q = s.add_unary_scorer("quality", None)
            while not s.progress.done:
                ids = s.survivors
                s.push_unary(q, ids, QUALITY[ids])
                s.step()
        # A discard, and a session left to the garbage collector, after a failing callback.
        s2 = gi.Session(num_candidates=8, group_size=2, num_steps=2)
        s2.add_unary_scorer("q", lambda step, ids: QUALITY[ids])
        s2.discard([0, 1])
        s2.set_denoiser(lambda step, ids: (_ for _ in ()).throw(RuntimeError("boom")))
        try:
            s2.run()
        except RuntimeError:
            pass
        del s2


def test_no_growth_over_10000_sessions() -> None:
    baseline_contexts = _callbacks.live_contexts()
    for i in range(500):  # warm-up: allocator pools, caches, lazily created objects
        one_session(i)
    gc.collect()
    before = rss_bytes()
    start = time.perf_counter()
    for i in range(SESSIONS):
        one_session(i)
    gc.collect()
    after = rss_bytes()
    seconds = time.perf_counter() - start
    growth = after - before
    print(f"\nRSS before {before / 2**20:.1f} MiB, after {SESSIONS} sessions {after / 2**20:.1f} MiB: "
          f"growth {growth / 2**10:.0f} KiB ({growth / SESSIONS:.1f} bytes/session) in {seconds:.1f} s")
    assert _callbacks.live_contexts() == baseline_contexts
    # A leak of one context or one C session per iteration would be ~10 MiB or more here.
    assert growth < 2 * 2**20
