"""Tiny random pipelines built from configs, for tests, the example's --tiny and the benchmark.

Every component is built from a config with random weights (no download), the tokenizers from a
small in-memory vocabulary; the pipeline is saved with ``save_pretrained`` and loaded back with
``from_pretrained(path)``, so the real loading code runs. Images are 16 x 16 by default.

>>> pipe = tiny_pipeline("sd", scheduler="euler")                                  # doctest: +SKIP
>>> type(pipe).__name__, type(pipe.scheduler).__name__                             # doctest: +SKIP
('StableDiffusionPipeline', 'EulerDiscreteScheduler')
"""

from __future__ import annotations

import os
import shutil
import string
import tempfile
import weakref
from typing import Any

import torch

KINDS = ("sd", "sdxl", "sd3", "flux-schnell", "flux-dev")

SCHEDULERS = {
    "ddim": ("DDIMScheduler", {}),
    "euler": ("EulerDiscreteScheduler", {}),
    "euler-ancestral": ("EulerAncestralDiscreteScheduler", {}),
    "dpm++2m": ("DPMSolverMultistepScheduler", {"algorithm_type": "dpmsolver++", "solver_order": 2}),
    "unipc": ("UniPCMultistepScheduler", {}),
    "pndm": ("PNDMScheduler", {"skip_prk_steps": True}),
    "flow-euler": ("FlowMatchEulerDiscreteScheduler", {}),
}
"""Short names of the supported schedulers -> (class name, configuration it is built with)."""

_WORDS = ["a", "photo", "of", "dog", "cat", "on", "the", "beach", "painting", "red", "blue", "house", "tree"]


def clip_tokenizer(max_length: int = 32) -> Any:
    """A CLIP BPE tokenizer over single characters (no merges)."""
    from transformers import CLIPTokenizer

    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    for c in string.ascii_lowercase + string.digits + ".,!?'-":
        vocab[c] = len(vocab)
        vocab[c + "</w>"] = len(vocab)
    return CLIPTokenizer(vocab=vocab, merges=[], model_max_length=max_length)


def t5_tokenizer() -> Any:
    """A T5 unigram tokenizer over a few words and the letters."""
    from transformers import T5Tokenizer

    pieces = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0)]
    pieces += [("▁" + w, -1.0) for w in _WORDS] + [("▁", -2.0)] + [(c, -3.0) for c in string.ascii_lowercase]
    return T5Tokenizer(vocab=pieces, extra_ids=0)


def _clip_config(projection_dim: int = 16) -> Any:
    from transformers import CLIPTextConfig

    return CLIPTextConfig(bos_token_id=0, eos_token_id=1, pad_token_id=1, hidden_size=16, intermediate_size=32,
                          num_attention_heads=2, num_hidden_layers=2, vocab_size=len(clip_tokenizer().get_vocab()),
                          max_position_embeddings=32, projection_dim=projection_dim, hidden_act="gelu")


def _t5_encoder() -> Any:
    from transformers import T5Config, T5EncoderModel

    return T5EncoderModel(T5Config(vocab_size=len(t5_tokenizer().get_vocab()), d_model=32, d_kv=8, d_ff=37,
                                   num_layers=1, num_heads=4, relative_attention_num_buckets=8,
                                   relative_attention_max_distance=16, dropout_rate=0.0))


def _vae(**extra: Any) -> Any:
    from diffusers import AutoencoderKL

    return AutoencoderKL(block_out_channels=(8, 16), in_channels=3, out_channels=3,
                         down_block_types=("DownEncoderBlock2D",) * 2, up_block_types=("UpDecoderBlock2D",) * 2,
                         latent_channels=4, norm_num_groups=4, sample_size=16, **extra)


def _diffusion_scheduler() -> Any:
    from diffusers import DDIMScheduler

    return DDIMScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", clip_sample=False,
                         set_alpha_to_one=False, steps_offset=1)


