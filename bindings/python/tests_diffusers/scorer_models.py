"""Tiny random CLIP and DINOv2 models saved with save_pretrained, for the scorer tests.

Everything is built from configs in memory (no download): the folders then go through
the scorers' real loading code, from_pretrained(path).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import torch
import transformers

# A byte-pair vocabulary just big enough to tokenize the test prompts: single letters
# (inside and at the end of a word) plus a few merges.
_MERGES = ["d o", "do g</w>", "c a", "ca t</w>", "p h", "o t", "ph ot", "phot o</w>", "o f</w>"]
CLIP_IMAGE_SIZE = 30   # the vision model's input; the processor resizes the short side to 32, then crops
CLIP_SHORTEST_EDGE = 32
DINO_CROP = 28         # 7 x 7 patches of 4 pixels
DINO_SHORTEST_EDGE = 32
DINO_PATCH = 4


def _clip_tokenizer(folder: Path) -> transformers.PreTrainedTokenizerBase:
    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    for letter in "abcdefghijklmnopqrstuvwxyz":
        vocab[letter] = len(vocab)
    for letter in "abcdefghijklmnopqrstuvwxyz":
        vocab[letter + "</w>"] = len(vocab)
    for merge in _MERGES:
        vocab["".join(merge.split())] = len(vocab)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.json").write_text(json.dumps(vocab))
    (folder / "merges.txt").write_text("#version: 0.2\n" + "\n".join(_MERGES) + "\n")
    return transformers.CLIPTokenizer.from_pretrained(folder)


def _save_processor(processor_class: str, folder: Path, **config: object) -> None:
    # Without torchvision transformers 5 falls back to its PIL processors with a warning.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cls = getattr(transformers, processor_class + "Pil", None) or getattr(transformers, processor_class)
        cls(**config).save_pretrained(folder)


def build_clip(folder: Path, seed: int = 0) -> Path:
    """A 2-layer CLIP (text and vision) with its tokenizer and image processor config in `folder`."""
    tokenizer = _clip_tokenizer(folder / "vocabulary")
    config = transformers.CLIPConfig(
        text_config=dict(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=37, num_hidden_layers=2,
                         num_attention_heads=4, max_position_embeddings=20, bos_token_id=0, eos_token_id=1,
                         pad_token_id=1),
        vision_config=dict(hidden_size=32, intermediate_size=37, num_hidden_layers=2, num_attention_heads=4,
                           image_size=CLIP_IMAGE_SIZE, patch_size=6),
        projection_dim=16,
    )
    torch.manual_seed(seed)
    transformers.CLIPModel(config).eval().save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    _save_processor("CLIPImageProcessor", folder, size={"shortest_edge": CLIP_SHORTEST_EDGE},
                    crop_size={"height": CLIP_IMAGE_SIZE, "width": CLIP_IMAGE_SIZE})
    return folder


def build_dinov2(folder: Path, seed: int = 0, registers: int = 0) -> Path:
    """A 2-layer DINOv2 (with `registers` register tokens if > 0) and its processor config in `folder`."""
    common = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=4, mlp_ratio=2,
                  image_size=DINO_CROP, patch_size=DINO_PATCH)
    torch.manual_seed(seed)
    if registers:
        model = transformers.Dinov2WithRegistersModel(
            transformers.Dinov2WithRegistersConfig(num_register_tokens=registers, **common))
    else:
        model = transformers.Dinov2Model(transformers.Dinov2Config(**common))
    model.eval().save_pretrained(folder)
    _save_processor("BitImageProcessor", folder, size={"shortest_edge": DINO_SHORTEST_EDGE},
                    crop_size={"height": DINO_CROP, "width": DINO_CROP},
                    image_mean=[0.485, 0.456, 0.406], image_std=[0.229, 0.224, 0.225])
    return folder
