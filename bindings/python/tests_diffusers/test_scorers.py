"""groupinference.scorers on tiny random CLIP and DINOv2 models loaded with from_pretrained(path)."""

from __future__ import annotations

import doctest
import os
import subprocess
import sys
import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch
import transformers

import groupinference as gi
import groupinference.scorers
import groupinference.scorers.base
import groupinference.scorers.wrappers
from groupinference.scorers._preprocess import ImageTransform
import scorer_models as models
import scorer_reference as ref
from groupinference.scorers import (
    CLIPScore,
    DINOv2Embedding,
    DINOv2PatchDiversity,
    EmbeddingScorer,
    PairwiseScorer,
    Scorer,
    UnaryScorer,
)

CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
CLIP_STD = [0.26862954, 0.26130258, 0.27577711]
DINO_MEAN = [0.485, 0.456, 0.406]
DINO_STD = [0.229, 0.224, 0.225]
PROMPT = "a photo of a cat"


@pytest.fixture(scope="module")
def paths(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    root = tmp_path_factory.mktemp("scorer-models")
    return SimpleNamespace(clip=models.build_clip(root / "clip"), dino=models.build_dinov2(root / "dino"),
                           dino_registers=models.build_dinov2(root / "dino-registers", registers=4))


@pytest.fixture(scope="module")
def clip(paths: SimpleNamespace) -> CLIPScore:
    return CLIPScore(paths.clip)


@pytest.fixture(scope="module")
def embedding(paths: SimpleNamespace) -> DINOv2Embedding:
    return DINOv2Embedding(paths.dino, weight=0.5)


@pytest.fixture(scope="module")
def patches(paths: SimpleNamespace) -> DINOv2PatchDiversity:
    return DINOv2PatchDiversity(paths.dino)


def random_images(n: int, height: int = 41, width: int = 53, seed: int = 0) -> torch.Tensor:
    return torch.rand(n, 3, height, width, generator=torch.Generator().manual_seed(seed))


# -- imports ----------------------------------------------------------------------------

def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ, timeout=120)


def test_importing_the_scorers_imports_neither_torch_nor_transformers() -> None:
    done = run_python("import sys, groupinference.scorers as s; s.UnaryScorer(len, name='n'); "
                      "print(sorted(m for m in ('torch', 'transformers') if m in sys.modules))")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_model_scorer_without_torch_says_what_to_install() -> None:
    # None in sys.modules makes `import torch` fail as if it were not installed.
    done = run_python("import sys; sys.modules['torch'] = None; sys.modules['transformers'] = None\n"
                      "from groupinference.scorers import CLIPScore\n"
                      "try:\n    CLIPScore('openai/clip-vit-large-patch14')\n"
                      "except ImportError as e:\n    print(e)\n")
    assert done.returncode == 0, done.stderr
    assert "CLIPScore" in done.stdout and "pip install torch transformers" in done.stdout


# -- loading and preprocessing ------------------------------------------------------------

def test_scorers_report_their_protocol_attributes(clip: CLIPScore, embedding: DINOv2Embedding,
                                                  patches: DINOv2PatchDiversity) -> None:
    assert (clip.kind, clip.name, clip.weight, clip.dim) == ("unary", "CLIPScore", 1.0, None)
    assert (embedding.kind, embedding.name, embedding.weight, embedding.dim) == ("embedding", "DINOv2Embedding", 0.5, 32)
    assert (patches.kind, patches.name, patches.dim) == ("pairwise", "DINOv2PatchDiversity", None)
    assert all(isinstance(s, Scorer) for s in (clip, embedding, patches))
    assert isinstance(clip.model, transformers.CLIPModel)
    assert isinstance(embedding.model, transformers.Dinov2Model)


def test_a_model_of_the_wrong_family_is_refused(paths: SimpleNamespace) -> None:
    with pytest.raises(ValueError, match=r"DINOv2Embedding.*holds a 'clip' model; expected model_type 'dinov2'"):
        DINOv2Embedding(paths.clip)
    with pytest.raises(ValueError, match=r"CLIPScore.*holds a 'dinov2' model; expected model_type 'clip'"):
        CLIPScore(paths.dino)


