"""Finding and loading libgroupinference.so, and the version check."""

from __future__ import annotations

import ctypes.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import groupinference as gi
from groupinference import _ffi
from groupinference import _structs as S

from conftest import REPO

SRC = Path(gi.__file__).resolve().parent.parent


def _run_python(code: str, env_changes: dict[str, str | None], cwd: Path | None = None,
                pythonpath: Path = SRC) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    for key, value in env_changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          cwd=cwd, timeout=60)


def test_versions() -> None:
    assert gi.__version__ == "0.3.0"
    assert gi.library_version() == S.HEADER_VERSION_STRING == "0.3.0"
    assert _ffi.gi_version_number() == S.HEADER_VERSION_NUMBER == 300
    assert os.path.exists(gi.library_path)


def test_header_constants_match_the_header() -> None:
    header = (REPO / "include" / "group_inference.h").read_text()
    macros = dict(re.findall(r"#define (GI_\w+) (-?\(?-?\d+\)?)", header))
    assert int(macros["GI_VERSION_MAJOR"]) == S.HEADER_VERSION_MAJOR
    assert int(macros["GI_VERSION_MINOR"]) == S.HEADER_VERSION_MINOR
    assert int(macros["GI_VERSION_PATCH"]) == S.HEADER_VERSION_PATCH
    assert int(macros["GI_MAX_CANDIDATES"]) == gi.MAX_CANDIDATES
    assert int(macros["GI_MAX_STEPS"]) == gi.MAX_STEPS
    assert int(macros["GI_MAX_EMBEDDING_DIM"]) == gi.MAX_EMBEDDING_DIM
    assert int(macros["GI_MAX_SCORERS"]) == gi.MAX_SCORERS
    assert int(macros["GI_MAX_EXACT_CANDIDATES"]) == gi.MAX_EXACT_CANDIDATES
    assert int(macros["GI_TRACE_UNARY"].strip("()")) == S.GI_TRACE_UNARY
    assert int(macros["GI_TRACE_DIVERSITY"].strip("()")) == S.GI_TRACE_DIVERSITY
    statuses = dict((name, int(value)) for name, value in re.findall(r"\b(GI_(?:OK|WARNING|ERR_\w+)) = (-?\d+)", header))
    assert statuses == {name: code for code, name in S.STATUS_NAMES.items()}


def test_every_header_function_is_declared() -> None:
    header = (REPO / "include" / "group_inference.h").read_text()
    names = set(re.findall(r"^[a-z0-9_ ]*?\**\s*(gi_\w+)\(", header, flags=re.M))
    assert len(names) == 35  # 28 in 0.1; 0.2 added trace_group, trace_diagnostics, calibrate, schedule_save/load; 0.3 discard, set_progress
    missing = [n for n in sorted(names) if not hasattr(_ffi, n)]
    assert missing == []


def test_candidates_from_the_source_tree() -> None:
    paths = _ffi.candidate_paths(environ={})
    assert [origin for origin, _ in paths] == ["copy inside the package", "repository release build", "system loader"]
    assert paths[0][1] == str(_ffi.PACKAGE_DIR / "lib" / "libgroupinference.so")
    assert paths[1][1] == str(REPO / ".build" / "release" / "libgroupinference.so")
    assert paths[2][1] == f"libgroupinference.so.{S.HEADER_VERSION_MAJOR}"  # the SONAME, for the loader's search


def test_the_environment_variable_is_the_only_candidate_when_set() -> None:
    assert _ffi.candidate_paths(environ={"GROUPINFERENCE_LIBRARY": "/x/lib.so"}) == [
        ("$GROUPINFERENCE_LIBRARY", "/x/lib.so")
    ]
    assert len(_ffi.candidate_paths(environ={"GROUPINFERENCE_LIBRARY": ""})) == 3  # empty = unset


def test_outside_the_source_tree_the_package_copy_then_the_system(tmp_path: Path) -> None:
    package = tmp_path / "site-packages" / "groupinference"
    assert _ffi.candidate_paths(environ={}, package_dir=package) == [
        ("copy inside the package", str(package / "lib" / "libgroupinference.so")),
        ("system loader", f"libgroupinference.so.{S.HEADER_VERSION_MAJOR}"),
    ]
    assert _ffi.source_tree_root(Path("/groupinference")) is None


def test_load_error_lists_every_path_and_why(tmp_path: Path) -> None:
    not_a_library = tmp_path / "libgroupinference.so"
    not_a_library.write_text("not an ELF file")
    missing = tmp_path / "missing" / "libgroupinference.so"
    with pytest.raises(gi.LibraryLoadError) as caught:
        _ffi.load_library([("first", str(missing)), ("second", str(not_a_library))])
    text = str(caught.value)
    assert isinstance(caught.value, ImportError)
    assert f"{missing} (first): no such file" in text
    reason = text.split(f"{not_a_library} (second): ", 1)[1].split("\n")[0]
    assert str(not_a_library) in reason  # dlopen's own explanation, e.g. "...: file too short"
    assert "GROUPINFERENCE_LIBRARY" in text


