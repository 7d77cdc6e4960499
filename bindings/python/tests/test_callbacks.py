"""Python callbacks: arguments, result conversion, exceptions, lifetimes."""

from __future__ import annotations

import gc
import os
import signal
import traceback
from typing import Any

import numpy as np
import pytest

import groupinference as gi
from groupinference import _callbacks, _kinds

from conftest import FlakyScorer, Host


def notes(error: BaseException) -> list[str]:
    return list(getattr(error, "__notes__", []))


# -- what the callbacks receive ---------------------------------------------------


def test_ids_are_read_only_int32_copies(host: Host) -> None:
    kept: list[np.ndarray] = []

    def score(step: int, ids: np.ndarray) -> np.ndarray:
        assert ids.dtype == np.int32 and ids.ndim == 1 and not ids.flags.writeable
        assert ids.tolist() == sorted(ids.tolist())
        with pytest.raises(ValueError):
            ids[0] = 99
        kept.append(ids)
        return host.quality[ids]

    with gi.Session(num_candidates=16, group_size=3, num_steps=4) as s:
        s.add_unary_scorer("q", score)
        s.set_denoiser(host.denoise)
        s.run()
        records = s.records()
    # Kept after the C buffers are gone: still the ids of each scoring.
    assert [k.tolist() for k in kept] == [rec.ids.tolist() for rec in records]


def test_steps_passed_to_callbacks(host: Host) -> None:
    with host.session() as s:
        s.prune(12)
        s.run()
    scored = [step for kind, step, _ in host.calls if kind == "score"]
    denoised = [step for kind, step, _ in host.calls if kind == "denoise"]
    # 16 -> 12 (prune) -> 6 -> 3; step 2 keeps all 3, so nothing is scored until the last step
    assert scored == [-1, 0, 1, 3] and denoised == [0, 1, 2, 3]


@pytest.mark.parametrize(
    "convert",
    [
        lambda a: a.astype(np.float32),
        lambda a: a.tolist(),
        lambda a: np.repeat(a, 2)[::2],  # non-contiguous
        lambda a: (a * 1000).astype(np.int64),  # integers are real numbers
        lambda a: np.asfortranarray(a),
    ],
    ids=["float32", "list", "strided", "int64", "fortran"],
)
def test_unary_results_are_converted(host: Host, convert: Any) -> None:
    with gi.Session(num_candidates=16, group_size=3, num_steps=2) as s:
        s.add_unary_scorer("q", lambda step, ids: convert(host.quality[ids]))
        s.set_denoiser(host.denoise)
        s.run()
        got = s.result().unary
        ids = s.result().ids
    np.testing.assert_allclose(got, np.asarray(convert(host.quality[ids]), dtype=float), rtol=1e-7)


@pytest.mark.parametrize(
    "convert",
    [
        lambda e: e.astype(np.float64),
        lambda e: np.asfortranarray(e),
        lambda e: np.ascontiguousarray(e.T).T,  # transposed view: not C-contiguous
        lambda e: e.tolist(),
    ],
    ids=["float64", "fortran", "transposed", "list"],
)
def test_embedding_results_are_converted(host: Host, convert: Any) -> None:
    reference = None
    for embed in (host.embed, lambda step, ids: convert(host.embed(step, ids))):
        with gi.Session(num_candidates=16, group_size=3, num_steps=2) as s:
            s.add_unary_scorer("q", host.score)
            s.add_embedding_scorer("e", embed, dim=host.dim)
            s.set_denoiser(host.denoise)
            s.run()
            r = s.result()
        if reference is None:
            reference = r
        else:
            assert r.ids.tolist() == reference.ids.tolist()
            np.testing.assert_allclose(r.pairwise, reference.pairwise, atol=1e-6)