def test_a_processor_that_does_not_fit_the_clip_model_is_refused(tmp_path: Path) -> None:
    folder = models.build_clip(tmp_path / "clip")
    models._save_processor("CLIPImageProcessor", folder, size={"shortest_edge": 32},
                           crop_size={"height": 24, "width": 24})
    with pytest.raises(ValueError, match=r"gives images of size \(24, 24\), but the vision model expects 30 x 30"):
        CLIPScore(folder)


@pytest.mark.parametrize("size", [(41, 53), (64, 47), (20, 20), (333, 517)])
@pytest.mark.parametrize("family", ["clip", "dino"])
def test_preprocessing_agrees_with_the_transformers_processor(paths: SimpleNamespace, family: str,
                                                              size: tuple[int, int], clip: CLIPScore,
                                                              patches: DINOv2PatchDiversity) -> None:
    """Ours on the device vs transformers' PIL processor on the 8-bit image: within about one 8-bit level."""
    scorer = clip if family == "clip" else patches
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        processor = transformers.AutoImageProcessor.from_pretrained(getattr(paths, family))
    low = torch.rand(3, 3, 5, 7, generator=torch.Generator().manual_seed(1))  # smooth content
    images = torch.nn.functional.interpolate(low, size=size, mode="bilinear", align_corners=False)
    images = (images * 255).round() / 255
    pil = processor(images=[(x.permute(1, 2, 0).numpy() * 255).round().astype(np.uint8) for x in images],
                    return_tensors="pt")["pixel_values"]
    ours = scorer.pixel_values(images)
    assert ours.shape == pil.shape
    one_level = 1 / 255 / min(CLIP_STD if family == "clip" else DINO_STD)
    assert float((ours - pil).abs().max()) < 1.5 * one_level


BAD_CONFIGS = [
    ({"size": {"longest_edge": 32}}, r"unsupported size \{'longest_edge': 32\}"),
    ({"size": 32, "crop_size": {"shortest_edge": 30}}, r"unsupported crop_size"),
    ({"size": 32, "do_resize": True, "resample": 9}, r"resample=9; supported are the PIL codes \[0, 1, 2, 3, 4, 5\]"),
    ({"size": 32, "image_mean": [0.5, 0.5]}, r"needs image_mean with 3 values"),
    ({"size": 32, "image_std": [0.5, 0.0, 0.5]}, r"image_std \(0.5, 0.0, 0.5\); every value must be > 0"),
]


@pytest.mark.parametrize("config, message", BAD_CONFIGS)
def test_an_unusable_processor_config_is_refused(config: dict[str, object], message: str) -> None:
    full = {"image_mean": DINO_MEAN, "image_std": DINO_STD, **config}
    with pytest.raises(ValueError, match="DINOv2Embedding 'x': .*" + message):
        ImageTransform.from_config(full, "DINOv2Embedding 'x'")


def test_older_processor_configs_are_read_like_transformers_reads_them() -> None:
    # openai/clip-vit-large-patch14 stores bare ints: the short side, and a square crop.
    legacy = ImageTransform.from_config({"size": 224, "crop_size": 224, "do_center_crop": True, "resample": "bicubic",
                                         "image_mean": CLIP_MEAN, "image_std": CLIP_STD}, "t")
    assert (legacy.shortest_edge, legacy.crop, legacy.mode) == (224, (224, 224), "bicubic")
    assert legacy(torch.rand(2, 3, 300, 500), torch.float32).shape == (2, 3, 224, 224)
    small = ImageTransform.from_config({"do_resize": False, "crop_size": {"height": 9, "width": 6},
                                        "do_normalize": False}, "t")
    padded = small(torch.ones(1, 3, 4, 6), torch.float32)  # smaller than the crop: black around it
    assert padded.shape == (1, 3, 9, 6) and padded.sum() == 3 * 4 * 6
    assert padded[0, 0, :, 0].tolist() == [0, 0, 0, 1, 1, 1, 1, 0, 0]  # ceil(5 / 2) rows above


# -- CLIPScore ----------------------------------------------------------------------------

def test_clip_score_is_the_cosine_of_the_text_and_image_features(clip: CLIPScore) -> None:
    images = random_images(5)
    pixels = ref.preprocess(images, models.CLIP_SHORTEST_EDGE, models.CLIP_IMAGE_SIZE, CLIP_MEAN, CLIP_STD)
    expected = ref.clip_cosines(clip.model, clip.tokenizer, pixels, PROMPT, 20)
    got = clip.features(images, PROMPT)
    assert got.shape == (5,) and got.dtype == torch.float32
    torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-6)
    assert float(got.std()) > 1e-4  # the images are told apart


