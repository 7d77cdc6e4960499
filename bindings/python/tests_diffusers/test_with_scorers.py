"""group_generate with groupinference.scorers: the issue's snippet on tiny random models (CLIP and
DINOv2 loaded with from_pretrained), the callable wrappers, and the paper code's upper-triangular
pairwise matrices counted as the symmetric matrices they stand for (lambda not halved)."""

from __future__ import annotations

import pytest
import scorer_models as models
import torch

from groupinference.diffusers import group_generate
from groupinference.scorers import CLIPScore, DINOv2Embedding, DINOv2PatchDiversity, PairwiseScorer, UnaryScorer

PROMPT = "a photo of a dog"


@pytest.fixture(scope="module")
def model_paths(tmp_path_factory):
    root = tmp_path_factory.mktemp("scorer-models-e2e")
    return models.build_clip(root / "clip"), models.build_dinov2(root / "dino")


@pytest.mark.parametrize("kind,kwargs", [("sdxl", {}), ("flux-dev", {"max_sequence_length": 16})])
def test_the_issue_snippet_on_tiny_models(tiny, model_paths, kind, kwargs):
    clip, dino = model_paths
    scorers = [CLIPScore(clip), DINOv2Embedding(dino, weight=0.5), DINOv2PatchDiversity(dino)]
    out = group_generate(tiny(kind), PROMPT, num_candidates=8, group_size=2, num_inference_steps=3, lam=1.0,
                         scorers=scorers, schedule="ratio", seed=0, progress=False, output_type="pt", **kwargs)
    assert out.images.shape == (2, 3, 16, 16)
    assert set(out.scores) == {s.name for s in scorers}
    assert out.result.evaluations == 8 + 4 + 2
    # the final record's raw CLIP values are the scorer's own on the returned images
    recomputed = scorers[0].score(out.images, PROMPT).double().numpy()
    assert recomputed == pytest.approx(out.scores[scorers[0].name], abs=1e-6)


def test_upper_triangular_pairwise_matrices_do_not_halve_lambda(tiny):
    def distances(images):
        flat = images.flatten(1).double()
        return torch.cdist(flat, flat, p=1) / flat.shape[1] * 10

    common = dict(num_candidates=7, group_size=3, num_inference_steps=3, lam=1.5, first_prune_step=2, progress=False)
    brightness = UnaryScorer(lambda images: images.mean(dim=(1, 2, 3)) * 10, name="brightness")
    symmetric = group_generate(tiny("sd"), PROMPT, scorers=[brightness, PairwiseScorer(distances, name="d")], **common)
    upper = group_generate(tiny("sd"), PROMPT, scorers=[brightness, PairwiseScorer(lambda im: distances(im).triu(1),
                                                                                   name="d")], **common)
    assert upper.ids.tolist() == symmetric.ids.tolist()
    assert upper.result.objective == pytest.approx(symmetric.result.objective, rel=1e-12)
