"""A worker that raises surfaces on the driver with its own traceback; answers that do
not fit the protocol are named; the run then refuses to go on."""
from __future__ import annotations

import pytest

from conftest import Setup, drive
from groupinference.distributed import DistributedError, Driver, LocalPool, ProtocolError, RayPool, WorkerError
from workers import SCORERS, DigitsWorker, RaisesAt, WrongRows

SETUP = Setup(m=16, k=4, steps=5)


def test_local_worker_exception_keeps_its_traceback():
    pool = LocalPool([DigitsWorker(*SETUP.worker_args()), RaisesAt(2, *SETUP.worker_args())], ["a", "b"])
    with SETUP.session() as s:
        driver = Driver(s, pool, SCORERS)
        with pytest.raises(WorkerError) as caught:
            driver.run()
        error = caught.value
        assert (error.worker, error.method) == ("b", "advance")
        assert isinstance(error.__cause__, KeyError)
        text = str(error)
        assert "worker 'b' raised in advance()" in text
        assert "in broken_feature_lookup" in text and "workers.py" in text and "no feature table for step 2" in text
        assert s.progress.steps_done == 2  # the session did not step past what the workers did
        with pytest.raises(DistributedError, match=r"cannot go on: worker 'b' raised in advance\(\)"):
            driver.step()


def test_ray_worker_exception_keeps_its_traceback(ray_pool):
    pool = ray_pool(SETUP, [(DigitsWorker, ()), (RaisesAt, (2,))])
    with pytest.raises(WorkerError) as caught:
        drive(SETUP, pool)
    error = caught.value
    assert (error.worker, error.method) == ("ray-1", "advance")
    # The actor's traceback, as Ray recorded it in the worker process.
    assert "in broken_feature_lookup" in error.remote_traceback and "workers.py" in error.remote_traceback
    assert "no feature table for step 2" in str(error)
    assert isinstance(error.__cause__, KeyError)  # Ray's RayTaskError(KeyError)


def test_wrong_row_count_is_named():
    pool = LocalPool([DigitsWorker(*SETUP.worker_args()), WrongRows(*SETUP.worker_args())])
    with SETUP.session() as s:
        driver = Driver(s, pool, SCORERS)
        with pytest.raises(ProtocolError, match=r"worker 'worker 1' returned 7 rows for scorer 'quality', "
                                                r"asked about 8 candidates"):
            driver.step()
        with pytest.raises(DistributedError, match="step 0 failed after the workers advanced"):
            driver.step()


class NoFeatures(DigitsWorker):
    def advance(self, ids, step, want_scores):
        scores = super().advance(ids, step, want_scores)
        return None if scores is None else {"quality": scores["quality"]}


def test_missing_scorer_is_named():
    with SETUP.session() as s:
        driver = Driver(s, LocalPool([NoFeatures(*SETUP.worker_args())]), SCORERS)
        with pytest.raises(ProtocolError, match=r"worker 'worker 0' returned no scores for scorer 'features' "
                                                r"\(it returned \['quality'\]\)"):
            driver.step()


def test_pools_refuse_what_they_cannot_use(ray_instance):
    with pytest.raises(ValueError, match="at least one worker"):
        LocalPool([])
    with pytest.raises(ValueError, match="2 distinct names"):
        LocalPool([object(), object()], ["same", "same"])
    with pytest.raises(TypeError, match=r"actors\[0\] is a DigitsWorker, not a Ray actor handle"):
        RayPool([DigitsWorker(*SETUP.worker_args())])


def test_a_session_that_is_done_or_has_no_scorers():
    with SETUP.session() as s:
        with pytest.raises(ValueError, match="scorers is empty"):
            Driver(s, LocalPool([DigitsWorker(*SETUP.worker_args())]), [])
    with SETUP.session() as s:
        driver = Driver(s, LocalPool([DigitsWorker(*SETUP.worker_args())]), SCORERS)
        driver.run()
        with pytest.raises(DistributedError, match="the session is done"):
            driver.step()


class TakeFails(DigitsWorker):
    def take(self, ids):
        raise RuntimeError("state too large to send")


def test_exception_while_rebalancing_names_the_source():
    setup = Setup(m=16, k=4, steps=5)
    pool = LocalPool([TakeFails(*setup.worker_args()), DigitsWorker(*setup.worker_args())])
    with setup.session() as s:
        # Every candidate on worker 0: the first prune leaves 8 there and none on worker 1.
        driver = Driver(s, pool, SCORERS, shards=[range(16), []])
        with pytest.raises(WorkerError, match=r"worker 'worker 0' raised in take\(\)") as caught:
            driver.step()
        assert "state too large to send" in caught.value.remote_traceback
        with pytest.raises(DistributedError, match="while rebalancing"):
            driver.step()


def test_digits_worker_follows_the_protocol():
    from groupinference.distributed import Worker
    assert isinstance(DigitsWorker(*SETUP.worker_args()), Worker)
    assert not isinstance(object(), Worker)