def test_clip_score_follows_the_prompt_and_truncates_long_ones(clip: CLIPScore) -> None:
    images = random_images(3)
    pixels = ref.preprocess(images, models.CLIP_SHORTEST_EDGE, models.CLIP_IMAGE_SIZE, CLIP_MEAN, CLIP_STD)
    cat, dog = clip.features(images, "a cat"), clip.features(images, "a dog")  # the cached text changes
    torch.testing.assert_close(dog, ref.clip_cosines(clip.model, clip.tokenizer, pixels, "a dog", 20))
    assert not torch.allclose(cat, dog)
    long_prompt = " ".join(["a photo of a dog"] * 10)  # 50 words; the text model takes 20 tokens
    torch.testing.assert_close(clip.features(images, long_prompt),
                               ref.clip_cosines(clip.model, clip.tokenizer, pixels, long_prompt, 20))


def test_clip_score_needs_a_prompt(clip: CLIPScore) -> None:
    with pytest.raises(ValueError, match=r"CLIPScore 'CLIPScore' needs the prompt"):
        clip.features(random_images(2))
    with pytest.raises(TypeError, match="prompt must be one string, not list"):
        clip.features(random_images(2), [PROMPT])


# -- DINOv2 -------------------------------------------------------------------------------

def test_dinov2_embedding_is_the_cls_token_of_the_model_output(embedding: DINOv2Embedding) -> None:
    images = random_images(4)
    pixels = ref.preprocess(images, models.DINO_SHORTEST_EDGE, models.DINO_CROP, DINO_MEAN, DINO_STD)
    with torch.no_grad():
        expected = embedding.model(pixel_values=pixels).last_hidden_state[:, 0]
    got = embedding.features(images)
    assert got.shape == (4, embedding.dim)
    torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-5)
    assert embedding.reduce(got) is got


def test_patch_diversity_equals_the_pairwise_loop(patches: DINOv2PatchDiversity) -> None:
    images = random_images(6)
    pixels = ref.preprocess(images, models.DINO_SHORTEST_EDGE, models.DINO_CROP, DINO_MEAN, DINO_STD)
    with torch.no_grad():
        tokens = patches.model(pixel_values=pixels).last_hidden_state[:, 1:]
    grid = models.DINO_CROP // models.DINO_PATCH
    assert tokens.shape[1] == grid * grid
    features = patches.features(images)
    assert features.shape == (6, grid * grid, 32)
    matrix = patches.reduce(features)
    assert matrix.shape == (6, 6)
    np.testing.assert_allclose(matrix.numpy(), ref.patch_diversity(tokens), rtol=1e-5, atol=1e-6)
    assert torch.equal(matrix, matrix.T)
    assert torch.equal(matrix.diagonal(), torch.zeros(6))
    assert float(matrix[~torch.eye(6, dtype=torch.bool)].min()) > 0.01  # different images differ


def test_patch_diversity_in_batches_equals_one_batch(patches: DINOv2PatchDiversity) -> None:
    images = random_images(7)
    whole = patches.reduce(patches.features(images))
    chunks = torch.cat([patches.features(images[i:i + 3]) for i in range(0, 7, 3)])
    torch.testing.assert_close(patches.reduce(chunks), whole, rtol=1e-6, atol=1e-6)
    torch.testing.assert_close(patches.score(images, batch_size=2), whole, rtol=1e-6, atol=1e-6)


def test_patch_diversity_of_identical_images_is_zero(patches: DINOv2PatchDiversity) -> None:
    image = random_images(1)
    matrix = patches.score(image.expand(3, -1, -1, -1))
    torch.testing.assert_close(matrix, torch.zeros(3, 3), rtol=0, atol=1e-6)


