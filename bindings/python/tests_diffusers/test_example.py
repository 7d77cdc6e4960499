"""examples/python/diffusers/generate.py --tiny runs and writes its grid and trace."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")
EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "python" / "diffusers" / "generate.py"


@pytest.mark.parametrize("kind", ["sd", "flux-schnell"])
def test_tiny_example_writes_grid_and_trace(tmp_path, capsys, kind):
    spec = importlib.util.spec_from_file_location("diffusers_example", EXAMPLE)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    assert example.main(["--tiny", kind, "--prompt", "a dog", "--m", "8", "--k", "2", "--steps", "3",
                         "--out", str(tmp_path)]) == 0
    for name in ("grid.png", "trace.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    printed = capsys.readouterr().out
    assert "group ids" in printed and "evaluations" in printed
