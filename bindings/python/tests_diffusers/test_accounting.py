"""The evaluations the session reports equal the candidate evaluations the denoiser really made
(counted by a hook on the UNet/transformer), per step and in total; every model call, VAE decode
and scorer batch holds at most batch_size candidates."""

from __future__ import annotations

import pytest
from toy_scorers import trio

from groupinference.diffusers import group_generate

PROMPT = "a photo of a cat"


class Counter:
    """Candidate rows per denoiser call (pipeline level) and per inner call (chunk level)."""

    def __init__(self, model, inner, vae_decoder, per_candidate):
        self.per_candidate = per_candidate
        self.calls: list[int] = []
        self.chunks: list[int] = []
        self.decodes: list[int] = []
        self.handles = [
            model.register_forward_pre_hook(self._call, with_kwargs=True),
            inner.register_forward_pre_hook(lambda m, args: self.chunks.append(args[0].shape[0])),
            vae_decoder.register_forward_pre_hook(lambda m, args: self.decodes.append(args[0].shape[0])),
        ]

    def _call(self, module, args, kwargs):
        x = args[0] if args else kwargs.get("sample", kwargs.get("hidden_states"))
        self.calls.append(x.shape[0] // self.per_candidate)

    def close(self):
        for h in self.handles:
            h.remove()


CASES = [
    ("sd", "dpm++2m", {}, 2, lambda p: p.unet, lambda p: p.unet.conv_in),
    ("sd", "pndm", {"guidance_scale": 1.0}, 1, lambda p: p.unet, lambda p: p.unet.conv_in),
    ("sdxl", "unipc", {}, 2, lambda p: p.unet, lambda p: p.unet.conv_in),
    ("sd3", None, {"max_sequence_length": 16}, 2, lambda p: p.transformer, lambda p: p.transformer.pos_embed),
    ("flux-schnell", None, {"max_sequence_length": 16}, 1, lambda p: p.transformer, lambda p: p.transformer.x_embedder),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}-{c[1] or 'flow-euler'}" for c in CASES])
@pytest.mark.parametrize("schedule", [dict(prune_ratio=0.5), dict(schedule="adaptive", budget=0.7),
                                      dict(schedule="counts", survivor_counts=None)], ids=["ratio", "adaptive", "counts"])
def test_evaluations_equal_model_calls(tiny, case, schedule):
    kind, scheduler, kwargs, per_candidate, model_of, inner_of = case
    pipe = tiny(kind, scheduler)
    m, k, steps, batch_size = 9, 2, 4, 2
    iterations = steps + 1 if scheduler == "pndm" else steps
    if schedule.get("schedule") == "counts":
        schedule = dict(schedule="counts", survivor_counts=[9, 5, 3, 2, 2][-iterations:])
    counter = Counter(model_of(pipe), inner_of(pipe), pipe.vae.decoder, per_candidate)
    scorer_batches = trio()
    try:
        out = group_generate(pipe, PROMPT, scorers=scorer_batches, num_candidates=m, group_size=k,
                             num_inference_steps=steps, batch_size=batch_size, progress=False, **schedule, **kwargs)
    finally:
        counter.close()
    records = out.result.records
    if not kind.startswith("flux"):
        # the pipeline calls the denoiser once per step with every alive candidate: the alive counts
        # the session's records imply, step by step
        alive, expected = m, []
        kept_after = {r.step: len(r.kept) for r in records}
        for t in range(iterations):
            expected.append(alive)
            alive = kept_after.get(t, alive)
        assert counter.calls == expected
    assert out.result.evaluations == sum(counter.calls)
    assert out.result.naive_evaluations == m * iterations
    assert records[-1].evaluations == out.result.evaluations
    # peak memory follows batch_size: no call holds more candidates
    assert max(counter.chunks) <= batch_size * per_candidate
    assert max(counter.decodes) <= batch_size
    assert max(b[0] for s in scorer_batches for b in s.batches) <= batch_size
