"""GroupInferenceCallback composes with MultiPipelineCallbacks like any diffusers callback."""

from __future__ import annotations

import torch
from diffusers.callbacks import PipelineCallback
from toy_scorers import trio

import groupinference as gi
from groupinference.diffusers import GroupInferenceCallback, group_generate

PROMPT = "a cat on the beach"


class BatchRecorder(PipelineCallback):
    tensor_inputs = ["latents", "prompt_embeds"]

    def __init__(self):
        super().__init__()
        self.sizes = []

    def callback_fn(self, pipeline, step_index, timestep, callback_kwargs):
        self.sizes.append((callback_kwargs["latents"].shape[0], callback_kwargs["prompt_embeds"].shape[0]))
        return callback_kwargs


def test_composes_with_other_callbacks_and_matches_group_generate(tiny):
    pipe = tiny("sdxl", "euler-ancestral")
    recorder = BatchRecorder()
    session = gi.Session(num_candidates=8, group_size=2, num_steps=3, lam=1.5, prune_ratio=0.5, seed=4)
    with GroupInferenceCallback(pipe, session, trio(), PROMPT, seed=4, progress=False) as group:
        assert set(group.tensor_inputs) == {"latents", "prompt_embeds", "add_text_embeds", "add_time_ids"}
        images = pipe(PROMPT, num_inference_steps=3, output_type="pt", **group.pipeline_kwargs(also=[recorder])).images
    assert recorder.sizes == [(4, 8), (2, 4), (2, 4)]  # after each prune: latents n, guided embeddings 2n
    assert group.ids.tolist() == session.result().ids.tolist()
    out = group_generate(pipe, PROMPT, scorers=trio(), num_candidates=8, group_size=2, num_inference_steps=3,
                         lam=1.5, seed=4, output_type="pt", progress=False)
    assert out.ids.tolist() == group.ids.tolist()
    assert torch.equal(out.images, images)
