"""Build hook: put libgroupinference.so into the wheel (why a hook: README.md, "Packaging").

setuptools does everything else (metadata from pyproject.toml, sdist, editable
installs); three commands are extended:

- ``sdist`` adds the Swift package the library is built from (Package.swift
  and the folders of its targets, as ``swift package describe`` lists them)
  under ``swift/``.
- ``build_py`` runs ``swift build -c release --static-swift-stdlib --product groupinference`` on
  that package (``swift/`` in an sdist, the repository root in the source
  tree) and copies the library to ``groupinference/lib/``. Editable installs
  skip it: they load the repository build.
- ``bdist_wheel`` tags a wheel that carries the library ``py3-none-<platform>``
  (it is not a Python extension, so any CPython 3 loads it);
  ``auditwheel repair`` then bundles GLPK and OpenBLAS and sets the manylinux tag.

``GROUPINFERENCE_USE_SYSTEM_LIBRARY=1`` builds a pure-Python wheel without the
library: it then loads ``libgroupinference.so.<major>`` through the system
loader (after ``make install``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from setuptools import Distribution, setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist
from setuptools.errors import SetupError

try:
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # setuptools < 70.1
    from wheel.bdist_wheel import bdist_wheel

HERE = Path(__file__).resolve().parent
SWIFT_IN_SDIST = "swift"
USE_SYSTEM = "GROUPINFERENCE_USE_SYSTEM_LIBRARY"
LIBRARY = "libgroupinference.so"


def bundles_library() -> bool:
    return os.environ.get(USE_SYSTEM, "") in ("", "0")


def swift_package() -> Path | None:
    """The Swift package to build: swift/ in an sdist, else the repository root."""
    for root in (HERE / SWIFT_IN_SDIST, HERE.parent.parent):
        if (root / "Package.swift").is_file() and (root / "include" / "group_inference.h").is_file():
            return root
    return None


def swift_command() -> str:
    swift = shutil.which(os.environ.get("SWIFT", "swift"))
    if swift is None:
        raise SetupError(
            "groupinference: building from source compiles libgroupinference.so with the Swift toolchain "
            "(swift 6.0 or newer), and no `swift` is on the PATH.\n"
            "  - install Swift (https://www.swift.org/install/linux/) and the system libraries "
            "(Debian: apt install libglpk-dev libopenblas-dev), then retry; or\n"
            "  - install the platform wheel instead (`make wheel` in the repository builds it); or\n"
            f"  - build without the library ({USE_SYSTEM}=1 pip install ...) to use one installed "
            "system-wide with `make install`."
        )
    return swift


def build_library() -> Path:
    """swift build the library product; the path of the .so it made."""
    root = swift_package()
    if root is None:
        raise SetupError(
            f"groupinference: no Swift package to build {LIBRARY} from (looked for {HERE / SWIFT_IN_SDIST} "
            f"and {HERE.parent.parent}/Package.swift); build from the repository or from its sdist."
        )
    swift = swift_command()
    # The flags of `make lib`, so in the repository this reuses its build.
    build = [swift, "build", "-c", "release", "--static-swift-stdlib", "--product", "groupinference",
             "--package-path", str(root)]
    print("groupinference: " + " ".join(build), flush=True)
    if subprocess.run(build).returncode != 0:
        raise SetupError(
            f"groupinference: `{' '.join(build)}` failed (output above). It needs GLPK and OpenBLAS "
            "headers (Debian: apt install libglpk-dev libopenblas-dev)."
        )
    shown = subprocess.run(build + ["--show-bin-path"], capture_output=True, text=True, check=True)
    library = Path(shown.stdout.strip()) / LIBRARY
    if not library.is_file():
        raise SetupError(f"groupinference: swift build succeeded but {library} is missing")
    return library


class build_py_with_library(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode or not bundles_library():
            return
        target = Path(self.build_lib) / "groupinference" / "lib" / LIBRARY
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(build_library(), target)
        target.chmod(0o755)


class sdist_with_swift(sdist):
    def make_release_tree(self, base_dir: str, files: list[str]) -> None:
        super().make_release_tree(base_dir, files)
        target = Path(base_dir) / SWIFT_IN_SDIST
        if (HERE / SWIFT_IN_SDIST).is_dir():  # an sdist made from an sdist
            shutil.copytree(HERE / SWIFT_IN_SDIST, target)
            return
        root = swift_package()
        if root is None:
            raise SetupError("groupinference: the sdist is made from the repository (no Package.swift found)")
        describe = [swift_command(), "package", "--package-path", str(root), "describe", "--type", "json"]
        described = subprocess.run(describe, capture_output=True, text=True)
        if described.returncode != 0:
            raise SetupError(f"groupinference: `{' '.join(describe)}` failed:\n{described.stderr}")
        folders = sorted({t["path"] for t in json.loads(described.stdout)["targets"]})
        target.mkdir()
        shutil.copy2(root / "Package.swift", target / "Package.swift")
        for folder in folders:
            shutil.copytree(root / folder, target / folder, ignore=shutil.ignore_patterns(".*"))


class BinaryDistribution(Distribution):
    """With the library inside, the package is platform-specific: installed to platlib, not pure."""

    def has_ext_modules(self) -> bool:
        return bundles_library()


class platform_wheel(bdist_wheel):
    def get_tag(self) -> tuple[str, str, str]:
        python, abi, platform = super().get_tag()
        return ("py3", "none", platform) if bundles_library() else (python, abi, platform)


setup(
    distclass=BinaryDistribution,
    cmdclass={"build_py": build_py_with_library, "sdist": sdist_with_swift, "bdist_wheel": platform_wheel},
)