def test_register_tokens_are_not_patches(paths: SimpleNamespace) -> None:
    scorer = DINOv2PatchDiversity(paths.dino_registers)
    images = random_images(3)
    pixels = ref.preprocess(images, models.DINO_SHORTEST_EDGE, models.DINO_CROP, DINO_MEAN, DINO_STD)
    with torch.no_grad():
        tokens = scorer.model(pixel_values=pixels).last_hidden_state
    assert tokens.shape[1] == 1 + 4 + 49
    np.testing.assert_allclose(scorer.score(images).numpy(), ref.patch_diversity(tokens[:, 5:]), rtol=1e-5, atol=1e-6)
    cls = DINOv2Embedding(paths.dino_registers).features(images)
    torch.testing.assert_close(cls, tokens[:, 0], rtol=1e-5, atol=1e-5)


def test_patch_diversity_reduce_checks_its_input(patches: DINOv2PatchDiversity) -> None:
    with pytest.raises(ValueError, match=r"reduce\(\) takes the \(n, patches, hidden\) features"):
        patches.reduce(torch.zeros(3, 32))


# -- devices and dtypes ---------------------------------------------------------------------

def test_to_moves_the_model_and_returns_the_scorer(paths: SimpleNamespace) -> None:
    scorer = DINOv2Embedding(paths.dino)
    images = random_images(3)
    single = scorer.features(images)
    assert scorer.to("cpu") is scorer and scorer.dtype == torch.float32
    assert scorer.to("cpu", torch.float64) is scorer
    assert scorer.dtype == torch.float64 and scorer.device == torch.device("cpu")
    double = scorer.features(images.half())  # any float input dtype; computed in the model's
    torch.testing.assert_close(double, single, rtol=1e-3, atol=1e-3)
    with pytest.raises(TypeError, match="dtype must be a floating-point torch.dtype"):
        scorer.to("cpu", torch.int32)
    clip = CLIPScore(paths.clip).to("cpu", torch.float64)
    assert clip.features(images, PROMPT).dtype == torch.float32


# -- input and output checks ------------------------------------------------------------------

BAD_IMAGES = [
    (np.zeros((2, 3, 8, 8), dtype=np.float32), TypeError, r"must be a \(n, 3, H, W\) float tensor.*not ndarray"),
    (torch.zeros(2, 8, 8, 3), ValueError, r"got shape \(2, 8, 8, 3\) \(channels last\? use images.permute"),
    (torch.zeros(3, 8, 8), ValueError, r"got shape \(3, 8, 8\)"),
    (torch.zeros(0, 3, 8, 8), ValueError, r"got shape \(0, 3, 8, 8\)"),
    (torch.zeros(2, 3, 8, 8, dtype=torch.uint8), TypeError, r"got dtype torch.uint8 \(uint8 images: divide by 255\)"),
    (torch.full((2, 3, 8, 8), -0.9), ValueError, r"got values in \[-0.9, -0.9\] \(images in \[-1, 1\]: use images / 2 \+ 0.5\)"),
    (torch.full((2, 3, 8, 8), 1.05), ValueError, r"got values in \[1.05, 1.05\]"),
    (torch.full((2, 3, 8, 8), float("nan")), ValueError, "contain NaN or infinite values"),
]


@pytest.mark.parametrize("images, error, message", BAD_IMAGES)
def test_images_outside_the_convention_are_refused(clip: CLIPScore, embedding: DINOv2Embedding,
                                                   patches: DINOv2PatchDiversity, images: object,
                                                   error: type[Exception], message: str) -> None:
    wrapped = [UnaryScorer(lambda x: x[:, 0, 0, 0], name="u"), EmbeddingScorer(lambda x: x[:, :, 0, 0], 3, name="e"),
               PairwiseScorer(lambda x: torch.zeros(len(x), len(x)), name="p")]
    for scorer in [clip, embedding, patches, *wrapped]:
        with pytest.raises(error, match=message) as raised:
            scorer.features(images, PROMPT)
        assert f"{type(scorer).__name__} '{scorer.name}'" in str(raised.value)


def test_images_within_the_tolerance_are_accepted(embedding: DINOv2Embedding) -> None:
    images = random_images(2)
    nudged = images.clone()
    nudged[0, 0, 0, 0], nudged[1, 0, 0, 0] = -0.005, 1.005  # bfloat16-style rounding
    assert embedding.features(nudged).shape == (2, 32)


