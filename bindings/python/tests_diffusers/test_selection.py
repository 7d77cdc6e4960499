"""Full selection (first_prune_step = T - 1: every candidate denoised to the end, one choice) picks
the same group as a brute-force search over the final images' scores, with the same objective."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from toy_scorers import trio

from groupinference.diffusers import group_generate

PROMPT = "a painting of a red house"
M, K, T, LAM, SEED = 7, 3, 3, 1.5, 5


def _brute_force(scorers, images, lam):
    """argmax over K-subsets of sum_i u_i + lam * sum_{i<j} b_ij, as the library defines them."""
    n = images.shape[0]
    unary = np.zeros(n)
    pairwise = np.zeros((n, n))
    for s in scorers:
        values = s.reduce(s.features(images, PROMPT)).double().numpy()
        if s.kind == "unary":
            unary += s.weight * values
        elif s.kind == "embedding":
            e = values.astype(np.float32).astype(np.float64)
            e = e / np.linalg.norm(e, axis=1, keepdims=True)
            pairwise += s.weight * (1 - e @ e.T)
        else:
            pairwise += s.weight * (values + values.T) / 2
    best, best_value = None, -np.inf
    for group in itertools.combinations(range(n), K):
        value = unary[list(group)].sum() + lam * sum(pairwise[i, j] for i, j in itertools.combinations(group, 2))
        if value > best_value:
            best, best_value = group, value
    return list(best), best_value


@pytest.mark.parametrize("kind,kwargs", [("sd", {}), ("flux-dev", {"max_sequence_length": 16}),
                                         ("sdxl", {"guidance_scale": 1.0})])
def test_full_selection_equals_brute_force(tiny, kind, kwargs):
    pipe = tiny(kind)
    scorers = trio()
    out = group_generate(pipe, PROMPT, scorers=scorers, num_candidates=M, group_size=K, num_inference_steps=T,
                         lam=LAM, seed=SEED, first_prune_step=T - 1, output_type="pt", progress=False, **kwargs)
    assert out.result.evaluations == M * T
    # The final images of every candidate, each run alone (bit-identical to the group run's).
    finals = torch.cat([pipe(PROMPT, num_inference_steps=T, generator=torch.Generator().manual_seed(SEED + i),
                             output_type="pt", **kwargs).images for i in range(M)])
    ids, value = _brute_force(scorers, finals, LAM)
    assert out.ids.tolist() == ids
    assert out.result.objective == pytest.approx(value, rel=1e-5)
    assert torch.equal(out.images, finals[ids])
    # scores reported per image are the final scoring's raw values
    assert np.allclose(out.scores["brightness"], finals[ids].mean(dim=(1, 2, 3)).double().numpy() * 10)
