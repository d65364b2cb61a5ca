"""One paint job in diffusers' stage order: check_inputs → prepare → paint → compose.

Each stage is a plain function so tests can run it alone. ``paint`` calls diffusers' own
``StableDiffusionInpaintPipeline.__call__`` and hooks in through ``callback_on_step_end`` (progress,
previews, cancel); it never forks the denoising loop.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import torch
from PIL import Image

from . import image as img
from .compose import Prepared, PreviewCanvas, compose, prepare_region
from .errors import PaintError
from .models import Models
from .prompt import Prompt, build_prompt
from .schemas import PaintRequest, PaintResult
from .segment import find_wall

MAX_VARIATIONS: Final = 4
MAX_STEPS: Final = 100
FAST_STEPS: Final = (4, 8)

# Stable Diffusion 1.x latent → RGB, a linear fit (as in A1111's "cheap approximation"): no VAE needed
LATENT_RGB: Final = torch.tensor(
    [[0.298, 0.207, 0.208], [0.187, 0.286, 0.173], [-0.158, 0.189, 0.264], [-0.184, -0.271, -0.473]]
)


class Canceled(Exception):
    """Raised inside the step callback to leave the denoising loop at once."""


@dataclass(frozen=True, slots=True)
class StepReport:
    step: int
    total: int
    preview: Image.Image | None


@dataclass(slots=True)
class Job:
    """A checked request and what the stages produce along the way."""

    request: PaintRequest
    steps: int
    fast: bool
    timings: dict[str, float] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)
    steps_done: int = 0  # denoising steps painted so far, all passes


# ---------------------------------------------------------------- 1. check inputs


def check_inputs(request: PaintRequest, max_steps: int = MAX_STEPS, fast_default: int = 6) -> Job:
    """Refuse impossible options early, with exact messages (like diffusers' check_inputs)."""
    if not 1 <= request.variations <= MAX_VARIATIONS:
        raise PaintError("invalid_request", f"variations must be 1–{MAX_VARIATIONS}, got {request.variations}")
    if not 0.0 < request.strength <= 1.0:
        raise PaintError("invalid_request", f"strength must be in (0, 1], got {request.strength}")
    if not 0 <= request.seed < 2**63 - MAX_VARIATIONS:
        raise PaintError("invalid_request", f"seed must be a non-negative 63-bit integer, got {request.seed}")
    if request.fast:
        steps = request.steps or fast_default
        if not FAST_STEPS[0] <= steps <= FAST_STEPS[1]:
            raise PaintError("invalid_request", f"fast mode paints in {FAST_STEPS[0]}–{FAST_STEPS[1]} steps, got {steps}")
    else:
        steps = request.steps or request.theme.default_steps
        if not 1 <= steps <= max_steps:
            raise PaintError("invalid_request", f"steps must be 1–{max_steps}, got {steps}")
    if int(steps * request.strength) < 1:
        raise PaintError("invalid_request", f"{steps} steps at strength {request.strength} leave no step to paint")
    return Job(request, steps, request.fast)


# ---------------------------------------------------------------- 2. prepare


def region_mask(models: Models | None, request: PaintRequest, photo: img.Photo) -> Image.Image:
    """The "L" 0/255 mask to paint, at the photo's upright size."""
    info = photo.info
    img.check_region(request.region, info, request.mask)
    if request.region.mode == "box":
        assert request.region.box is not None
        return img.box_mask(request.region.box, info.width, info.height)
    if request.region.mode == "quad":
        assert request.region.points is not None
        return img.quad_mask(request.region.points, info.width, info.height)
    if request.region.mode == "mask":
        assert request.mask is not None
        return img.load_mask(request.mask, info.width, info.height)
    if models is None:
        raise PaintError("model_unavailable", "finding the wall needs the segmentation model")
    return find_wall(models.segmenter, models.seg_processor, photo.image, models.device)


def prepare(models: Models, job: Job, photo: img.Photo, mask: Image.Image) -> Prepared:
    """Crop around the mask and scale to the model's native resolution."""
    return prepare_region(photo.image, mask, models.native_size)


# ---------------------------------------------------------------- 3. paint


def latents_preview(latents: torch.Tensor) -> Image.Image:
    """First image of a latent batch as a small RGB picture (one matmul, no VAE)."""
    lat = latents[0].detach().float().cpu()
    rgb = torch.einsum("chw,cr->hwr", lat, LATENT_RGB)
    arr = ((rgb + 1.0) * 127.5).clamp(0, 255).to(torch.uint8).numpy()
    return Image.fromarray(arr, "RGB")


def paint(
    models: Models,
    job: Job,
    prompt: Prompt,
    prepared: Prepared,
    on_step: Callable[[StepReport], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    preview_every: int = 0,
) -> list[Image.Image]:
    """Run diffusers' inpainting on the crop: all variations as one batch, seeds seed, seed+1, …"""
    request = job.request
    models.select(request.theme.slug, request.theme.lora_path, request.theme.lora_weight, job.fast)
    generators = [torch.Generator(device="cpu").manual_seed(request.seed + i) for i in range(request.variations)]
    guidance = models.config.fast_guidance_scale if job.fast else models.config.guidance_scale

    def on_step_end(pipe: Any, step: int, timestep: Any, tensors: dict[str, Any]) -> dict[str, Any]:
        if should_stop is not None and should_stop():
            raise Canceled
        job.steps_done += 1
        if on_step is not None:
            done = step + 1
            total = int(pipe.num_timesteps)
            want_preview = preview_every > 0 and (done % preview_every == 0) and done < total
            on_step(StepReport(done, total, latents_preview(tensors["latents"]) if want_preview else None))
        return {}

    width, height = prepared.plan.model_size
    with torch.inference_mode():
        out = models.pipe(
            prompt=prompt.text, negative_prompt=prompt.negative or None, image=prepared.image,
            mask_image=prepared.mask, height=height, width=width, strength=request.strength,
            num_inference_steps=job.steps, guidance_scale=guidance, num_images_per_prompt=request.variations,
            generator=generators, output_type="np", callback_on_step_end=on_step_end,
            callback_on_step_end_tensor_inputs=["latents"],
        )
    return [Image.fromarray((np.clip(a, 0, 1) * 255 + 0.5).astype(np.uint8), "RGB") for a in out.images]


# ---------------------------------------------------------------- 4. compose


def compose_all(photo: img.Photo, painted: list[Image.Image], prepared: Prepared) -> list[bytes]:
    """Each variation pasted onto the full photo and encoded in the photo's kind (the last one in place)."""
    last = len(painted) - 1
    return [img.encode_result(compose(photo.image, p, prepared, in_place=i == last), photo)
            for i, p in enumerate(painted)]


# ---------------------------------------------------------------- the whole job


def run_job(
    models: Models,
    request: PaintRequest,
    *,
    max_bytes: int,
    max_pixels: int,
    on_step: Callable[[StepReport, PreviewCanvas | None], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    preview_every: int = 0,
) -> PaintResult:
    """check_inputs → load photo → region → prepare → prompt → paint → compose, timing each stage."""
    clock = time.perf_counter
    t0 = clock()
    job = check_inputs(request, fast_default=models.config.fast_steps)
    photo = img.load_photo(request.photo, None, max_bytes, max_pixels)
    t1 = clock()
    mask = region_mask(models, request, photo)
    t2 = clock()
    prepared = prepare(models, job, photo, mask)
    prompt = build_prompt(request.theme, request.prompt, models.pipe.tokenizer, models.translator)
    canvas = PreviewCanvas.build(photo.image, prepared) if (on_step and preview_every > 0) else None
    t3 = clock()

    def step(report: StepReport) -> None:
        if on_step is not None:
            on_step(report, canvas)

    if should_stop is not None and should_stop():
        raise Canceled
    painted = paint(models, job, prompt, prepared, step, should_stop, preview_every)
    t4 = clock()
    images = compose_all(photo, painted, prepared)
    mask_png = img.encode_mask(mask)
    t5 = clock()
    content_type, ext = img.result_kind(photo.info.format)
    return PaintResult(
        images=images, content_type=content_type, ext=ext, width=photo.info.width, height=photo.info.height,
        seed=request.seed, prompt_en=prompt.text, mask_png=mask_png, blend=request.blend, protect=request.protect,
        detail="standard", guide=request.guide, steps_done=job.steps_done, messages=job.messages + prompt.messages,
        timings={
            "decode_s": t1 - t0, "region_s": t2 - t1, "prepare_s": t3 - t2, "paint_s": t4 - t3,
            "compose_s": t5 - t4, "total_s": t5 - t0,
        },
    )
