"""Presets (by name, per family, overridable), Session options passed through, the progress bar."""

from __future__ import annotations

import dataclasses
import math
import subprocess
import sys

import pytest
from toy_scorers import Brightness, trio

from groupinference.diffusers import PRESETS, group_generate

PROMPT = "a dog"


@pytest.mark.parametrize("kind,name", [("flux-schnell", "flux-schnell"), ("flux-dev", "flux-dev")])
def test_family_preset_is_the_default(tiny, kind, name):
    p = PRESETS[name]
    out = group_generate(tiny(kind), PROMPT, scorers=[Brightness()], batch_size=64, max_sequence_length=16,
                         progress=False, output_type="latent", preview_size=8)
    assert out.result.naive_evaluations == p.num_candidates * p.num_inference_steps
    assert len(out.ids) == p.group_size
    first = out.result.records[0]
    assert first.step == 0  # the reference schedule prunes from step 0, keeping max(ceil(M (1 - rho)), K)
    assert len(first.kept) == max(math.ceil(p.num_candidates * (1 - p.prune_ratio) - 1e-9), p.group_size)

def test_preset_by_name_and_overrides(tiny):
    pipe = tiny("sd")
    custom = dataclasses.replace(PRESETS["sd"], name="mine", num_candidates=5, num_inference_steps=2)
    out = group_generate(pipe, PROMPT, scorers=[Brightness()], preset=custom, group_size=3, progress=False)
    assert out.result.naive_evaluations == 5 * 2 and len(out.ids) == 3
    out = group_generate(pipe, PROMPT, scorers=[Brightness()], preset="flux-schnell", num_candidates=8,
                         progress=False)
    assert out.result.naive_evaluations == 8 * 4  # flux-schnell's T = 4, with ρ = 0.9: 8 -> 4 -> 4 -> 4 -> 4
    assert [len(r.kept) for r in out.result.records][0] == 4


def test_session_options_pass_through(tiny):
    out = group_generate(tiny("sd"), PROMPT, scorers=trio(), num_candidates=6, group_size=2, num_inference_steps=3,
                         schedule="counts", survivor_counts=[4, 3, 2], normalize="zscore", trace_every_step=True,
                         solver="heuristic", progress=False)
    assert [len(r.kept) for r in out.result.records] == [4, 3, 2]
    assert out.session.num_steps == 3 and out.session.lam == 1.5
    assert set(out.scores) == {"brightness", "pattern", "pixeldistance"}
    assert all(len(v) == 2 for v in out.scores.values())


def test_progress_bar_shows_survivors_and_evaluations(tiny, capsys):
    common = dict(scorers=[Brightness()], num_candidates=6, group_size=2, num_inference_steps=3)
    group_generate(tiny("sd"), PROMPT, progress=True, **common)
    err = capsys.readouterr().err
    assert "group inference" in err and "alive 2/6" in err and "evaluations 11/18" in err
    group_generate(tiny("sd"), PROMPT, progress=False, **common)
    assert "group inference" not in capsys.readouterr().err


def test_importing_the_package_imports_neither_torch_nor_diffusers():
    code = ("import sys, groupinference.diffusers as gd; gd.PRESETS; gd.SUPPORTED_PIPELINES; gd.preset('sd'); "
            "assert 'torch' not in sys.modules and 'diffusers' not in sys.modules, sorted(sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_pndm_runs_one_more_iteration_than_steps(tiny):
    out = group_generate(tiny("sd", "pndm"), PROMPT, scorers=[Brightness()], num_candidates=4, group_size=2,
                         num_inference_steps=3, progress=False)
    assert out.num_inference_steps == 3 and out.session.num_steps == 4
    assert out.result.naive_evaluations == 4 * 4
