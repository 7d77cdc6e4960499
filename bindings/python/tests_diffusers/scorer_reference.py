"""Independent computations the scorer tests compare against: written the plain way."""

from __future__ import annotations

import itertools
import math

import numpy as np
import torch
import torch.nn.functional as F


def preprocess(images: torch.Tensor, shortest_edge: int, crop: int, mean: list[float], std: list[float]) -> torch.Tensor:
    """Resize the short side (transformers' rule: long side int(s * long / short)), center crop, normalise."""
    height, width = images.shape[-2:]
    if height <= width:
        size = (shortest_edge, int(shortest_edge * width / height))
    else:
        size = (int(shortest_edge * height / width), shortest_edge)
    x = F.interpolate(images.float(), size=size, mode="bicubic", antialias=True, align_corners=False).clamp(0, 1)
    top, left = (size[0] - crop) // 2, (size[1] - crop) // 2
    x = x[:, :, top:top + crop, left:left + crop]
    return (x - torch.tensor(mean).view(1, 3, 1, 1)) / torch.tensor(std).view(1, 3, 1, 1)


def pooled(output: object) -> torch.Tensor:
    return output if isinstance(output, torch.Tensor) else output.pooler_output  # type: ignore[attr-defined]


def clip_cosines(model: torch.nn.Module, tokenizer: object, pixels: torch.Tensor, prompt: str, max_tokens: int) -> torch.Tensor:
    """cos(text, image) from get_text_features / get_image_features, one image at a time."""
    tokens = tokenizer(prompt, truncation=True, max_length=max_tokens, return_tensors="pt")  # type: ignore[operator]
    with torch.no_grad():
        text = pooled(model.get_text_features(**tokens))[0]
        values = []
        for image in pixels:
            emb = pooled(model.get_image_features(pixel_values=image[None]))[0]
            values.append(torch.dot(emb, text) / (emb.norm() * text.norm()))
    return torch.stack(values)


def patch_diversity(patches: torch.Tensor) -> np.ndarray:
    """D[i, j] = mean over patches of 1 - cos(f_ip, f_jp), pair by pair (the paper code's loop)."""
    n = len(patches)
    matrix = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            if i != j:
                matrix[i, j] = (1 - F.cosine_similarity(patches[i], patches[j], dim=1)).mean().item()
    return matrix


def one_minus_cos(rows: np.ndarray) -> np.ndarray:
    unit = rows / np.linalg.norm(rows, axis=1, keepdims=True)
    return 1.0 - unit @ unit.T


def best_group(unary: np.ndarray, pairwise: np.ndarray, k: int, lam: float) -> tuple[tuple[int, ...], float, float]:
    """Brute force: the K-subset maximising sum u_i + lam * sum_{i<j} b_ij; also the runner-up's objective."""
    scored = []
    for group in itertools.combinations(range(len(unary)), k):
        value = sum(unary[i] for i in group) + lam * sum(pairwise[i, j] for i, j in itertools.combinations(group, 2))
        scored.append((value, group))
    scored.sort(reverse=True)
    return scored[0][1], scored[0][0], scored[1][0] if len(scored) > 1 else -math.inf
