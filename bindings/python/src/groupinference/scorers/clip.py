"""CLIPScore: the cosine between a CLIP model's text and image embeddings."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from ._lazy import require
from ._model import ModelScorer

if TYPE_CHECKING:
    import torch


def pooled(output: Any) -> torch.Tensor:
    """get_*_features returns a tensor (transformers 4) or an output whose pooler_output is it (5)."""
    torch = require("torch", "CLIPScore")
    return output if isinstance(output, torch.Tensor) else output.pooler_output


class CLIPScore(ModelScorer):
    """Unary: cos(text embedding of the prompt, image embedding), in [-1, 1].

    Loads ``transformers.CLIPModel``, its tokenizer and its image processor config with
    ``from_pretrained(name_or_path)`` (a hub name or a local folder). Images are resized,
    center-cropped and normalised with torch ops on the model's device following that
    config; the prompt is tokenized once per prompt and truncated to the text model's
    length (77 tokens for OpenAI's CLIP). :meth:`features` needs the prompt.
    """

    kind = "unary"
    model_types = ("clip",)

    def __init__(self, name_or_path: str | os.PathLike[str], *, weight: float = 1.0, name: str | None = None) -> None:
        super().__init__(name_or_path, name=name or "CLIPScore", weight=weight)
        transformers = require("transformers", self._who)
        size = self.config.vision_config.image_size
        if self.transform.output_size() != (size, size):
            raise ValueError(f"{self._who}: the image processor config of {self.name_or_path!r} gives images of "
                             f"size {self.transform.output_size() or 'that depends on the input'}, but the "
                             f"vision model expects {size} x {size}")
        self.model = transformers.CLIPModel.from_pretrained(self.name_or_path).eval()
        self.tokenizer = transformers.AutoTokenizer.from_pretrained(self.name_or_path)
        self.max_tokens = min(int(self.tokenizer.model_max_length), int(self.config.text_config.max_position_embeddings))
        self._text: tuple[Any, torch.Tensor] | None = None  # ((prompt, device, dtype), unit text embedding)

    def text_embedding(self, prompt: str) -> torch.Tensor:
        """The prompt's unit-length text embedding (1, d), float32, cached for the last prompt."""
        torch = require("torch", self._who)
        key = (prompt, self.device, self.dtype)
        if self._text is None or self._text[0] != key:
            tokens = self.tokenizer(prompt, truncation=True, max_length=self.max_tokens, return_tensors="pt")
            with torch.no_grad():
                output = self.model.get_text_features(input_ids=tokens["input_ids"].to(self.device),
                                                      attention_mask=tokens["attention_mask"].to(self.device))
            self._text = (key, torch.nn.functional.normalize(pooled(output).float(), dim=-1))
        return self._text[1]

    def features(self, images: torch.Tensor, prompt: str | None = None) -> torch.Tensor:
        """(b,) cosines between each image and the prompt, float32."""
        torch = require("torch", self._who)
        if prompt is None:
            raise ValueError(f"{self._who} needs the prompt: call features(images, prompt) with the text "
                             "the images should match (group_generate passes the pipeline's prompt)")
        if not isinstance(prompt, str):
            raise TypeError(f"{self._who}: prompt must be one string, not {type(prompt).__name__}")
        pixels = self.pixel_values(images)
        text = self.text_embedding(prompt)
        with torch.no_grad():
            image = torch.nn.functional.normalize(pooled(self.model.get_image_features(pixel_values=pixels)).float(), dim=-1)
        return image @ text[0]