def test_pairwise_results_are_converted(host: Host) -> None:
    with gi.Session(num_candidates=16, group_size=3, num_steps=2) as s:
        s.add_unary_scorer("q", host.score)
        s.add_pairwise_scorer("d", lambda step, ids: np.asfortranarray(host.differ(step, ids)).astype(np.float32))
        s.set_denoiser(host.denoise)
        s.run()
        r = s.result()
    np.testing.assert_allclose(r.pairwise, host.differ(0, r.ids), rtol=1e-6)


def test_denoiser_return_value_is_ignored(host: Host) -> None:
    with gi.Session(num_candidates=8, group_size=2, num_steps=2) as s:
        s.add_unary_scorer("q", host.score)
        s.set_denoiser(lambda step, ids: "anything")
        s.run()
        assert s.progress.done


# -- wrong results from a scorer ------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "result", "error", "words"),
    [
        ("unary", lambda ids: np.zeros(len(ids) + 1), ValueError,
         "unary scorer 'bad' at step 0 returned shape (17,); expected (16,) (one score per id)"),
        ("unary", lambda ids: np.zeros((len(ids), 1)), ValueError, "returned shape (16, 1); expected (16,)"),
        ("unary", lambda ids: None, TypeError, "unary scorer 'bad' at step 0 returned None; expected real numbers"),
        ("unary", lambda ids: ["a"] * len(ids), TypeError, "returned dtype <U1"),
        ("unary", lambda ids: np.zeros(len(ids), dtype=complex), TypeError, "returned dtype complex128"),
        ("unary", lambda ids: np.zeros(len(ids), dtype=bool), TypeError, "returned dtype bool"),
        ("unary", lambda ids: [[1.0], [1.0, 2.0]], TypeError, "which is not an array"),
        ("embedding", lambda ids: np.ones((len(ids), 5)), ValueError,
         "embedding scorer 'bad' at step 0 returned shape (16, 5); expected (16, 4) (one row of 4 values per id)"),
        ("embedding", lambda ids: np.ones(len(ids) * 4), ValueError, "returned shape (64,); expected (16, 4)"),
        ("pairwise", lambda ids: np.ones((len(ids), len(ids) - 1)), ValueError,
         "pairwise scorer 'bad' at step 0 returned shape (16, 15); expected (16, 16)"),
    ],
)
def test_wrong_results_raise_from_run(host: Host, kind: str, result: Any, error: type[Exception], words: str) -> None:
    with gi.Session(num_candidates=16, group_size=3, num_steps=3) as s:
        s.add_unary_scorer("q", host.score)
        fn = lambda step, ids: result(ids)  # noqa: E731
        if kind == "unary":
            s.add_unary_scorer("bad", fn)
        elif kind == "embedding":
            s.add_embedding_scorer("bad", fn, dim=4)
        else:
            s.add_pairwise_scorer("bad", fn)
        s.set_denoiser(host.denoise)
        with pytest.raises(error) as caught:
            s.run()
        assert words in str(caught.value)
        assert any("scorer 'bad' returned 1 at step 0" in n and "GI_ERR_CALLBACK" in n for n in notes(caught.value))
        assert s.progress.retry_pending  # the step was counted; the scoring will be retried
        assert s.progress.steps_done == 1


def test_non_finite_and_zero_results_are_the_librarys_to_refuse(host: Host) -> None:
    with gi.Session(num_candidates=8, group_size=2, num_steps=2) as s:
        s.add_unary_scorer("q", lambda step, ids: np.where(ids == 5, np.nan, 1.0))
        s.set_denoiser(host.denoise)
        with pytest.raises(gi.ScoresError, match="candidate 5"):
            s.step()
    with gi.Session(num_candidates=8, group_size=2, num_steps=2) as s:
        s.add_unary_scorer("q", host.score)
        s.add_embedding_scorer("e", lambda step, ids: np.zeros((len(ids), 3)), dim=3)
        s.set_denoiser(host.denoise)
        with pytest.raises(gi.ScoresError, match="zero"):
            s.step()
    with gi.Session(num_candidates=8, group_size=2, num_steps=2) as s:
        s.add_unary_scorer("q", host.score)
        s.add_embedding_scorer("e", lambda step, ids: np.full((len(ids), 3), 1e300), dim=3)  # inf in float32
        s.set_denoiser(host.denoise)
        with pytest.raises(gi.ScoresError), np.errstate(over="ignore"):
            s.step()


