"""groupinference.distributed: one session on the driver, candidate shards on workers.

The driver's :class:`groupinference.Session` decides, as always; workers (Ray
actors, one per GPU or CPU slot - or plain objects in this process) hold the
candidates' latents and denoiser state and send back only scores::

    import ray, groupinference as gi
    from groupinference.distributed import Driver, RayPool, Unary, Embedding

    actors = [ray.remote(MyWorker).remote(...) for _ in range(4)]   # follows the Worker protocol
    with gi.Session(num_candidates=256, group_size=4, num_steps=20, lam=0.5) as session:
        run = Driver(session, RayPool(actors), [Unary("clip"), Embedding("dino", dim=768)]).run()
    run.result.ids, run.outputs, run.losses, run.rebalances

Ray is imported only by :class:`RayPool`.
"""

from .driver import DistributedResult, Driver, Loss, StepTiming
from .errors import DistributedError, ProtocolError, WorkerError, WorkersLost
from .pool import Gone, LocalPool, Move, Pool
from .ray_pool import RayPool
from .rebalance import Rebalance
from .scorers import Embedding, Pairwise, ScorerSpec, Unary
from .worker import Scores, Worker

__all__ = [
    "Driver",
    "DistributedResult",
    "Loss",
    "StepTiming",
    "Rebalance",
    "Worker",
    "Scores",
    "Pool",
    "LocalPool",
    "RayPool",
    "Gone",
    "Move",
    "Unary",
    "Embedding",
    "Pairwise",
    "ScorerSpec",
    "DistributedError",
    "WorkerError",
    "WorkersLost",
    "ProtocolError",
]
