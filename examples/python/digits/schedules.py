"""Pruning schedules for the demo, chosen with --schedule NAME.

A schedule says how the session is configured (options for gi.Session) and
how it is driven. To add one, subclass Schedule, override what differs (an
adaptive schedule overrides drive() and calls session.prune), and list it in
SCHEDULES.
"""


class Schedule:
    name = ""
    description = ""

    def session_options(self, num_candidates, group_size, num_steps):
        raise NotImplementedError

    def drive(self, session, bar=None):
        """Step until done; `bar` (tqdm) advances one tick per step."""
        while not session.progress.done:
            session.step()
            if bar is not None:
                bar.set_postfix(alive=session.progress.alive, refresh=False)
                bar.update(1)


class Reference(Schedule):
    name = "reference"
    description = "keep max(ceil(n/2), K) after every step from step 0 (the paper's rho=0.5)"

    def session_options(self, num_candidates, group_size, num_steps):
        return dict(schedule="ratio", prune_ratio=0.5, first_prune_step=0)


SCHEDULES = {cls.name: cls for cls in [Reference]}