def _components(kind: str) -> tuple[Any, dict[str, Any]]:
    import diffusers as d
    from transformers import CLIPTextModel, CLIPTextModelWithProjection

    if kind == "sd":
        unet = d.UNet2DConditionModel(
            block_out_channels=(8, 16), layers_per_block=1, sample_size=8, in_channels=4, out_channels=4,
            down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"), up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
            cross_attention_dim=16, attention_head_dim=2, norm_num_groups=4)
        return d.StableDiffusionPipeline, dict(
            unet=unet, vae=_vae(), text_encoder=CLIPTextModel(_clip_config()), tokenizer=clip_tokenizer(),
            scheduler=_diffusion_scheduler(), safety_checker=None, feature_extractor=None,
            requires_safety_checker=False)
    if kind == "sdxl":
        unet = d.UNet2DConditionModel(
            block_out_channels=(8, 16), layers_per_block=1, sample_size=8, in_channels=4, out_channels=4,
            down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"), up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
            attention_head_dim=(2, 4), use_linear_projection=True, addition_embed_type="text_time",
            addition_time_embed_dim=8, transformer_layers_per_block=(1, 1),
            projection_class_embeddings_input_dim=6 * 8 + 16, cross_attention_dim=32, norm_num_groups=4)
        return d.StableDiffusionXLPipeline, dict(
            unet=unet, vae=_vae(), text_encoder=CLIPTextModel(_clip_config()), tokenizer=clip_tokenizer(),
            text_encoder_2=CLIPTextModelWithProjection(_clip_config()), tokenizer_2=clip_tokenizer(),
            scheduler=_diffusion_scheduler(), image_encoder=None, feature_extractor=None, add_watermarker=False)
    if kind == "sd3":
        transformer = d.SD3Transformer2DModel(
            sample_size=8, patch_size=1, in_channels=4, num_layers=2, attention_head_dim=8, num_attention_heads=2,
            caption_projection_dim=16, joint_attention_dim=32, pooled_projection_dim=32, out_channels=4)
        return d.StableDiffusion3Pipeline, dict(
            transformer=transformer, vae=_vae(use_quant_conv=False, use_post_quant_conv=False, shift_factor=0.0609,
                                              scaling_factor=1.5035),
            text_encoder=CLIPTextModelWithProjection(_clip_config()), tokenizer=clip_tokenizer(),
            text_encoder_2=CLIPTextModelWithProjection(_clip_config()), tokenizer_2=clip_tokenizer(),
            text_encoder_3=_t5_encoder(), tokenizer_3=t5_tokenizer(), scheduler=d.FlowMatchEulerDiscreteScheduler(),
            image_encoder=None, feature_extractor=None)
    if kind in ("flux-schnell", "flux-dev"):
        transformer = d.FluxTransformer2DModel(
            patch_size=1, in_channels=16, num_layers=1, num_single_layers=1, attention_head_dim=16,
            num_attention_heads=2, joint_attention_dim=32, pooled_projection_dim=16, axes_dims_rope=[4, 4, 8],
            guidance_embeds=(kind == "flux-dev"))
        return d.FluxPipeline, dict(
            transformer=transformer, vae=_vae(use_quant_conv=False, use_post_quant_conv=False, shift_factor=0.0609,
                                              scaling_factor=1.5035),
            text_encoder=CLIPTextModel(_clip_config()), tokenizer=clip_tokenizer(), text_encoder_2=_t5_encoder(),
            tokenizer_2=t5_tokenizer(), scheduler=d.FlowMatchEulerDiscreteScheduler(use_dynamic_shifting=True),
            image_encoder=None, feature_extractor=None)
    raise ValueError(f"kind = {kind!r}; the tiny pipelines are {', '.join(KINDS)}")


def make_scheduler(name: str, config: Any) -> Any:
    """The scheduler called `name` (a key of SCHEDULERS) from a pipeline scheduler's config."""
    import diffusers

    if name not in SCHEDULERS:
        raise ValueError(f"scheduler = {name!r}; the names are {', '.join(SCHEDULERS)}")
    class_name, extra = SCHEDULERS[name]
    return getattr(diffusers, class_name).from_config(config, **extra)


def tiny_pipeline(kind: str = "sd", scheduler: str | None = None, path: str | os.PathLike[str] | None = None,
                  seed: int = 0) -> Any:
    """A tiny random pipeline of `kind` ("sd", "sdxl", "sd3", "flux-schnell", "flux-dev"), saved to
    `path` (a temporary folder, removed with the pipeline, when None) and loaded back from it.

    scheduler: a key of SCHEDULERS; None keeps DDIM (SD, SDXL) or flow-match Euler (SD3, FLUX).
    Images are 16 x 16 unless height/width say otherwise.
    """
    torch.manual_seed(seed)
    cls, components = _components(kind)
    if scheduler is not None:
        components["scheduler"] = make_scheduler(scheduler, components["scheduler"].config)
    own = path is None
    folder = tempfile.mkdtemp(prefix=f"tiny-{kind}-") if own else os.fspath(path)
    cls(**components).save_pretrained(folder)
    pipe = cls.from_pretrained(folder)
    pipe.set_progress_bar_config(disable=True)
    if kind.startswith("flux"):
        pipe.default_sample_size = 8  # FluxPipeline hard-codes 128 (1024 px); tiny images are 16 px
    if own:
        weakref.finalize(pipe, shutil.rmtree, folder, ignore_errors=True)
    return pipe