# -- exceptions in callbacks --------------------------------------------------------------


class Boom(Exception):
    pass


def test_scorer_exception_is_reraised_with_its_traceback(host: Host) -> None:
    score = FlakyScorer(host, 1, Boom("scorer exploded"))
    with gi.Session(num_candidates=16, group_size=3, num_steps=4) as s:
        s.add_unary_scorer("quality", score)
        s.set_denoiser(host.denoise)
        with pytest.raises(Boom, match="scorer exploded") as caught:
            s.run()
        frames = [frame.name for frame in traceback.extract_tb(caught.value.__traceback__)]
        assert "__call__" in frames and "run" in frames  # raised where it happened, re-raised from run()
        assert notes(caught.value) == [
            "groupinference: gi_run: scorer 'quality' returned 1 at step 1 [GI_ERR_CALLBACK]"
        ]
        p = s.progress
        assert p.retry_pending and p.steps_done == 2 and not p.done
        score.failing = False
        s.run()  # retries the scoring, then continues
        assert s.progress.done and len(s.result().ids) == 3


def test_exception_context_is_kept(host: Host) -> None:
    def score(step: int, ids: np.ndarray) -> np.ndarray:
        try:
            {}["missing"]
        except KeyError:
            raise Boom("while handling") from None
        return host.quality[ids]

    def denoise(step: int, ids: np.ndarray) -> None:
        try:
            1 / 0
        except ZeroDivisionError as error:
            raise Boom("chained") from error

    with gi.Session(num_candidates=8, group_size=2, num_steps=2) as s:
        s.add_unary_scorer("q", score)
        with pytest.raises(Boom) as caught:
            s.prune(4)
        assert caught.value.__suppress_context__
        s.set_denoiser(denoise)
        with pytest.raises(Boom) as caught:
            s.step()
        assert isinstance(caught.value.__cause__, ZeroDivisionError)


def test_denoiser_exception_counts_nothing(host: Host) -> None:
    calls = {"n": 0}

    def denoise(step: int, ids: np.ndarray) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("GPU out of memory")

    with gi.Session(num_candidates=16, group_size=3, num_steps=4) as s:
        s.add_unary_scorer("q", host.score)
        s.set_denoiser(denoise)
        with pytest.raises(RuntimeError, match="GPU out of memory") as caught:
            s.run()
        assert notes(caught.value) == ["groupinference: gi_run: the denoiser returned 1 at step 2 [GI_ERR_CALLBACK]"]
        p = s.progress
        assert p.steps_done == 2 and p.evaluations == 16 + 8 and not p.retry_pending
        s.run()  # calls the denoiser for step 2 again
        assert calls["n"] == 5 and s.progress.done


def test_keyboard_interrupt_in_the_denoiser(host: Host) -> None:
    def denoise(step: int, ids: np.ndarray) -> None:
        if step == 2:
            raise KeyboardInterrupt
        host.denoise(step, ids)

    interrupted_then_resumed(host, denoise, step=2, resume_with=host.denoise)


def interrupted_then_resumed(host: Host, denoise: Any, step: int, resume_with: Any = None) -> None:
    """run() raises the KeyboardInterrupt `denoise` raises at `step`; the next run() completes."""
    with gi.Session(num_candidates=16, group_size=3, num_steps=4) as s:
        s.add_unary_scorer("q", host.score)
        s.set_denoiser(denoise)
        with pytest.raises(KeyboardInterrupt) as caught:
            s.run()
        assert notes(caught.value) == [
            f"groupinference: gi_run: the denoiser returned 1 at step {step} [GI_ERR_CALLBACK]"
        ]
        assert s.progress.steps_done == step and not s.progress.done
        if resume_with is not None:
            s.set_denoiser(resume_with)
        s.run()
        assert s.progress.done


