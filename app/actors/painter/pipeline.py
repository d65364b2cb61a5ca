"""One paint job in diffusers' stage order: check_inputs → prepare → paint → compose.

Each stage is a plain function so tests can run it alone: ``check_inputs``; ``prepare`` (``segment_photo``,
``region_mask``, ``keep_outs``, ``prepare_job``: crop or rectify, light, guide, detail plan); ``paint`` (the
model's pass) and ``refine`` (the detail pass); ``compose_all`` and ``artworks``. The model calls are
diffusers' own ``StableDiffusionInpaintPipeline`` / ``StableDiffusionControlNetInpaintPipeline``; progress,
previews and cancel hook in through ``callback_on_step_end``; the denoising loop is never forked.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import torch
from PIL import Image, ImageChops

from . import image as img
from .blend import Shading, delight
from .compose import Prepared, PreviewCanvas, compose, mural_array, prepare_region, wall_shading
from .detail import STRENGTH as DETAIL_STRENGTH
from .detail import TILE_BATCH, DetailPlan, blend_tiles, pass_steps, plan_detail
from .errors import PaintError
from .guide import CONDITIONING_SCALE, control_image, control_pipeline
from .models import Models
from .perspective import Flat, rectify, unwarp_array
from .prompt import Prompt, build_prompt
from .safety import check_results
from .schemas import PaintRequest, PaintResult
from .segment import Segmentation, keep_out_mask, segment, wall_mask

MAX_VARIATIONS: Final = 4
MAX_STEPS: Final = 100
FAST_STEPS: Final = (4, 8)
BLENDS: Final = ("wall", "cover")
GUIDES: Final = ("none", "lines", "depth")
DETAILS: Final = ("standard", "high")

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
    total_steps: int = 0  # both passes, known once prepared


@dataclass(slots=True)
class Plan:
    """What ``prepare_job`` made: the model's inputs and what compose needs."""

    mask: Image.Image  # photo-sized L 0/255: what is painted (keep-outs removed)
    prepared: Prepared  # crop, alpha, model-size crop
    image: Image.Image  # what the model paints on (the crop, or the flat wall; de-lit for blend "wall")
    model_mask: Image.Image  # where it repaints
    detail: str  # "standard" | "high": the detail used
    flat: Flat | None = None  # quad mode
    shading: Shading | None = None  # blend "wall"
    control: Image.Image | None = None  # guide's conditioning image
    refine: DetailPlan | None = None  # detail "high", when the photo shows the painting larger


# ---------------------------------------------------------------- 1. check inputs


def check_inputs(request: PaintRequest, max_steps: int = MAX_STEPS, fast_default: int = 6) -> Job:
    """Refuse impossible options early, with exact messages (like diffusers' check_inputs)."""
    if not 1 <= request.variations <= MAX_VARIATIONS:
        raise PaintError("invalid_request", f"variations must be 1–{MAX_VARIATIONS}, got {request.variations}")
    if not 0.0 < request.strength <= 1.0:
        raise PaintError("invalid_request", f"strength must be in (0, 1], got {request.strength}")
    if not 0 <= request.seed < 2**63 - MAX_VARIATIONS:
        raise PaintError("invalid_request", f"seed must be a non-negative 63-bit integer, got {request.seed}")
    if request.blend not in BLENDS:
        raise PaintError("invalid_request", f"blend must be one of {BLENDS}, got {request.blend!r}")
    if request.guide not in GUIDES:
        raise PaintError("invalid_request", f"guide must be one of {GUIDES}, got {request.guide!r}")
    if request.detail is not None and request.detail not in DETAILS:
        raise PaintError("invalid_request", f"detail must be one of {DETAILS} or None, got {request.detail!r}")
    size = request.wall_size_m
    if size is not None and (len(size) != 2 or not all(0.3 <= float(v) <= 200 for v in size)):
        raise PaintError("invalid_request", f"wall_size_m must be [width, height] in metres, 0.3–200, got {size}")
    if request.fast:
        steps = request.steps or fast_default
        if not FAST_STEPS[0] <= steps <= FAST_STEPS[1]:
            raise PaintError(
                "invalid_request", f"fast mode paints in {FAST_STEPS[0]}–{FAST_STEPS[1]} steps, got {steps}"
            )
    else:
        steps = request.steps or request.theme.default_steps
        if not 1 <= steps <= max_steps:
            raise PaintError("invalid_request", f"steps must be 1–{max_steps}, got {steps}")
    if int(steps * request.strength) < 1:
        raise PaintError("invalid_request", f"{steps} steps at strength {request.strength} leave no step to paint")
    return Job(request, steps, request.fast)


