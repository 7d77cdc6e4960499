"""Run the denoiser and the VAE on chunks of batch_size candidates, so peak memory follows the
batch size, not M.

Inside a pipeline's ``__call__`` the denoiser is called once per step with every alive candidate
(twice as many rows under classifier-free guidance). ``chunked_forward`` replaces the module's
``forward`` for the duration of the call with one that splits the table's arguments by candidate
- a chunk of candidates a..b takes their rows of each argument, in the order of the denoiser's
batch ([unconditional rows; conditional rows]: a PAIRED argument is reordered, even when it fits
in one chunk), so with batch_size = 1 the model sees exactly the batch a pipeline run for that
candidate alone would - and reassembles the output rows. ``chunked_decode`` does the same for
``vae.decode``.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import torch

from ._layout import PAIRED
from ._rows import RowMap, model_rows
from .errors import TableMismatchError


@contextmanager
def patched(obj: Any, name: str, replacement: Callable[..., Any]) -> Iterator[None]:
    """Set obj.<name> = replacement (an instance attribute) and restore what was there on exit."""
    had_own = name in vars(obj)
    previous = vars(obj).get(name)
    setattr(obj, name, replacement)
    try:
        yield
    finally:
        if had_own:
            setattr(obj, name, previous)
        else:
            delattr(obj, name)


def chunk_spans(n: int, batch_size: int) -> list[tuple[int, int]]:
    """[(a, b), ...] covering 0..n in steps of batch_size.

    >>> chunk_spans(5, 2)
    [(0, 2), (2, 4), (4, 5)]
    """
    return [(a, min(a + batch_size, n)) for a in range(0, n, batch_size)]


def _first_tensor(result: Any) -> torch.Tensor:
    return result[0]


def _rebuild(result: Any, tensor: torch.Tensor) -> Any:
    """The container of `result` (a tuple or a diffusers BaseOutput) holding `tensor` first."""
    if isinstance(result, tuple):
        return (tensor,) + tuple(result[1:])
    first = dataclasses.fields(result)[0].name
    return dataclasses.replace(result, **{first: tensor})


@contextmanager
def chunked_forward(module: torch.nn.Module, rows: RowMap, batch_size: int,
                    inputs: Mapping[str, str | Mapping[str, str]], lead: str, owner: str) -> Iterator[None]:
    """Split `module`'s forward over chunks of batch_size alive candidates.

    inputs: argument name -> layout; a dict argument: one layout for each of its tensors, or key ->
    layout. lead: the argument whose batch size says whether guidance doubled the rows (its layout
    is the output's). Any other tensor argument with as many rows as `lead` is an error naming it:
    the table would be missing a per-candidate input.
    """
    original = module.forward
    signature = inspect.signature(original)
    where = f"{owner}: {type(module).__name__}.forward"

    @functools.wraps(original)  # pipelines inspect the signature (e.g. whether it takes a generator)
    def forward(*args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(*args, **kwargs)
        n = rows.n
        first = bound.arguments.get(lead)
        if not isinstance(first, torch.Tensor) or first.ndim == 0 or first.shape[0] not in (n, 2 * n):
            shape = tuple(first.shape) if isinstance(first, torch.Tensor) else type(first).__name__
            raise TableMismatchError(f"{where} argument {lead} is {shape}; expected {n} or {2 * n} rows "
                                     f"(one or two per alive candidate)")
        total = first.shape[0]
        blocks = total // n

        def check_unlisted(name: str, value: Any) -> None:
            if isinstance(value, torch.Tensor) and value.ndim > 0 and value.shape[0] == total and n > 1:
                raise TableMismatchError(f"{where} argument {name} has one row per candidate ({tuple(value.shape)}) "
                                         f"but is not in the table's model inputs for {owner}")

        def check_listed(name: str, value: Any) -> None:
            if isinstance(value, torch.Tensor) and value.ndim > 0 and value.shape[0] != total:
                raise TableMismatchError(f"{where} argument {name} has shape {tuple(value.shape)}; the table says "
                                         f"it has one row per candidate row, {total} here")

        def layout_of(name: str, key: str | None) -> str | None:
            layout = inputs.get(name)
            return layout if key is None or layout is None or isinstance(layout, str) else layout.get(key)

        reorders = False
        for name, value in bound.arguments.items():
            for key, item in (value.items() if isinstance(value, dict) else [(None, value)]):
                layout = layout_of(name, key)
                check = check_unlisted if layout is None else check_listed
                check(name if key is None else f"{name}[{key!r}]", item)
                reorders |= layout == PAIRED and isinstance(item, torch.Tensor) and blocks == 2 and n > 1
        if n <= batch_size and not reorders:
            return original(*args, **kwargs)

        def take(value: Any, layout: str | Mapping[str, str] | None, span: torch.Tensor) -> Any:
            if isinstance(value, dict):
                return {k: take(v, layout if isinstance(layout, str) else (layout or {}).get(k), span)
                        for k, v in value.items()}
            per_row = isinstance(value, torch.Tensor) and value.ndim > 0 and value.shape[0] == total
            if isinstance(layout, str) and per_row:
                return value.index_select(0, model_rows(span, n, layout, blocks).to(value.device))
            return value

        outputs, indices, result = [], [], None
        for a, b in chunk_spans(n, batch_size):
            span = torch.arange(a, b)
            chunk = signature.bind(*bound.args, **bound.kwargs)
            for name, layout in inputs.items():
                if name in chunk.arguments:
                    chunk.arguments[name] = take(chunk.arguments[name], layout, span)
            result = original(*chunk.args, **chunk.kwargs)
            outputs.append(_first_tensor(result))
            indices.append(model_rows(span, n, inputs[lead], blocks))
        joined = torch.cat(outputs)
        order = torch.cat(indices).to(joined.device)
        out = torch.empty_like(joined).index_copy_(0, order, joined)
        return _rebuild(result, out)

    with patched(module, "forward", forward):
        yield


@contextmanager
def chunked_decode(vae: Any, batch_size: int) -> Iterator[None]:
    """Split ``vae.decode(z, ...)`` over chunks of batch_size rows of z."""
    original = vae.decode

    @functools.wraps(original)
    def decode(z: torch.Tensor, *args: Any, **kwargs: Any) -> Any:
        if z.shape[0] <= batch_size:
            return original(z, *args, **kwargs)
        results = [original(z[a:b], *args, **kwargs) for a, b in chunk_spans(z.shape[0], batch_size)]
        return _rebuild(results[-1], torch.cat([_first_tensor(r) for r in results]))

    with patched(vae, "decode", decode):
        yield