def test_wrappers_pass_the_prompt_when_the_callable_takes_it() -> None:
    seen: list[object] = []

    def with_prompt(images: torch.Tensor, prompt: str | None = None) -> torch.Tensor:
        seen.append(prompt)
        return images.mean(dim=(1, 2, 3))

    def keyword_only(images: torch.Tensor, *, prompt: str) -> torch.Tensor:
        seen.append(prompt)
        return images.mean(dim=(2, 3))

    def any_keywords(images: torch.Tensor, **options: object) -> torch.Tensor:
        seen.append(options)
        n = len(images)
        return torch.ones(n, n).triu(1)

    def without(images: torch.Tensor) -> list[float]:
        seen.append("no prompt")
        return [0.5] * len(images)

    images = random_images(4)
    assert UnaryScorer(with_prompt, name="a").score(images, "dog", batch_size=3).shape == (4,)
    assert EmbeddingScorer(keyword_only, 3, name="b").features(images, "cat").shape == (4, 3)
    assert PairwiseScorer(any_keywords, name="c").score(images, "bird", batch_size=3).shape == (4, 4)
    without_scores = UnaryScorer(without, name="d").features(images, "fish")
    assert seen == ["dog", "dog", "cat", {"prompt": "bird"}, "no prompt"]
    assert without_scores.dtype == torch.float32 and without_scores.tolist() == [0.5] * 4


def test_pairwise_wrapper_calls_its_callable_once_on_all_images() -> None:
    calls: list[int] = []

    def gaps(images: torch.Tensor) -> torch.Tensor:
        calls.append(len(images))
        v = images.mean(dim=(1, 2, 3))
        return (v[:, None] - v[None, :]).abs()

    images = random_images(5)
    scorer = PairwiseScorer(gaps, name="gaps")
    features = torch.cat([scorer.features(images[:2]), scorer.features(images[2:])])
    assert calls == []
    matrix = scorer.reduce(features)
    assert calls == [5]
    torch.testing.assert_close(matrix, gaps(images))


WRONG_RESULTS = [
    (lambda x: torch.zeros(len(x), 1), ValueError, r"UnaryScorer 'q': the callable returned shape \(3, 1\); expected \(3,\) \(one score per image\)"),
    (lambda x: torch.tensor([0.0, float("nan"), 1.0]), ValueError, r"UnaryScorer 'q': the callable returned a non-finite value \(nan\) at index \(1,\)"),
    (lambda x: ["a", "b", "c"], TypeError, r"UnaryScorer 'q': the callable returned list, not numbers"),
    (lambda x: torch.ones(3, dtype=torch.bool), TypeError, r"UnaryScorer 'q': the callable returned torch.bool values"),
    (lambda x: None, TypeError, r"UnaryScorer 'q': the callable returned NoneType, not numbers"),
]


@pytest.mark.parametrize("fn, error, message", WRONG_RESULTS)
def test_a_wrong_unary_result_names_the_scorer(fn: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        UnaryScorer(fn, name="q").features(random_images(3))  # type: ignore[arg-type]


def test_wrong_embedding_and_pairwise_results_name_the_scorer() -> None:
    images = random_images(3)
    with pytest.raises(ValueError, match=r"EmbeddingScorer 'e': the callable returned shape \(3, 4\); expected \(3, 5\) \(one embedding of width dim=5"):
        EmbeddingScorer(lambda x: torch.zeros(len(x), 4), 5, name="e").features(images)
    with pytest.raises(ValueError, match=r"EmbeddingScorer 'e': the callable returned a non-finite value \(inf\) at index \(2, 0\)"):
        EmbeddingScorer(lambda x: torch.tensor([[0.0], [1.0], [float("inf")]]), 1, name="e").features(images)
    with pytest.raises(ValueError, match=r"PairwiseScorer 'p': the callable returned shape \(3,\); expected \(3, 3\)"):
        PairwiseScorer(lambda x: torch.zeros(len(x)), name="p").score(images)
    with pytest.raises(ValueError, match=r"PairwiseScorer 'p': the callable returned a non-finite value \(nan\) at index \(0, 0\)"):
        PairwiseScorer(lambda x: np.full((3, 3), np.nan), name="p").score(images)


def test_constructor_arguments_are_checked(paths: SimpleNamespace) -> None:
    with pytest.raises(TypeError, match="UnaryScorer 'u': fn must be callable, not int"):
        UnaryScorer(3, name="u")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="a scorer's name must be a non-empty string"):
        UnaryScorer(len, name="")
    with pytest.raises(ValueError, match="EmbeddingScorer 'e': dim must be a positive int, not 0"):
        EmbeddingScorer(len, 0, name="e")
    with pytest.raises(ValueError, match="DINOv2Embedding 'x': weight must be finite, not nan"):
        DINOv2Embedding(paths.dino, name="x", weight=float("nan"))
    with pytest.raises(ValueError, match="batch_size must be a positive int, not 0"):
        UnaryScorer(len, name="u").score(random_images(2), batch_size=0)
    assert DINOv2Embedding(paths.dino, name="looks", weight=2).name == "looks"