@pytest.mark.skipif(not hasattr(signal, "SIGINT"), reason="needs SIGINT")
def test_real_sigint_during_run(host: Host) -> None:
    """Ctrl-C while the library runs Python code: the interrupt surfaces from run()."""
    sent = []

    def denoise(step: int, ids: np.ndarray) -> None:
        if step == 1 and not sent:  # once: the retried step must go through
            sent.append(step)
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(1000):  # the handler runs at the next bytecode boundary
                pass
        host.denoise(step, ids)

    interrupted_then_resumed(host, denoise, step=1)
    assert sent == [1]


def test_system_exit_in_a_scorer(host: Host) -> None:
    with gi.Session(num_candidates=8, group_size=2, num_steps=2) as s:
        s.add_unary_scorer("q", lambda step, ids: (_ for _ in ()).throw(SystemExit(3)))
        s.set_denoiser(host.denoise)
        with pytest.raises(SystemExit) as caught:
            s.step()
        assert caught.value.code == 3


def test_reentrant_calls_are_refused_not_fatal(host: Host) -> None:
    seen: list[BaseException] = []
    with gi.Session(num_candidates=8, group_size=2, num_steps=2) as s:

        def score(step: int, ids: np.ndarray) -> np.ndarray:
            for call in (s.step, lambda: s.progress, lambda: s.survivors, lambda: s.prune(4)):
                try:
                    call()
                except gi.StateError as error:
                    seen.append(error)
            return host.quality[ids]

        s.add_unary_scorer("q", score)
        s.set_denoiser(host.denoise)
        s.run()
        assert s.progress.done
    assert len(seen) == 8 and all("already in a call" in str(e) for e in seen)


def test_unhandled_reentrant_call_surfaces_as_state_error(host: Host) -> None:
    with gi.Session(num_candidates=8, group_size=2, num_steps=2) as s:
        s.add_unary_scorer("q", lambda step, ids: (s.run(), host.quality[ids])[1])
        s.set_denoiser(host.denoise)
        with pytest.raises(gi.StateError, match="gi_run: the session is already in a call") as caught:
            s.step()
        assert any("gi_step: scorer 'q' returned 1" in n for n in notes(caught.value))


# -- lifetimes: destroy hooks release every context -----------------------------------------


def test_destroy_hooks_release_contexts(host: Host) -> None:
    baseline = _callbacks.live_contexts()
    s = host.session()
    assert _callbacks.live_contexts() == baseline + 3
    s.set_denoiser(host.denoise)  # replaced: the old one's hook ran at once
    assert _callbacks.live_contexts() == baseline + 3
    s.set_denoiser(None)
    assert _callbacks.live_contexts() == baseline + 2
    with pytest.raises(gi.ArgumentError):
        s.add_unary_scorer("quality", host.score)  # duplicate: the library released it at once
    assert _callbacks.live_contexts() == baseline + 2
    s.add_pairwise_scorer("pushed", None)  # no callback, no context
    assert _callbacks.live_contexts() == baseline + 2
    s.close()
    assert _callbacks.live_contexts() == baseline
    assert s._contexts == {}


def test_a_session_referenced_by_its_callbacks_is_collected(host: Host) -> None:
    baseline = _callbacks.live_contexts()

    class Generator:
        def __init__(self) -> None:
            self.session = gi.Session(num_candidates=8, group_size=2, num_steps=2)
            self.session.add_unary_scorer("q", self.score)  # cycle: session -> context -> self -> session
            self.session.set_denoiser(self.denoise)

        def score(self, step: int, ids: np.ndarray) -> np.ndarray:
            return host.quality[ids]

        def denoise(self, step: int, ids: np.ndarray) -> None:
            pass

    g = Generator()
    g.session.run()
    assert _callbacks.live_contexts() == baseline + 2
    del g
    gc.collect()
    assert _callbacks.live_contexts() == baseline