# ---------------------------------------------------------------- 2. prepare


def segment_photo(models: Models | None, request: PaintRequest, photo: img.Photo) -> Segmentation | None:
    """One segmentation when the job needs it: to find the wall (auto) or the keep-outs (protect)."""
    needed = request.region.mode == "auto" or (request.protect and request.region.mode in ("box", "quad"))
    if not needed:
        return None
    if models is None:
        raise PaintError("model_unavailable", "finding the wall needs the segmentation model")
    return segment(models.segmenter, models.seg_processor, photo.image, models.device)


def region_mask(
    models: Models | None, request: PaintRequest, photo: img.Photo, seg: Segmentation | None = None
) -> Image.Image:
    """The "L" 0/255 region the user asked for, at the photo's upright size (auto: the wall)."""
    info = photo.info
    img.check_region(request.region, info, request.mask)
    region = request.region
    if region.mode == "box":
        assert region.box is not None
        return img.box_mask(region.box, info.width, info.height)
    if region.mode == "quad":
        assert region.points is not None
        return img.quad_mask(region.points, info.width, info.height)
    if region.mode == "mask":
        assert request.mask is not None
        return img.load_mask(request.mask, info.width, info.height)
    seg = seg or segment_photo(models, request, photo)
    assert seg is not None
    return wall_mask(seg, photo.image.size, protect=request.protect)


def keep_outs(request: PaintRequest, seg: Segmentation | None, size: tuple[int, int]) -> Image.Image | None:
    """What must stay unpainted (windows, doors, people, …): only with ``protect``, never for a drawn mask."""
    if not request.protect or request.region.mode == "mask" or seg is None:
        return None
    return keep_out_mask(seg, size)


def painted_mask(region: Image.Image, keep: Image.Image | None) -> Image.Image:
    """The region minus the keep-outs; ``invalid_region`` when nothing paintable is left."""
    mask = region if keep is None else ImageChops.subtract(region, keep)
    if mask.getbbox() is None:
        raise PaintError("invalid_region", "everything in the region is a window, door or similar: nothing to paint")
    return mask


def prepare_job(models: Models, job: Job, photo: img.Photo, mask: Image.Image, keep: Image.Image | None) -> Plan:
    """Crop (or, for quads, rectify), estimate the wall's light, make the guide's image, plan the detail pass."""
    request = job.request
    native = models.native_size
    prepared = prepare_region(photo.image, mask, native, keep)
    shading = wall_shading(prepared) if request.blend == "wall" else None
    detail = request.detail or models.default_detail
    flat = None
    if request.region.mode == "quad":
        assert request.region.points is not None
        flat = rectify(photo.image, prepared, request.region.points, request.wall_size_m, native, keep, shading)
        image, model_mask, shown = flat.image, flat.mask, flat.footprint
    else:
        image = prepared.image
        if shading is not None:
            image = Image.fromarray(delight(np.asarray(image), shading), "RGB")
        model_mask, shown = prepared.mask, prepared.plan.size
    control = control_image(models, request.guide, image) if request.guide != "none" else None
    refine = None
    if detail == "high":
        refine = plan_detail(image.size, shown, native, job.steps, request.variations, model_mask)
    job.total_steps = pass_steps(job.steps, request.strength) + (refine.total_steps if refine else 0)
    return Plan(mask, prepared, image, model_mask, detail, flat, shading, control, refine)


# ---------------------------------------------------------------- 3. paint


