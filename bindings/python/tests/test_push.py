"""Host-driven loops: pushed scores and embeddings instead of callbacks."""

from __future__ import annotations

import numpy as np
import pytest

import groupinference as gi

from conftest import Host


def pushed_session(host: Host, **options: object) -> tuple[gi.Session, int, int, int]:
    s = gi.Session(num_candidates=host.m, group_size=3, num_steps=4, lam=0.5, **options)  # type: ignore[arg-type]
    q = s.add_unary_scorer("quality", None)
    e = s.add_embedding_scorer("looks", None, dim=host.dim)
    p = s.add_pairwise_scorer("differ", None, weight=0.25)
    return s, q, e, p


def drive(host: Host, s: gi.Session, q: int, e: int, p: int) -> None:
    while not s.progress.done:
        ids = s.survivors
        host.denoise(s.progress.steps_done, ids)
        if s.progress.scores_needed:
            half = len(ids) // 2
            s.push_unary(q, ids[:half], host.quality[ids[:half]])  # in two batches
            s.push_unary(q, ids[half:], host.quality[ids[half:]])
            s.push_embeddings(e, ids, host.looks[ids])
            s.push_pairwise(p, ids, host.differ(0, ids))
        s.step()


def test_pushed_loop_matches_the_callback_loop(host: Host) -> None:
    s, q, e, p = pushed_session(host)
    with s:
        drive(host, s, q, e, p)
        pushed = s.result()
    with gi.Session(num_candidates=host.m, group_size=3, num_steps=4, lam=0.5) as c:
        c.add_unary_scorer("quality", host.score)
        c.add_embedding_scorer("looks", host.embed, dim=host.dim)
        c.add_pairwise_scorer("differ", host.differ, weight=0.25)
        c.set_denoiser(host.denoise)
        c.run()
        called = c.result()
    assert pushed.ids.tolist() == called.ids.tolist()
    assert pushed.objective == called.objective
    np.testing.assert_array_equal(pushed.pairwise, called.pairwise)
    assert [r.ids.tolist() for r in pushed.records] == [r.ids.tolist() for r in called.records]
    assert set(pushed.records[0].scorer_values) == {"quality", "looks", "differ"}


def test_push_inputs_are_converted(host: Host) -> None:
    s, q, e, p = pushed_session(host)
    with s:
        ids = s.survivors
        s.push_unary(q, ids.astype(np.int64).tolist(), host.quality[ids].astype(np.float32))
        s.push_embeddings(e, ids[::-1].copy()[::-1], np.asfortranarray(host.looks[ids].astype(np.float64)))
        big = np.zeros((2 * len(ids), 2 * len(ids)))
        big[::2, ::2] = host.differ(0, ids)
        s.push_pairwise(p, ids, big[::2, ::2])  # a strided view
        s.step()
        rec = s.records()[0]
    np.testing.assert_allclose(rec.scorer_values["quality"], host.quality[ids].astype(np.float32), rtol=1e-7)


def test_missing_and_stale_pushes(host: Host) -> None:
    s, q, e, p = pushed_session(host)
    with s:
        with pytest.raises(gi.ScoresError, match="scorer 'quality' has no pushed value"):
            s.step()
        ids = s.survivors
        s.push_unary(q, ids, host.quality[ids])
        s.push_embeddings(e, ids, host.looks[ids])
        s.push_pairwise(p, ids, host.differ(0, ids))
        s.step()
        ids = s.survivors
        s.push_unary(q, ids, host.quality[ids])
        s.push_embeddings(e, ids, host.looks[ids])
        with pytest.raises(gi.ScoresError, match="no pushed"):  # the pairwise push of step 0 is stale
            s.step()


@pytest.mark.parametrize(
    ("push", "error", "words"),
    [
        (lambda s, ids, h: s.push_unary(0, ids, h.quality[ids][:-1]), ValueError,
         "scores has shape (15,), expected (16,) (one score per id)"),
        (lambda s, ids, h: s.push_unary(0, ids, h.quality[ids].astype(complex)), TypeError,
         "scores must hold real numbers"),
        (lambda s, ids, h: s.push_unary(0, ids.astype(float), h.quality[ids]), TypeError,
         "ids must hold integers, not float64"),
        (lambda s, ids, h: s.push_unary(0, ids.reshape(4, 4), h.quality[ids]), ValueError, "ids must be 1-D"),
        (lambda s, ids, h: s.push_unary(0, ids.astype(np.int64) + 2**40, h.quality[ids]), ValueError,
         "ids holds values outside the int32 range"),
        (lambda s, ids, h: s.push_unary(2**40, ids, h.quality[ids]), ValueError, "scorer_id"),
        (lambda s, ids, h: s.push_embeddings(1, ids, h.looks[ids][:, :3]), ValueError,
         "embeddings has shape (16, 3), expected (16, 4)"),
        (lambda s, ids, h: s.push_embeddings(1, ids, h.looks[ids].ravel()), ValueError, "expected (16, 4)"),
        (lambda s, ids, h: s.push_pairwise(2, ids, np.zeros((16, 15))), ValueError,
         "matrix has shape (16, 15), expected (16, 16)"),
        # The library's own checks.
        (lambda s, ids, h: s.push_unary(0, [], []), gi.ArgumentError, "n = 0"),
        (lambda s, ids, h: s.push_unary(99, ids, h.quality[ids]), gi.ArgumentError, "scorer id 99"),
        (lambda s, ids, h: s.push_unary(1, ids, h.quality[ids]), gi.ArgumentError, "not unary"),
        (lambda s, ids, h: s.push_unary(3, ids, h.quality[ids]), gi.ArgumentError, "has a callback"),
        (lambda s, ids, h: s.push_unary(0, [1, 1], [0.5, 0.5]), gi.ArgumentError, "twice"),
        (lambda s, ids, h: s.push_unary(0, [16], [0.5]), gi.ArgumentError, "16"),
        (lambda s, ids, h: s.push_unary(0, [2], [float("nan")]), gi.ScoresError, "not finite"),
        (lambda s, ids, h: s.push_embeddings(0, ids, h.looks[ids]), gi.ArgumentError, "is a unary scorer, not embedding"),
        (lambda s, ids, h: s.push_embeddings(1, [3], np.zeros((1, 4))), gi.ScoresError, "zero norm"),
        (lambda s, ids, h: s.push_pairwise(2, [1, 2], [[0, np.inf], [np.inf, 0]]), gi.ScoresError, "finite"),
    ],
)
def test_bad_pushes(host: Host, push: object, error: type[Exception], words: str) -> None:
    s, q, e, p = pushed_session(host)
    with s:
        s.add_unary_scorer("with callback", host.score)
        with pytest.raises(error) as caught:
            push(s, s.survivors, host)  # type: ignore[operator]
        assert words in str(caught.value)


def test_pushes_for_pruned_candidates_and_after_the_end(host: Host) -> None:
    with gi.Session(num_candidates=8, group_size=2, num_steps=2) as s:
        q = s.add_unary_scorer("q", None)
        s.push_unary(q, range(8), host.quality[:8])
        s.step()
        alive = set(s.survivors.tolist())
        pruned = next(i for i in range(8) if i not in alive)
        with pytest.raises(gi.ArgumentError, match="was pruned"):
            s.push_unary(q, [pruned], [1.0])
        ids = s.survivors
        s.push_unary(q, ids, host.quality[ids])
        s.step()
        assert s.progress.done
        with pytest.raises(gi.StateError, match="done"):
            s.push_unary(q, ids[:1], [1.0])
