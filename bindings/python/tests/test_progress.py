"""run(progress=...): the progress hook, cancelling and resuming (gi_set_progress, since 0.3)."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import groupinference as gi
from groupinference import _callbacks

from conftest import Host


def finished(host: Host, **options: object) -> gi.Result:
    with host.session(**options) as s:  # type: ignore[arg-type]
        s.run()
        return s.result()


def test_the_function_sees_every_step(host: Host) -> None:
    seen: list[gi.Progress] = []
    with host.session(num_steps=5) as s:
        s.run(progress=seen.append)  # returns None: go on
        assert s.progress.done
    assert [p.steps_done for p in seen] == [1, 2, 3, 4, 5]
    assert [p.done for p in seen] == [False] * 4 + [True]
    assert all(p.last_step_seconds > 0 for p in seen)
    assert seen[0].last_solve_status == "optimal"  # step 0 pruned 16 -> 8 with the exact solver (auto)
    assert seen[-1].last_solve_status == "none"  # the last scoring had K = 3 left: nothing to choose
    assert seen[-1].objective is not None and seen[0].objective is None
    assert seen[0].discarded == 0 and seen[0].last_seconds_scoring > 0


def test_cancel_then_resume_with_run_or_step(host: Host) -> None:
    reference = finished(Host())
    for resume in ("run", "step"):
        h = Host()
        with h.session() as s:
            with pytest.raises(gi.Cancelled) as caught:
                s.run(progress=lambda p: p.steps_done == 2)
            assert isinstance(caught.value, gi.GroupInferenceError) and caught.value.status == "GI_ERR_CANCELLED"
            p = s.progress
            assert p.steps_done == 2 and not p.done and not p.retry_pending
            if resume == "run":
                s.run()
            else:
                while not s.progress.done:
                    s.step()
            r = s.result()
        # Nothing was lost or repeated: the same group, evaluations and denoiser calls as an uninterrupted run.
        assert r.ids.tolist() == reference.ids.tolist() and r.objective == reference.objective
        assert r.evaluations == reference.evaluations
        assert h.denoised.sum() == r.evaluations


def test_the_last_step_completes_the_run_whatever_the_function_returns(host: Host) -> None:
    with host.session(num_steps=1) as s:
        s.run(progress=lambda p: True)
        assert s.progress.done


class Stop(Exception):
    pass


def test_an_exception_in_the_function_stops_the_run_and_is_reraised(host: Host) -> None:
    def progress(p: gi.Progress) -> None:
        if p.steps_done == 1:
            raise Stop("from the progress function")

    with host.session() as s:
        with pytest.raises(Stop, match="from the progress function") as caught:
            s.run(progress=progress)
        assert any("GI_ERR_CANCELLED" in note for note in getattr(caught.value, "__notes__", []))
        assert s.progress.steps_done == 1
        s.run(progress=progress)  # steps_done is never 1 again
        assert s.progress.done


def test_keyboard_interrupt_in_the_function(host: Host) -> None:
    def progress(p: gi.Progress) -> None:
        raise KeyboardInterrupt

    with host.session() as s:
        with pytest.raises(KeyboardInterrupt):
            s.run(progress=progress)
        assert s.progress.steps_done == 1
        s.run()
        assert s.progress.done


def test_the_function_must_not_call_into_the_session(host: Host) -> None:
    with host.session() as s:
        with pytest.raises(gi.StateError, match="already in a call"):
            s.run(progress=lambda p: s.survivors)
        assert s.progress.steps_done == 1


def test_the_hook_is_released_after_every_run(host: Host) -> None:
    baseline = _callbacks.live_contexts()
    with host.session() as s:
        with_callbacks = _callbacks.live_contexts()
        with pytest.raises(gi.Cancelled):
            s.run(progress=lambda p: True)
        assert _callbacks.live_contexts() == with_callbacks
        s.run(progress=lambda p: None)
        assert _callbacks.live_contexts() == with_callbacks
    assert _callbacks.live_contexts() == baseline


def test_progress_true_draws_a_tqdm_bar(host: Host, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("tqdm")
    with host.session(num_steps=4) as s:
        s.run(progress=True)
        assert s.progress.done
    err = capsys.readouterr().err
    assert "group inference" in err and "4/4" in err and "alive=3" in err


def test_progress_true_without_tqdm_fails_before_any_step(host: Host, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tqdm", None)  # import tqdm now raises ImportError
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    with host.session() as s:
        with pytest.raises(ImportError, match="pip install tqdm"):
            s.run(progress=True)
        assert s.progress.steps_done == 0 and host.calls == []


@pytest.mark.parametrize("progress", ["yes", 1, np.True_])
def test_progress_must_be_a_bool_or_a_function(host: Host, progress: object) -> None:
    with host.session() as s:
        with pytest.raises(TypeError, match="progress must be True, False, None or a function"):
            s.run(progress=progress)  # type: ignore[arg-type]
        assert s.progress.steps_done == 0


def test_progress_false_is_no_hook(host: Host) -> None:
    with host.session() as s:
        s.run(progress=False)
        assert s.progress.done