def latents_preview(latents: torch.Tensor) -> Image.Image:
    """First image of a latent batch as a small RGB picture (one matmul, no VAE)."""
    lat = latents[0].detach().float().cpu()
    rgb = torch.einsum("chw,cr->hwr", lat, LATENT_RGB)
    arr = ((rgb + 1.0) * 127.5).clamp(0, 255).to(torch.uint8).numpy()
    return Image.fromarray(arr, "RGB")


def _step_hook(
    job: Job, on_step: Callable[[StepReport], None] | None, should_stop: Callable[[], bool] | None, preview_every: int
) -> Callable[..., dict[str, Any]]:
    """diffusers' ``callback_on_step_end``: counts steps over all passes, reports them, stops on cancel."""

    def on_step_end(pipe: Any, step: int, timestep: Any, tensors: dict[str, Any]) -> dict[str, Any]:
        if should_stop is not None and should_stop():
            raise Canceled
        job.steps_done += 1
        if on_step is not None:
            done, total = job.steps_done, max(job.total_steps, job.steps_done)
            want = preview_every > 0 and done % preview_every == 0 and done < total and preview_every <= total
            on_step(StepReport(done, total, latents_preview(tensors["latents"]) if want else None))
        return {}

    return on_step_end


def _to_images(arrays: Any) -> list[Image.Image]:
    return [Image.fromarray((np.clip(a, 0, 1) * 255 + 0.5).astype(np.uint8), "RGB") for a in arrays]


