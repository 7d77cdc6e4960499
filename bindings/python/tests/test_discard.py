"""Session.discard: candidates removed without scoring (gi_discard, since 0.3)."""

from __future__ import annotations

import numpy as np
import pytest

import groupinference as gi

from conftest import FlakyScorer, Host


def test_discard_between_steps_shrinks_the_survivors_and_is_recorded(host: Host) -> None:
    with host.session(num_steps=4) as s:
        s.step()  # 16 -> 8
        before = s.survivors.tolist()
        evaluations = s.progress.evaluations
        gone = [before[0], before[3]]
        s.discard(np.array(gone[::-1], dtype=np.int64))  # any order and integer dtype
        p = s.progress
        assert s.survivors.tolist() == [i for i in before if i not in gone]
        assert (p.alive, p.discarded, p.evaluations) == (6, 2, evaluations)  # spent evaluations stay counted
        record = s.records()[-1]
        assert record.discarded == 2 and record.step == 0
        assert record.ids.tolist() == sorted(gone) and record.kept.tolist() == s.survivors.tolist()
        assert record.solve_status == "none" and record.objective is None and record.bound_kind == "none"
        assert all(len(v) == 0 for v in record.scorer_values.values()) and len(record.unary) == 0
        assert "discarded=" in repr(record)
        host.calls.clear()
        s.run()
        assert s.progress.done
        # The schedule continued from the smaller set; nobody saw the discarded ids again.
        assert not any(set(gone) & set(ids) for _, _, ids in host.calls)
        assert not set(gone) & set(s.result().ids.tolist())


def test_discard_before_the_first_step(host: Host) -> None:
    with host.session() as s:
        s.discard(range(10))
        assert s.survivors.tolist() == list(range(10, 16)) and s.progress.discarded == 10
        s.run()
        assert set(s.result().ids.tolist()) <= set(range(10, 16))
        assert s.progress.naive_evaluations == 16 * 4


def test_discard_while_a_retry_is_pending(host: Host) -> None:
    score = FlakyScorer(host, 0, RuntimeError("worker lost"))
    with gi.Session(num_candidates=16, group_size=3, num_steps=4) as s:
        s.add_unary_scorer("q", score)
        s.set_denoiser(host.denoise)
        with pytest.raises(RuntimeError, match="worker lost"):
            s.step()
        assert s.progress.retry_pending
        s.discard([1, 2, 3])
        score.failing = False
        s.run()  # the retry scores the 13 others
        first_scoring = next(r for r in s.records() if not r.discarded)
        assert first_scoring.ids.tolist() == [i for i in range(16) if i not in (1, 2, 3)]


@pytest.mark.parametrize(
    ("ids", "error", "words"),
    [
        (list(range(14)), gi.ArgumentError, "would leave 2, fewer than K = 3"),
        ([4, 4], gi.ArgumentError, "candidate 4 appears twice"),
        ([16], gi.ArgumentError, "candidate id 16 is out of range 0..15"),
        ([-1], gi.ArgumentError, "out of range"),
        ([1.5], TypeError, "ids must hold integers"),
        ([[1, 2]], ValueError, "ids must be 1-D"),
    ],
)
def test_bad_discards_change_nothing(host: Host, ids: object, error: type[Exception], words: str) -> None:
    with host.session() as s:
        with pytest.raises(error, match=words):
            s.discard(ids)  # type: ignore[arg-type]
        assert s.survivors.tolist() == list(range(16)) and s.progress.discarded == 0 and s.records() == []


def test_discarding_a_pruned_id_or_after_the_end(host: Host) -> None:
    with host.session() as s:
        s.step()
        pruned = next(i for i in range(16) if i not in set(s.survivors.tolist()))
        with pytest.raises(gi.ArgumentError, match=f"candidate {pruned} was already pruned or discarded"):
            s.discard([pruned])
        alive = s.survivors[:1]
        s.discard(alive)
        with pytest.raises(gi.ArgumentError, match="already pruned or discarded"):
            s.discard(alive)  # discarded ids are gone as well
        s.discard([])  # nothing to do
        assert s.progress.discarded == 1
        s.run()
        with pytest.raises(gi.StateError, match="the session is done"):
            s.discard(s.result().ids[:1])


def test_discard_from_a_callback_is_refused(host: Host) -> None:
    with gi.Session(num_candidates=8, group_size=2, num_steps=2) as s:
        s.add_unary_scorer("q", lambda step, ids: (s.discard(ids[:1]), host.quality[ids])[1])
        s.set_denoiser(host.denoise)
        with pytest.raises(gi.StateError, match="gi_discard: the session is already in a call"):
            s.step()