def test_docstring_examples() -> None:
    for module in (groupinference.scorers, groupinference.scorers.base, groupinference.scorers.wrappers):
        failed, attempted = doctest.testmod(module)
        assert attempted > 0 and failed == 0, module.__name__


# -- through the real library ------------------------------------------------------------------

def push_loop(scorers: list[Scorer], values: list[torch.Tensor], m: int, k: int, lam: float) -> gi.Result:
    """A host-driven session over fixed candidates: scores pushed for the survivors whenever needed."""
    with gi.Session(num_candidates=m, group_size=k, num_steps=2, lam=lam, first_prune_step=1) as session:
        ids = []
        for scorer in scorers:
            if scorer.kind == "unary":
                ids.append(session.add_unary_scorer(scorer.name, None, weight=scorer.weight))
            elif scorer.kind == "embedding":
                ids.append(session.add_embedding_scorer(scorer.name, None, dim=scorer.dim, weight=scorer.weight))
            else:
                ids.append(session.add_pairwise_scorer(scorer.name, None, weight=scorer.weight))
        while not session.progress.done:
            if session.progress.scores_needed:
                alive = session.survivors
                for scorer, sid, value in zip(scorers, ids, values):
                    if scorer.kind == "unary":
                        session.push_unary(sid, alive, value.double().numpy()[alive])
                    elif scorer.kind == "embedding":
                        session.push_embeddings(sid, alive, value.float().numpy()[alive])
                    else:
                        session.push_pairwise(sid, alive, value.double().numpy()[np.ix_(alive, alive)])
            session.step()
        return session.result()


@pytest.fixture(scope="module")
def scored(clip: CLIPScore, embedding: DINOv2Embedding, patches: DINOv2PatchDiversity) -> SimpleNamespace:
    images = random_images(9, 36, 44, seed=3)
    scorers = [clip, embedding, patches]
    values = [s.score(images, PROMPT, batch_size=4) for s in scorers]
    unary = clip.weight * values[0].double().numpy()
    pairwise = (embedding.weight * ref.one_minus_cos(values[1].double().numpy())
                + patches.weight * values[2].double().numpy())
    return SimpleNamespace(scorers=scorers, values=values, unary=unary, pairwise=pairwise)


def test_a_session_with_the_scorers_pushed_picks_the_brute_force_group(scored: SimpleNamespace) -> None:
    k, lam = 3, 0.4
    group, best, runner_up = ref.best_group(scored.unary, scored.pairwise, k, lam)
    assert best - runner_up > 1e-5 * abs(best)  # the optimum is clear
    result = push_loop(scored.scorers, scored.values, 9, k, lam)
    assert sorted(result.ids.tolist()) == list(group)
    assert result.objective == pytest.approx(best, rel=1e-6)


@pytest.mark.parametrize("triangle", ["upper", "lower"])
def test_a_strictly_triangular_pairwise_matrix_counts_as_its_symmetric_form(scored: SimpleNamespace,
                                                                          triangle: str) -> None:
    """The paper code's form (upper triangle only) must not halve lambda (C API 0.3)."""
    k, lam = 3, 0.4
    symmetric = push_loop(scored.scorers, scored.values, 9, k, lam)
    full = scored.values[2]
    half = full.triu(1) if triangle == "upper" else full.tril(-1)
    triangular = push_loop(scored.scorers, [*scored.values[:2], half], 9, k, lam)
    assert triangular.ids.tolist() == symmetric.ids.tolist()
    assert triangular.objective == pytest.approx(symmetric.objective, rel=1e-12)
    np.testing.assert_allclose(triangular.pairwise, symmetric.pairwise, rtol=1e-12)