def paint(
    models: Models,
    job: Job,
    prompt: Prompt,
    plan: Plan,
    on_step: Callable[[StepReport], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    preview_every: int = 0,
) -> list[Image.Image]:
    """The model's pass over the crop (or flat wall): all variations as one batch, seeds seed, seed+1, …"""
    request = job.request
    models.select(request.theme.slug, request.theme.lora_path, request.theme.lora_weight, job.fast)
    generators = [torch.Generator(device="cpu").manual_seed(request.seed + i) for i in range(request.variations)]
    guidance = models.config.fast_guidance_scale if job.fast else models.config.guidance_scale
    pipe, extra = models.pipe, {}
    if request.guide != "none":
        pipe = control_pipeline(models, request.guide)
        extra = {"control_image": plan.control, "controlnet_conditioning_scale": CONDITIONING_SCALE[request.guide]}
    width, height = plan.image.size
    with torch.inference_mode():
        out = pipe(
            prompt=prompt.text,
            negative_prompt=prompt.negative or None,
            image=plan.image,
            mask_image=plan.model_mask,
            height=height,
            width=width,
            strength=request.strength,
            num_inference_steps=job.steps,
            guidance_scale=guidance,
            num_images_per_prompt=request.variations,
            generator=generators,
            output_type="np",
            callback_on_step_end=_step_hook(job, on_step, should_stop, preview_every),
            callback_on_step_end_tensor_inputs=["latents"],
            **extra,
        )
    return _to_images(out.images)


def refine(
    models: Models,
    job: Job,
    prompt: Prompt,
    plan: Plan,
    painted: list[Image.Image],
    on_step: Callable[[StepReport], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> list[Image.Image]:
    """The detail pass: each variation upscaled and refined in feathered native-size tiles (same seed)."""
    detail = plan.refine
    if detail is None:
        return painted
    request = job.request
    guidance = models.config.fast_guidance_scale if job.fast else models.config.guidance_scale
    hook = _step_hook(job, on_step, should_stop, 0)
    mask = plan.model_mask.resize(detail.size, Image.Resampling.BILINEAR).point(lambda v: 255 if v > 0 else 0)
    tw, th = detail.tile
    out: list[Image.Image] = []
    for index, image in enumerate(painted):
        big = image.resize(detail.size, Image.Resampling.LANCZOS)
        tiles: list[Image.Image] = []
        for start in range(0, len(detail.tiles), TILE_BATCH):
            corners = detail.tiles[start : start + TILE_BATCH]
            boxes = [(x, y, x + tw, y + th) for x, y in corners]
            n = len(boxes)
            with torch.inference_mode():
                result = models.pipe(
                    prompt=[prompt.text] * n,
                    negative_prompt=[prompt.negative] * n if prompt.negative else None,
                    image=[big.crop(b) for b in boxes],
                    mask_image=[mask.crop(b) for b in boxes],
                    height=th,
                    width=tw,
                    strength=DETAIL_STRENGTH,
                    num_inference_steps=detail.inference_steps,
                    guidance_scale=guidance,
                    generator=[torch.Generator(device="cpu").manual_seed(request.seed + index) for _ in boxes],
                    output_type="np",
                    callback_on_step_end=hook,
                    callback_on_step_end_tensor_inputs=["latents"],
                )
            tiles += _to_images(result.images)
        out.append(blend_tiles(big, tiles, detail))
    return out


# ---------------------------------------------------------------- 4. compose


def compose_all(photo: img.Photo, painted: list[Image.Image], plan: Plan, blend: str) -> list[bytes]:
    """Each variation laid on the full photo (as paint or as painted) and encoded in the photo's kind."""
    last = len(painted) - 1
    results = []
    for i, p in enumerate(painted):
        patch = unwarp_array(p, plan.flat, plan.prepared) if plan.flat is not None else mural_array(p, plan.prepared)
        image = compose(photo.image, patch, plan.prepared, blend=blend, shading=plan.shading, in_place=i == last)
        results.append(img.encode_result(image, photo))
    return results


def artworks(painted: list[Image.Image], plan: Plan) -> list[bytes]:
    """Quad mode: each variation's flat mural as PNG, at exactly the promised aspect; else none."""
    if plan.flat is None:
        return []
    encoded = []
    for p in painted:
        art = p.resize(plan.flat.artwork_size, Image.Resampling.LANCZOS)
        encoded.append(img.encode_png(art))
    return encoded


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
    """check_inputs → load photo → segment → region → keep-outs → prepare → paint → refine → compose."""
    clock = time.perf_counter
    t0 = clock()
    job = check_inputs(request, fast_default=models.config.fast_steps)
    photo = img.load_photo(request.photo, None, max_bytes, max_pixels)
    t1 = clock()
    img.check_region(request.region, photo.info, request.mask)
    seg = segment_photo(models, request, photo)
    keep = keep_outs(request, seg, photo.image.size)
    mask = painted_mask(region_mask(models, request, photo, seg), keep)
    t2 = clock()
    plan = prepare_job(models, job, photo, mask, keep)
    prompt = build_prompt(request.theme, request.prompt, models.pipe.tokenizer, models.translator)
    canvas = None
    if on_step and preview_every > 0:  # quads: the flat preview is warped back into perspective
        flat = plan.flat
        canvas = PreviewCanvas.build(
            photo.image, plan.prepared, flat.size if flat else None, flat.to_crop if flat else None
        )
    t3 = clock()

    def step(report: StepReport) -> None:
        if on_step is not None:
            on_step(report, canvas)

    if should_stop is not None and should_stop():
        raise Canceled
    painted = paint(models, job, prompt, plan, step, should_stop, preview_every)
    t4 = clock()
    painted = refine(models, job, prompt, plan, painted, step, should_stop)
    t5 = clock()
    images = compose_all(photo, painted, plan, request.blend)
    flat_murals = artworks(painted, plan)
    mask_png = img.encode_mask(mask)
    verdicts = check_results(models, images)
    t6 = clock()
    content_type, ext = img.result_kind(photo.info.format)
    return PaintResult(
        images=images,
        content_type=content_type,
        ext=ext,
        width=photo.info.width,
        height=photo.info.height,
        seed=request.seed,
        prompt_en=prompt.text,
        mask_png=mask_png,
        artworks=flat_murals,
        blend=request.blend,
        protect=request.protect,
        detail=plan.detail,  # type: ignore[arg-type]  # a JobDetail: one of the Literal's values
        guide=request.guide,
        steps_done=job.steps_done,
        messages=job.messages + prompt.messages,
        safety=list(verdicts),
        timings={
            "decode_s": t1 - t0,
            "region_s": t2 - t1,
            "prepare_s": t3 - t2,
            "paint_s": t4 - t3,
            "refine_s": t5 - t4,
            "compose_s": t6 - t5,
            "total_s": t6 - t0,
        },
    )
