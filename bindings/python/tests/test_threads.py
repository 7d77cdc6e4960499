"""Sessions on several threads at once give the results of a serial run."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import groupinference as gi

from conftest import Host


def one_run(seed: int) -> tuple[list[int], float, list[list[int]], int]:
    host = Host(m=12, dim=6, seed=seed)
    solver = ["auto", "heuristic", "exact"][seed % 3]
    # Exact solves small enough to be proven well within the limit: time never decides the answer.
    with gi.Session(num_candidates=12, group_size=3, num_steps=4, lam=0.7, solver=solver, time_limit=30.0,
                    seed=seed) as s:
        s.add_unary_scorer("quality", host.score)
        s.add_embedding_scorer("looks", host.embed, dim=6)
        s.add_pairwise_scorer("differ", host.differ, weight=0.3)
        s.set_denoiser(host.denoise)
        if seed % 4 == 0:
            with pytest.raises(ValueError, match="returned shape"):
                s.add_unary_scorer("broken", lambda step, ids: np.zeros(1))
                s.run()
            return [], 0.0, [], seed
        s.run()
        r = s.result()
        return r.ids.tolist(), r.objective, [rec.kept.tolist() for rec in r.records], seed


def test_threads_match_serial() -> None:
    seeds = list(range(16))
    serial = [one_run(seed) for seed in seeds]
    with ThreadPoolExecutor(max_workers=4) as pool:
        threaded = list(pool.map(one_run, seeds))
    assert threaded == serial
    assert sum(1 for ids, *_ in serial if ids) == 12


def test_one_session_from_two_threads_is_refused() -> None:
    host = Host(m=8)
    inside, tried = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def denoise(step: int, ids: np.ndarray) -> None:
        if step == 0:
            inside.set()
            assert tried.wait(10)

    with gi.Session(num_candidates=8, group_size=2, num_steps=2) as s:
        s.add_unary_scorer("q", host.score)
        s.set_denoiser(denoise)
        runner = threading.Thread(target=s.run)
        runner.start()
        assert inside.wait(10)
        try:
            s.step()
        except gi.StateError as error:
            errors.append(error)
        tried.set()
        runner.join(10)
        assert not runner.is_alive()
        assert s.progress.done
    assert len(errors) == 1 and "two threads at once" in str(errors[0])


def test_last_error_is_per_thread() -> None:
    barrier = threading.Barrier(2)
    messages: dict[str, str] = {}

    def fail(name: str, k: int) -> None:
        barrier.wait()
        try:
            gi.solve_qip([1.0, 2.0], np.zeros((2, 2)), k, 1.0)
        except gi.ArgumentError as error:
            messages[name] = error.message

    threads = [threading.Thread(target=fail, args=(n, k)) for n, k in (("a", 0), ("b", 5))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert "k = 0" in messages["a"] and "k = 5" in messages["b"]
