"""The ctypes structs mirror the header exactly: sizes and every field offset,
checked against a C program compiled with include/group_inference.h."""

from __future__ import annotations

import ctypes
import shutil
import subprocess
from pathlib import Path

import pytest

from groupinference import _structs as S

from conftest import REPO

STRUCTS = {
    "gi_options": S.GiOptions,
    "gi_progress": S.GiProgress,
    "gi_step_record": S.GiStepRecord,
    "gi_solve_result": S.GiSolveResult,
    "gi_diagnostics": S.GiDiagnostics,
    "gi_calibration_goal": S.GiCalibrationGoal,
    "gi_calibration_report": S.GiCalibrationReport,
}


def c_name(field: str) -> str:
    return "lambda" if field == "lambda_" else field


def test_sizes_are_the_0_2_layouts() -> None:
    # gi_options grew in 0.2 (budget, schedule_file, restarts, reserved); the 0.1 layout
    # (88 bytes) is the library's smallest accepted size (Sources/GroupInferenceC/SizedStructs.swift).
    assert ctypes.sizeof(S.GiOptions) == 120
    assert S.GiOptions.budget.offset == 88
    assert ctypes.sizeof(S.GiProgress) == 88
    assert ctypes.sizeof(S.GiStepRecord) == 80
    assert ctypes.sizeof(S.GiSolveResult) == 48
    # New in 0.2.
    assert ctypes.sizeof(S.GiDiagnostics) == 48
    assert ctypes.sizeof(S.GiCalibrationGoal) == 24
    assert ctypes.sizeof(S.GiCalibrationReport) == 40


def test_layout_matches_the_compiled_header(tmp_path: Path) -> None:
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if cc is None:
        pytest.skip("no C compiler")
    lines = ["#include <stdio.h>", "#include <stddef.h>", "#include <group_inference.h>", "int main(void) {"]
    expected = []
    for name, struct in STRUCTS.items():
        lines.append(f'printf("{name} %zu\\n", sizeof({name}));')
        expected.append(f"{name} {ctypes.sizeof(struct)}")
        for field, ctype in struct._fields_:
            lines.append(f'printf("{name}.{c_name(field)} %zu %zu\\n", offsetof({name}, {c_name(field)}), '
                         f'sizeof((({name} *)0)->{c_name(field)}));')
            expected.append(f"{name}.{c_name(field)} {getattr(struct, field).offset} {ctypes.sizeof(ctype)}")
    lines += ["return 0;", "}"]
    source = tmp_path / "layout.c"
    source.write_text("\n".join(lines))
    binary = tmp_path / "layout"
    subprocess.run([cc, "-std=c99", "-Wall", "-Werror", f"-I{REPO / 'include'}", str(source), "-o", str(binary)],
                   check=True, capture_output=True, timeout=60)
    printed = subprocess.run([str(binary)], check=True, capture_output=True, text=True).stdout.split("\n")
    assert [line for line in printed if line] == expected