def test_closing_the_session_from_its_own_callback(host: Host) -> None:
    baseline = _callbacks.live_contexts()
    with gi.Session(num_candidates=8, group_size=2, num_steps=3) as s:
        s.add_unary_scorer("q", host.score)

        def denoise(step: int, ids: np.ndarray) -> None:
            if step == 1:
                s.close()

        s.set_denoiser(denoise)
        s.run()  # the library finishes the call it was in; the handle is gone afterwards
        assert s.closed
        with pytest.raises(gi.HandleError, match="closed"):
            s.step()
    assert _callbacks.live_contexts() == baseline


def test_ids_array_is_reused_only_while_nothing_else_refers_to_it() -> None:
    first, second = np.arange(5, dtype=np.int32), np.arange(10, 15, dtype=np.int32)
    copies = _callbacks.IdsCopies()
    ids = copies.take(first.ctypes.data, 5)
    assert ids.tolist() == [0, 1, 2, 3, 4] and not ids.flags.writeable
    address = ids.ctypes.data
    del ids
    assert copies.take(second.ctypes.data, 5).ctypes.data == address  # nobody kept it: reused
    kept = copies.take(first.ctypes.data, 5)
    tail = kept[2:]  # a view of it: refers to the array the binding writes into
    del kept
    again = copies.take(second.ctypes.data, 5)
    assert tail.tolist() == [2, 3, 4]  # not overwritten: the binding used a new array
    assert again.tolist() == [10, 11, 12, 13, 14]
    assert copies.take(first.ctypes.data, 3).tolist() == [0, 1, 2]


def test_cached_views_follow_the_address_and_count_they_were_made_for() -> None:
    # The trampoline body on its own (ctypes would wrap it: here it is called directly), with the
    # library's buffers played by numpy arrays: moving the ids or the output, or changing the
    # count, must never write to or read from the old place.
    kind = _kinds.SCORER_KINDS["pairwise"]
    call = _callbacks.trampoline(lambda fn: fn, kind.expected)
    seen: list[list[int]] = []

    def score(step: int, ids: np.ndarray) -> np.ndarray:
        seen.append(ids.tolist())
        return np.add.outer(ids, ids).astype(np.float64) * (step + 1)

    context = _callbacks.Context("pairwise", "m", score, _callbacks.ExceptionSlot(), {},
                                 out=_callbacks.OutputView(kind.expected.dtype, kind.expected.shape, 0))
    user = _callbacks.register(context)
    ids_a, ids_b = np.arange(4, dtype=np.int32), np.arange(10, 14, dtype=np.int32)
    out_a, out_b = np.zeros((4, 4)), np.zeros((4, 4))
    for step, (ids, out) in enumerate([(ids_a, out_a), (ids_b, out_a), (ids_b, out_b), (ids_a, out_b)]):
        before = (out_a.copy(), out_b.copy())
        assert call(user, step, ids.ctypes.data, 4, out.ctypes.data) == 0
        assert seen[-1] == ids.tolist()
        np.testing.assert_array_equal(out, np.add.outer(ids, ids) * (step + 1))
        other, kept = (out_b, before[1]) if out is out_a else (out_a, before[0])
        np.testing.assert_array_equal(other, kept)  # the other buffer untouched
    # The same addresses as the last call with fewer ids (after a prune): new views, 3 x 3 at the start.
    rest = out_b.ravel()[9:].copy()
    assert call(user, 9, ids_a.ctypes.data, 3, out_b.ctypes.data) == 0
    assert seen[-1] == [0, 1, 2]
    np.testing.assert_array_equal(out_b.ravel()[:9], (np.add.outer(ids_a[:3], ids_a[:3]) * 10).ravel())
    np.testing.assert_array_equal(out_b.ravel()[9:], rest)
    _callbacks._destroy(user)  # what the library's destroy hook does
    assert not context.owner
