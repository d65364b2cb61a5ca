"""Geometry guidance (``guide``): the photo's edges or depth steer the mural through a ControlNet.

``lines``: OpenCV's Canny edges of the photo → a canny ControlNet (``lllyasviel/control_v11p_sd15_canny``).
``depth``: a transformers depth estimator (Depth Anything V2 Small) → a depth ControlNet
(``lllyasviel/control_v11f1p_sd15_depth``). The ControlNet pipeline is diffusers' own
``StableDiffusionControlNetInpaintPipeline`` made with ``from_pipe`` from the loaded inpainting pipeline, so
the UNet, VAE and text encoder are shared (no second copy in memory) and theme LoRAs apply as usual. Models
load on the first job that asks for them; a guide that cannot load fails the job (``guide_unavailable``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import cv2
import numpy as np
from PIL import Image

from .errors import PaintError

if TYPE_CHECKING:
    from .models import Models

CANNY_LOW: Final = 100
CANNY_HIGH: Final = 200
CONDITIONING_SCALE: Final = {"lines": 0.8, "depth": 0.8}


def lines_image(image: Image.Image) -> Image.Image:
    """Canny edges (white on black, 3 channels) of an RGB image, as the canny ControlNet was trained on."""
    gray = cv2.cvtColor(np.asarray(image.convert("RGB")), cv2.COLOR_RGB2GRAY)
    edges = cv2.Canny(gray, CANNY_LOW, CANNY_HIGH)
    return Image.fromarray(np.repeat(edges[..., None], 3, axis=2), "RGB")


def depth_image(models: Models, image: Image.Image) -> Image.Image:
    """Relative depth (near = bright, 3 channels, the image's size) from the depth estimator."""
    import torch

    model, processor = load_depth(models)
    inputs = processor(images=image.convert("RGB"), return_tensors="pt")
    pixels = inputs["pixel_values"].to(device=models.device, dtype=next(model.parameters()).dtype)
    with torch.inference_mode():
        depth = model(pixel_values=pixels).predicted_depth[0].float().cpu().numpy()
    depth = cv2.resize(depth, image.size, interpolation=cv2.INTER_CUBIC)
    lo, hi = np.percentile(depth, [1, 99])
    norm = np.clip((depth - lo) / max(float(hi - lo), 1e-6), 0, 1)
    gray = (norm * 255 + 0.5).astype(np.uint8)
    return Image.fromarray(np.repeat(gray[..., None], 3, axis=2), "RGB")


def control_image(models: Models, guide: str, image: Image.Image) -> Image.Image:
    """The conditioning image for ``guide`` ("lines" or "depth") made from the model's input image."""
    return lines_image(image) if guide == "lines" else depth_image(models, image)


def _source(models: Models, guide: str) -> str:
    source = models.config.controlnet_lines if guide == "lines" else models.config.controlnet_depth
    if not source:
        raise PaintError(
            "guide_unavailable", f"guide {guide!r} needs a ControlNet, and none is configured", guide=guide
        )
    return source


def load_depth(models: Models) -> tuple[Any, Any]:
    """The depth estimator and its processor (loaded once)."""
    if "depth-model" in models.guides:
        return models.guides["depth-model"]
    source = models.config.depth_model
    if not source:
        raise PaintError(
            "guide_unavailable", "guide 'depth' needs a depth model, and none is configured", guide="depth"
        )
    try:
        from transformers import AutoImageProcessor, AutoModelForDepthEstimation

        model = AutoModelForDepthEstimation.from_pretrained(source).to(models.device).eval()
        processor = AutoImageProcessor.from_pretrained(source)
    except Exception as exc:
        raise PaintError(
            "guide_unavailable", f"the depth model {source!r} could not be loaded: {exc}", guide="depth"
        ) from exc
    models.guides["depth-model"] = (model, processor)
    return model, processor


def control_pipeline(models: Models, guide: str) -> Any:
    """diffusers' ControlNet inpainting pipeline for ``guide``, sharing the loaded pipeline's components."""
    pipe = models.guides.get(guide)
    if pipe is None:
        source = _source(models, guide)
        try:
            from diffusers import ControlNetModel, StableDiffusionControlNetInpaintPipeline
            from diffusers.utils import logging as diffusers_logging

            net = ControlNetModel.from_pretrained(source, dtype=models.dtype).to(models.device)
            level = diffusers_logging.get_verbosity()
            diffusers_logging.set_verbosity_error()  # from_pipe's notes on casting shared modules: not ours
            try:
                pipe = StableDiffusionControlNetInpaintPipeline.from_pipe(models.pipe, controlnet=net)
            finally:
                diffusers_logging.set_verbosity(level)
        except Exception as exc:
            raise PaintError(
                "guide_unavailable", f"the {guide} ControlNet {source!r} could not be loaded: {exc}", guide=guide
            ) from exc
        pipe.set_progress_bar_config(disable=True)
        models.guides[guide] = pipe
    pipe.scheduler = models.pipe.scheduler  # the job's scheduler (DPM-Solver++ or LCM), set by Models.select
    return pipe