def test_load_error_hints_fit_the_situation(tmp_path: Path) -> None:
    package = tmp_path / "site-packages" / "groupinference"
    missing_copy = ("copy inside the package", str(package / "lib" / "libgroupinference.so"))
    nowhere = ("system loader", "libgroupinference.so.99")  # a SONAME no system has
    with pytest.raises(gi.LibraryLoadError) as caught:
        _ffi.load_library([missing_copy, nowhere])
    text = str(caught.value)
    assert "libgroupinference.so.99 (system loader): " in text
    assert "carries no copy of the library" in text and "make install" in text
    assert "make -C" not in text  # not in a source tree
    repo_build = ("repository release build", str(tmp_path / "repo" / ".build" / "release" / "libgroupinference.so"))
    with pytest.raises(gi.LibraryLoadError) as caught:
        _ffi.load_library([missing_copy, repo_build, nowhere])
    assert f"make -C {tmp_path / 'repo'} lib" in str(caught.value)
    # A copy whose dependency is missing: dlopen names it, and the hint says what supplies it.
    reason = "/x/libgroupinference.so: libglpk.so.40: cannot open shared object file: No such file or directory"
    assert _ffi._missing_dependency(reason) == "libglpk.so.40"
    assert _ffi._missing_dependency("libgroupinference.so.0: cannot open shared object file: No such file") is None
    hints = " ".join(_ffi._hints([("copy inside the package", "/x/libgroupinference.so", reason)]))
    assert "libglpk.so.40 is missing" in hints and "make wheel" in hints


def test_load_library_returns_the_first_that_loads(tmp_path: Path) -> None:
    lib, path = _ffi.load_library([("no", str(tmp_path / "nope.so")), ("yes", gi.library_path)])
    assert path == gi.library_path and lib.gi_version_number() == 300


@pytest.mark.parametrize(
    ("number", "ok"),
    [(300, True), (399, True), (301, True), (400, True), (200, False), (299, False), (5, False), (10300, False),
     (0, False)],
)
def test_version_check(number: int, ok: bool) -> None:
    if ok:
        _ffi.check_version(number, "x", "/lib.so")
    else:
        with pytest.raises(gi.LibraryVersionError, match=r"written for 0\.3\.0 \(GI_VERSION_NUMBER 300\)"):
            _ffi.check_version(number, "x", "/lib.so")


def test_import_fails_clearly_with_a_bad_environment_path(tmp_path: Path) -> None:
    bad = tmp_path / "nowhere" / "libgroupinference.so"
    done = _run_python("import groupinference", {"GROUPINFERENCE_LIBRARY": str(bad)})
    assert done.returncode != 0
    assert "LibraryLoadError" in done.stderr
    assert f"{bad} ($GROUPINFERENCE_LIBRARY): no such file" in done.stderr
    assert "no other location was tried" in done.stderr


def test_import_uses_the_environment_path(tmp_path: Path) -> None:
    # A private copy: the variable's path is used even though the default locations exist.
    target = tmp_path / "elsewhere" / "libgroupinference.so"
    target.parent.mkdir()
    shutil.copy(gi.library_path, target)
    done = _run_python("import groupinference as gi; print(gi.library_path, gi.library_version())",
                       {"GROUPINFERENCE_LIBRARY": str(target)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(target), "0.3.0"]


def test_installed_layout_uses_the_package_copy(tmp_path: Path) -> None:
    """A copy of the package outside the source tree: no repository build; lib/ is used once present."""
    site = tmp_path / "site"
    shutil.copytree(SRC / "groupinference", site / "groupinference",
                    ignore=shutil.ignore_patterns("__pycache__", "lib"))
    code = "import groupinference as gi; print(gi.library_path)"
    expected = site / "groupinference" / "lib" / "libgroupinference.so"
    done = _run_python(code, {"GROUPINFERENCE_LIBRARY": None}, pythonpath=site)
    if done.returncode == 0:  # the system has the library (make install): the last step found it
        assert ctypes.util.find_library("groupinference") is not None
        assert done.stdout.strip() != str(expected)
    else:
        assert f"{expected} (copy inside the package): no such file" in done.stderr
        assert f"libgroupinference.so.{S.HEADER_VERSION_MAJOR} (system loader):" in done.stderr
    assert "repository release build" not in done.stderr
    (site / "groupinference" / "lib").mkdir()
    shutil.copy(gi.library_path, expected)
    done = _run_python(code, {"GROUPINFERENCE_LIBRARY": None}, pythonpath=site)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(expected)
