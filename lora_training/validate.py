"""Validation: paint fixed prompts into fixed masks with a seeded generator, so images are comparable by step.

Uses diffusers' own ``StableDiffusionInpaintPipeline`` around the training UNet (no forked sampling loop).
The final pass builds a fresh UNet and loads the saved file with ``load_lora_weights``, which checks the
exported weights themselves, as ``train_text_to_image_lora.py`` does. Runs inside ``fork_rng`` so that
validating never changes the training run's random numbers.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import torch
from PIL import Image, ImageDraw

from .config import Config, ConfigError
from .data import Manifest, fit_to_bucket, make_buckets, nearest_bucket, open_rgb
from .model import Components


@dataclass
class ValidationCase:
    prompt: str
    image: Image.Image
    mask: Image.Image


def centre_mask(size: tuple[int, int]) -> Image.Image:
    """The middle half of each side: a typical wall region, the same for every step."""
    w, h = size
    mask = Image.new("L", size, 0)
    ImageDraw.Draw(mask).rectangle((w // 4, h // 4, w - w // 4 - 1, h - h // 4 - 1), fill=255)
    return mask


def validation_cases(config: Config, manifest: Manifest, paths: list[Path]) -> list[ValidationCase]:
    """One case per prompt; images from the config (one for all, or one each) or else the dataset's first."""
    v = config.validation
    buckets = make_buckets(manifest.resolution, manifest.bucket_step)
    cases = []
    for i, prompt in enumerate(v.prompts):
        if v.images:
            source = Path(v.images[i if len(v.images) > 1 else 0])
            try:
                image = open_rgb(source)
            except OSError as exc:
                raise ConfigError(f"validation.images: cannot read {source}: {exc}") from None
        else:
            image = open_rgb(paths[i % len(paths)])
        image = fit_to_bucket(image, nearest_bucket(image.width, image.height, buckets))
        cases.append(ValidationCase(prompt, image, centre_mask(image.size)))
    return cases


def _pipeline(c: Components, unet: torch.nn.Module):
    from diffusers import DPMSolverMultistepScheduler, StableDiffusionInpaintPipeline

    pipe = StableDiffusionInpaintPipeline(
        vae=c.vae,
        text_encoder=c.text_encoder,
        tokenizer=c.tokenizer,
        unet=unet,
        scheduler=DPMSolverMultistepScheduler.from_config(c.noise_scheduler.config),
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )
    pipe.set_progress_bar_config(disable=True)
    return pipe


def paint(pipe, config: Config, cases: list[ValidationCase], out_dir: Path, dtype: torch.dtype) -> list[Path]:
    v = config.validation
    device = pipe.unet.device
    out_dir.mkdir(parents=True, exist_ok=True)
    autocast = torch.autocast(device.type, dtype=dtype) if dtype != torch.float32 else nullcontext()
    written = []
    devices = [device] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices), autocast:
        for i, case in enumerate(cases):
            image = pipe(
                prompt=case.prompt,
                image=case.image,
                mask_image=case.mask,
                height=case.image.height,
                width=case.image.width,
                num_inference_steps=v.num_inference_steps,
                guidance_scale=v.guidance_scale,
                generator=torch.Generator(device="cpu").manual_seed(v.seed + i),
            ).images[0]
            path = out_dir / f"{i:02d}.png"
            image.save(path)
            written.append(path)
    return written


def run_validation(c: Components, config: Config, cases: list[ValidationCase], step: int) -> list[Path]:
    """Paint with the UNet being trained into ``output_dir/validation/step-<step>/``."""
    was_training = c.unet.training
    c.unet.eval()
    try:
        return paint(
            _pipeline(c, c.unet), config, cases, config.output_path / "validation" / f"step-{step}", c.weight_dtype
        )
    finally:
        c.unet.train(was_training)


def run_final_validation(
    c: Components, config: Config, cases: list[ValidationCase], lora_file: Path, step: int
) -> list[Path]:
    """Paint with a fresh UNet plus the saved file, through ``load_lora_weights`` like the painter does."""
    from diffusers import UNet2DConditionModel

    unet = UNet2DConditionModel.from_pretrained(c.model_id, subfolder="unet", torch_dtype=c.weight_dtype).to(c.device)
    pipe = _pipeline(c, unet)
    pipe.load_lora_weights(str(lora_file), adapter_name="trained")
    return paint(pipe, config, cases, config.output_path / "validation" / f"step-{step}-final", c.weight_dtype)
