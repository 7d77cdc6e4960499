"""python -m groupinference qip: the cases of tests/cli/test_cli.sh, and the
same answers as the Swift CLI where it is built."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pytest

import groupinference as gi
from groupinference import __main__ as cli

from conftest import INSTANCES, SWIFT_CLI, objective, swift_cli_is_current

BASE = INSTANCES / "real_M16_K4_s0.json"
SWIFT_CURRENT = swift_cli_is_current()
needs_swift = pytest.mark.skipif(not SWIFT_CURRENT, reason="the Swift CLI or the loaded library is not the build of the current sources")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def swift(*args: str) -> tuple[int, str, str]:
    done = subprocess.run([str(SWIFT_CLI), *args], capture_output=True, text=True, timeout=60)
    return done.returncode, done.stdout, done.stderr


SOLVED = [(name, solver) for name in ("real_M16_K4_s0", "real_M32_K4_s0", "lam0_M64_K32_s0", "real_M64_K8_s0")
          for solver in ("auto", "heuristic", "exact", "mip")
          if (name, solver) != ("real_M64_K8_s0", "mip")]  # seconds of GLPK; tests/cli/test_cli.sh has it


@pytest.mark.parametrize(("name", "solver"), SOLVED)
def test_solves_instances(capsys: pytest.CaptureFixture[str], name: str, solver: str) -> None:
    path = INSTANCES / f"{name}.json"
    code, out, err = run(capsys, "qip", str(path), "--solver", solver, "--time-limit", "30")
    assert (code, err) == (0, "")
    assert out.count("\n") == 1
    result = json.loads(out)
    assert list(result) == ["selection", "objective", "status", "gap", "bound", "seconds", "nodes"]
    inst = json.loads(path.read_text())
    sel = result["selection"]
    assert sel == sorted(sel) and len(set(sel)) == inst["K"]
    f = objective(inst["unary"], inst["binary"], inst["lambda"], sel)
    assert abs(f - result["objective"]) <= 1e-9 * max(1, abs(f))
    assert result["status"] in ("optimal", "time_limit", "gap_limit", "heuristic")
    if result["status"] == "optimal":
        assert result["gap"] == 0
    if solver in ("exact", "mip"):
        assert result["status"] == "optimal"
    if inst["proven"]:
        assert abs(result["objective"] - inst["optimum"]) <= 1e-9 * abs(inst["optimum"])


@needs_swift
@pytest.mark.parametrize("name", ["real_M16_K4_s0", "lam0_M64_K32_s0", "real_M128_K8_s0"])
def test_same_output_as_the_swift_cli(capsys: pytest.CaptureFixture[str], name: str) -> None:
    path = str(INSTANCES / f"{name}.json")
    code, out, err = run(capsys, "qip", path, "--solver", "heuristic")
    s_code, s_out, s_err = swift("qip", path, "--solver", "heuristic")
    assert (code, err) == (s_code, s_err) == (0, "")
    ours, theirs = json.loads(out), json.loads(s_out)
    ours.pop("seconds"), theirs.pop("seconds")
    assert ours == theirs  # the same keys (as the Swift CLI prints them now) and values
    # Same text too, but for the time.
    assert re.sub(r'"seconds": [^,}]+', "", out) == re.sub(r'"seconds": [^,}]+', "", s_out)


def mutate(change: Callable[[dict[str, Any]], None]) -> Callable[[Path], list[str]]:
    def make(tmp: Path) -> list[str]:
        data = json.loads(BASE.read_text())
        change(data)
        (tmp / "bad.json").write_text(json.dumps(data))
        return ["qip", str(tmp / "bad.json")]
    return make


def raw(text: str | bytes) -> Callable[[Path], list[str]]:
    def make(tmp: Path) -> list[str]:
        path = tmp / "raw.json"
        path.write_bytes(text if isinstance(text, bytes) else text.encode())
        return ["qip", str(path)]
    return make


def args(*items: str) -> Callable[[Path], list[str]]:
    return lambda tmp: [item.replace("BASE", str(BASE)).replace("TMP", str(tmp)) for item in items]


def first_number_to(token: str) -> Callable[[Path], list[str]]:
    """Like the sed in test_cli.sh: the first 0.xxx of the file becomes `token`."""
    return raw(re.sub(r"0\.[0-9]*", token, BASE.read_text(), count=1))


def _setitem(container: Any, key: Any, value: Any) -> None:
    container[key] = value


MALFORMED = {
    "missing unary": (mutate(lambda d: d.pop("unary")), "missing field 'unary'"),
    "missing K": (mutate(lambda d: d.pop("K")), "missing field 'K'"),
    "short unary": (mutate(lambda d: d["unary"].pop()), "unary has 15 values"),
    "short binary": (mutate(lambda d: d["binary"].pop()), "binary has 15 rows"),
    "long row": (mutate(lambda d: d["binary"][3].append(0.5)), "binary[3] has 17 values"),
    "asymmetric": (mutate(lambda d: _setitem(d["binary"][2], 5, d["binary"][2][5] + 0.1)), "not symmetric"),
    "diagonal": (mutate(lambda d: _setitem(d["binary"][4], 4, 0.3)), "diagonal"),
    "K too big": (mutate(lambda d: _setitem(d, "K", 17)), "K = 17"),
    "K zero": (mutate(lambda d: _setitem(d, "K", 0)), "K = 0"),
    "K fraction": (mutate(lambda d: _setitem(d, "K", 2.5)), "K = 2.5 must be a whole number"),
    "M fraction": (mutate(lambda d: _setitem(d, "M", 15.5)), "M = 15.5 must be a whole number"),
    "M string": (mutate(lambda d: _setitem(d, "M", "sixteen")), "'M'"),
    "M bool": (mutate(lambda d: _setitem(d, "M", True)), "'M' has the wrong type"),
    "M zero": (mutate(lambda d: _setitem(d, "M", 0)), "M = 0 must be at least 1"),
    "M beyond the limit": (mutate(lambda d: _setitem(d, "M", 9000)), "M = 9000 exceeds the limit of 8192"),
    "lambda null": (mutate(lambda d: _setitem(d, "lambda", None)), "'lambda'"),
    "unary string": (mutate(lambda d: _setitem(d["unary"], 3, "x")), "unary"),
    "unary null": (mutate(lambda d: _setitem(d["unary"], 3, None)), "field 'unary[3]' is null"),
    "unary object": (mutate(lambda d: _setitem(d, "unary", {})), "field 'unary' has the wrong type"),
    "binary row number": (mutate(lambda d: _setitem(d["binary"], 1, 5)), "field 'binary[1]' has the wrong type"),
    "binary entry string": (mutate(lambda d: _setitem(d["binary"][2], 15, "a")), "'binary[2][15]'"),
    "number beyond float64": (first_number_to("1e999"), "beyond float64"),
    "NaN token": (mutate(lambda d: _setitem(d["unary"], 2, float("nan"))), "unary[2] = nan is not finite"),
    "Infinity token": (
        mutate(lambda d: (_setitem(d["binary"][1], 2, float("inf")), _setitem(d["binary"][2], 1, float("inf")))),
        "binary[1][2] = inf is not finite",
    ),
    "lambda -Infinity": (mutate(lambda d: _setitem(d, "lambda", float("-inf"))), "lambda = -inf"),
    "M NaN": (mutate(lambda d: _setitem(d, "M", float("nan"))), "M = nan must be a whole number"),
    "cut JSON": (raw('{"M": 2, '), "not valid JSON"),
    "array": (raw("[1, 2]"), "wrong type"),
    "null document": (raw("null"), "field '' is null"),
    "empty": (raw(""), "not valid JSON"),
    "not UTF-8": (raw(b"\xff\xfe"), "not valid UTF-8 at byte 0"),
    "huge integer": (raw('{"M": 2, "K": 1, "lambda": 0, "unary": [1, 1' + "0" * 400 + '], "binary": [[0,0],[0,0]]}'),
                     "beyond float64"),
    "missing file": (args("qip", "TMP/does-not-exist.json"), "cannot read"),
    "a directory": (args("qip", "TMP"), "cannot read"),
    "no subcommand": (args("nonsense"), "usage"),
    "nothing": (args(), "usage"),
    "no file": (args("qip"), "no instance file"),
    "bad solver": (args("qip", "BASE", "--solver", "fast"), "--solver fast: expected exact, heuristic, auto or mip"),
    "bad time": (args("qip", "BASE", "--time-limit", "soon"), "expected a number"),
    "infinite time": (args("qip", "BASE", "--time-limit", "inf"), "--time-limit inf: expected a number"),
    "underscore number": (args("qip", "BASE", "--time-limit", "1_0"), "expected a number"),
    "negative time": (args("qip", "BASE", "--time-limit", "-1"), "time_limit"),
    "gap 2": (args("qip", "BASE", "--gap", "2"), "mip_gap"),
    "gap without value": (args("qip", "BASE", "--gap"), "needs a value"),
    "two files": (args("qip", "BASE", "BASE"), "unexpected argument"),
    "unknown flag": (args("qip", "BASE", "--bogus"), "unexpected argument '--bogus'"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_input(capsys: pytest.CaptureFixture[str], tmp_path: Path, case: str) -> None:
    make, words = MALFORMED[case]
    argv = make(tmp_path)
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert err.startswith("groupinference: ") and words in err, err
    if SWIFT_CURRENT:
        s_code, s_out, s_err = swift(*argv)
        assert (s_code, s_out) == (2, "")
        if "not valid JSON" in s_err:  # the JSON parsers explain syntax errors in their own words
            prefix = s_err.split(" (or a number")[0]
            assert err.startswith(prefix), (err, s_err)
        else:
            assert err == s_err


@pytest.mark.parametrize("argv", [["qip", "--help"], ["qip", "-h"], ["--help"], ["-h"], ["qip", "x.json", "--help"]])
def test_help(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, out, err = run(capsys, *argv)
    assert (code, err) == (0, "") and out == cli.USAGE + "\n"


def test_help_as_a_module() -> None:
    done = subprocess.run([sys.executable, "-m", "groupinference", "--help"], capture_output=True, text=True)
    assert (done.returncode, done.stderr) == (0, "") and done.stdout == cli.USAGE + "\n"


def test_time_limited_exact_solve_is_success(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # The halving step of tests/c/api_test.c that exact cannot prove in a millisecond.
    n = 40
    i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    b = np.triu(0.5 + 0.4 * np.sin((i * 31 + j * 17) * (i + j).astype(float)), 1)
    path = tmp_path / "hard.json"
    path.write_text(json.dumps({"M": n, "K": n // 2, "lambda": 1.0, "unary": [0.3] * n, "binary": (b + b.T).tolist()}))
    code, out, err = run(capsys, "qip", str(path), "--solver", "exact", "--time-limit", "0.001")
    assert (code, err) == (0, "")  # no warning line: the status says it
    result = json.loads(out)
    assert result["status"] == "time_limit" and result["gap"] > 0 and result["bound"] >= result["objective"]


def test_solver_failure_exits_1(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(*args: Any, **kwargs: Any) -> Any:
        raise gi.SolverError(-6, "gi_solve_qip: GLPK failed (simulated)")

    monkeypatch.setattr(cli, "solve_qip", failing)
    code, out, err = run(capsys, "qip", str(BASE))
    assert (code, out) == (1, "")
    assert err == f"groupinference: {BASE}: GLPK failed (simulated)\n"


def test_number_format(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "tiny.json"
    path.write_text('{"M": 2, "K": 1, "lambda": 0, "unary": [1, 2], "binary": [[0, 0], [0, 0]]}')
    code, out, err = run(capsys, "qip", str(path))
    assert code == 0
    assert re.fullmatch(r'\{"selection": \[1\], "objective": 2\.0, "status": "optimal", "gap": 0\.0, '
                        r'"bound": (null|2\.0), "seconds": [0-9.e+-]+, "nodes": 0\}\n', out), out
    unbounded = gi.QipSolution(selection=np.array([0, 3], dtype=np.int32), objective=1e-5, bound=None, gap=None,
                               status="heuristic", seconds=float("nan"), nodes=0)
    assert cli.to_json(unbounded) == ('{"selection": [0, 3], "objective": 1e-05, "status": "heuristic", '
                                      '"gap": null, "bound": null, "seconds": null, "nodes": 0}')


def test_python_dash_m() -> None:
    env = dict(os.environ, PYTHONPATH=str(Path(gi.__file__).resolve().parent.parent))
    ok = subprocess.run([sys.executable, "-m", "groupinference", "qip", str(BASE)], capture_output=True,
                        text=True, env=env, timeout=60)
    assert ok.returncode == 0 and json.loads(ok.stdout)["status"] == "optimal" and ok.stderr == ""
    bad = subprocess.run([sys.executable, "-m", "groupinference", "qip"], capture_output=True, text=True,
                         env=env, timeout=60)
    assert bad.returncode == 2 and bad.stdout == "" and bad.stderr.count("\n") == 1


def test_an_instance_the_library_refuses_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # Finite values whose weighted products overflow: the library's check, as the Swift CLI's.
    path = tmp_path / "huge.json"
    path.write_text('{"M": 3, "K": 2, "lambda": 1e200, "unary": [1, 2, 3], '
                    '"binary": [[0, 1e200, 1], [1e200, 0, 1], [1, 1, 0]]}')
    code, out, err = run(capsys, "qip", str(path))
    assert (code, out) == (2, "")
    assert "is beyond" in err and err.count("\n") == 1
