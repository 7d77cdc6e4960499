"""``python -m groupinference qip FILE.json [--solver exact|heuristic|auto|mip]
[--time-limit SECONDS] [--gap G]``: solve one instance file and print one JSON
object, like the Swift CLI (``groupinference qip``):

    {"selection": [...], "objective": ..., "status": ..., "gap": ..., "bound": ..., "seconds": ..., "nodes": ...}

Exit status: 0 solved (also when an exact solve stopped at its time limit:
the status says so) or help shown (``-h``/``--help``, before or after
``qip``), 2 bad usage or a malformed file - with exactly one line on stderr
naming the problem -, 1 a solver failure.
"""

from __future__ import annotations

import math
import sys
import warnings
from collections.abc import Sequence
from typing import cast

from . import _instance
from ._options import DEFAULTS, SolverName
from .errors import GroupInferenceError, GroupInferenceWarning
from .solve import QipSolution, solve_qip

SOLVER_NAMES = ("exact", "heuristic", "auto", "mip")  # the Swift CLI's order
USAGE = f"usage: groupinference qip FILE.json [--solver {'|'.join(SOLVER_NAMES)}] [--time-limit SECONDS] [--gap G]"


class _UsageError(Exception):
    pass


def _json_number(x: float | None) -> str:
    if x is None or not math.isfinite(x):
        return "null"
    return repr(float(x))


def to_json(solution: QipSolution) -> str:
    """The Swift CLI's output line for a solution."""
    ids = ", ".join(str(int(i)) for i in solution.selection)
    return (
        f'{{"selection": [{ids}], "objective": {_json_number(solution.objective)}, '
        f'"status": "{solution.status}", "gap": {_json_number(solution.gap)}, '
        f'"bound": {_json_number(solution.bound)}, "seconds": {_json_number(solution.seconds)}, '
        f'"nodes": {int(solution.nodes)}}}'
    )


def _parse_number(flag: str, text: str) -> float:
    # As Swift's Double(text): no surrounding blanks, no digit separators, finite.
    try:
        if text != text.strip() or "_" in text:
            raise ValueError(text)
        x = float(text)
    except ValueError:
        raise _UsageError(f"{flag} {text}: expected a number") from None
    if not math.isfinite(x):
        raise _UsageError(f"{flag} {text}: expected a number")
    return x


def _parse(argv: list[str]) -> tuple[str | None, SolverName, float, float] | None:
    """(file, solver, time limit, gap), or None for --help."""
    if argv and argv[0] in ("-h", "--help"):
        return None
    if not argv or argv[0] != "qip":
        raise _UsageError(USAGE)
    args = argv[1:]
    file: str | None = None
    solver: SolverName = "auto"
    time_limit, gap = DEFAULTS.time_limit, DEFAULTS.mip_gap  # the library's defaults
    while args:
        arg = args.pop(0)
        if arg in ("--solver", "--time-limit", "--gap"):
            if not args:
                raise _UsageError(f"{arg} needs a value")
            value = args.pop(0)
            if arg == "--solver":
                if value not in SOLVER_NAMES:
                    raise _UsageError(f"--solver {value}: expected {', '.join(SOLVER_NAMES[:-1])} or {SOLVER_NAMES[-1]}")
                solver = cast(SolverName, value)
            elif arg == "--time-limit":
                time_limit = _parse_number(arg, value)
            else:
                gap = _parse_number(arg, value)
        elif arg in ("-h", "--help"):
            return None
        elif arg.startswith("-") or file is not None:
            raise _UsageError(f"unexpected argument '{arg}'; {USAGE}")
        else:
            file = arg
    if file is None:
        raise _UsageError(f"no instance file given; {USAGE}")
    if not (math.isfinite(time_limit) and time_limit > 0):
        raise _UsageError(f"time_limit = {time_limit!r} must be a finite number of seconds > 0")
    if not (math.isfinite(gap) and 0 <= gap < 1):
        raise _UsageError(f"mip_gap = {gap!r} must be in [0, 1)")
    return file, solver, time_limit, gap


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        parsed = _parse(args)
    except _UsageError as error:
        print(f"groupinference: {error}", file=sys.stderr)
        return 2
    if parsed is None:
        print(USAGE)
        return 0
    file, solver, time_limit, gap = parsed
    assert file is not None
    try:
        instance = _instance.load(file)
    except _instance.InstanceError as error:
        print(f"groupinference: {file}: {error}", file=sys.stderr)
        return 2
    try:
        with warnings.catch_warnings():
            # A time-limited exact solve is reported in "status", not as a warning line.
            warnings.simplefilter("ignore", GroupInferenceWarning)
            solution = solve_qip(instance.unary, instance.binary, instance.k, instance.lam,
                                 solver=solver, time_limit=time_limit, mip_gap=gap)
    except GroupInferenceError as error:
        # The library checks what this reader does not (e.g. magnitudes): an
        # instance it refuses is malformed (2); a solver failure is 1.
        malformed = error.status in ("GI_ERR_ARGUMENT", "GI_ERR_SCORES", "GI_ERR_LIMIT")
        message = error.message.removeprefix("gi_solve_qip: ")
        print(f"groupinference: {file}: {message}", file=sys.stderr)
        return 2 if malformed else 1
    print(to_json(solution))
    return 0


if __name__ == "__main__":
    sys.exit(main())
