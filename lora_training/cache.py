"""Model inputs for a batch: the 9 UNet channels' ingredients and the text conditioning.

Two sources with one interface. ``LiveInputs`` encodes every step, like the diffusers examples.
``CachedInputs`` encodes each photo, each of its ``masks.pool_size`` fixed masked copies and each caption
once: a theme has 20–50 photos trained for hundreds of epochs, so the VAE and text encoder would otherwise
redo the same work every step. The target latent is still re-sampled from the cached posterior
(``mean + std * eps``) each step, as ``latent_dist.sample()`` would.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Protocol

import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

from .data import MuralDataset, derive_seed
from .model import Components, encode_pixels, encode_prompts, scale_latents


@dataclass
class Batch:
    latents: torch.Tensor  # (B, 4, h, w), scaled: what noise is added to
    masked_latents: torch.Tensor  # (B, 4, h, w), scaled latents of the photo with the mask area zeroed
    mask: torch.Tensor  # (B, 1, h, w), 1 = paint, at latent resolution like the pipeline's
    text: torch.Tensor  # (B, 77, D) CLIP hidden states


class InputSource(Protocol):
    def get(self, keys: list[tuple[int, int]]) -> Batch: ...


def latent_mask(mask: torch.Tensor, latent_hw: tuple[int, ...]) -> torch.Tensor:
    """Downsample like ``StableDiffusionInpaintPipeline.prepare_mask_latents`` (nearest interpolation)."""
    return F.interpolate(mask, size=latent_hw)


def _sample(mean: torch.Tensor, std: torch.Tensor, seed: int) -> torch.Tensor:
    eps = torch.randn(mean.shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float32)
    return mean.float() + std.float() * eps.to(mean.device)


class LiveInputs:
    """Per-step VAE and text encoding (no cache): new masks every step, slowest."""

    def __init__(self, c: Components, dataset: MuralDataset) -> None:
        self.c, self.dataset = c, dataset

    def get(self, keys: list[tuple[int, int]]) -> Batch:
        c = self.c
        examples = [self.dataset[k] for k in keys]
        pixels = torch.stack([e["pixels"] for e in examples] + [e["masked_pixels"] for e in examples])
        mean, std = encode_pixels(c, pixels)
        n = len(keys)
        latents = torch.stack([_sample(mean[i], std[i], seed) for i, (_, seed) in enumerate(keys)])
        mask = torch.stack([e["mask"] for e in examples]).to(c.device)
        return Batch(
            latents=scale_latents(c, latents),
            masked_latents=scale_latents(c, mean[n:].float()),
            mask=latent_mask(mask, tuple(latents.shape[-2:])),
            text=encode_prompts(c, [e["caption"] for e in examples]),
        )


class CachedInputs:
    """Everything encoded up front; a step picks one of each photo's pooled masks."""

    def __init__(self, c: Components, dataset: MuralDataset, pool_size: int, seed: int, progress: bool = True) -> None:
        self.c = c
        self.dataset = dataset
        self.pool_size = pool_size
        self.mean: list[torch.Tensor] = []
        self.std: list[torch.Tensor] = []
        self.masks: list[torch.Tensor] = []  # (K, 1, h, w) per photo
        self.masked: list[torch.Tensor] = []  # (K, 4, h, w) per photo
        for index in tqdm(range(len(dataset)), desc="caching latents", disable=not progress, leave=False):
            pixels = dataset.pixels(index)
            # pool masks depend only on (seed, index, slot): the same pool after a resume
            mask = torch.stack(
                [dataset.mask(index, derive_seed(seed, "mask-pool", index, k)) for k in range(pool_size)]
            )
            stack = torch.cat([pixels[None], pixels[None] * (mask < 0.5)])
            means, stds = [], []
            for chunk in stack.split(4):
                m, s = encode_pixels(c, chunk)
                means.append(m)
                stds.append(s)
            mean, std = torch.cat(means), torch.cat(stds)
            self.mean.append(mean[0])
            self.std.append(std[0])
            self.masked.append(scale_latents(c, mean[1:].float()))
            self.masks.append(latent_mask(mask.to(c.device), tuple(mean.shape[-2:])))
        captions = sorted({item.caption for item in dataset.items} | ({""} if dataset.caption_dropout else set()))
        embeddings = encode_prompts(c, captions)
        self.text = {caption: embeddings[i] for i, caption in enumerate(captions)}

    def get(self, keys: list[tuple[int, int]]) -> Batch:
        slots = [random.Random(seed).randrange(self.pool_size) for _, seed in keys]
        latents = torch.stack([_sample(self.mean[i], self.std[i], seed) for i, seed in keys])
        return Batch(
            latents=scale_latents(self.c, latents),
            masked_latents=torch.stack([self.masked[i][k] for (i, _), k in zip(keys, slots, strict=True)]),
            mask=torch.stack([self.masks[i][k] for (i, _), k in zip(keys, slots, strict=True)]),
            text=torch.stack([self.text[self.dataset.caption(i, seed)] for i, seed in keys]),
        )
