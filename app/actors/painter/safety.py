"""The content filter of results before they can reach the public board: diffusers' safety checker
(``StableDiffusionSafetyChecker``, ``CompVis/stable-diffusion-safety-checker``) with its CLIP image processor.

Each result gets a verdict: ``clean``, ``flagged`` (the checker matched a concept) or ``unchecked`` (no
checker configured or it could not load or run). Only ``clean`` results can be published without an admin's
review; the painted images themselves are never altered (the owner keeps them privately).
"""

from __future__ import annotations

import io
import logging
from typing import TYPE_CHECKING, Any, Final, Literal

from PIL import Image

if TYPE_CHECKING:
    from .models import Models

log = logging.getLogger(__name__)

Verdict = Literal["clean", "flagged", "unchecked"]
CHECK_SIZE: Final = 448  # results are shrunk to about this before the processor (which takes 224 px)
_KEY: Final = "safety-checker"


def load_safety(models: Models) -> tuple[Any, Any] | None:
    """The checker and its image processor (loaded once), or None when none is configured or it fails."""
    if _KEY in models.guides:
        return models.guides[_KEY]
    source = models.config.safety_model
    loaded: tuple[Any, Any] | None = None
    if source:
        try:
            from diffusers.pipelines.stable_diffusion.safety_checker import StableDiffusionSafetyChecker
            from transformers import CLIPImageProcessor

            checker = StableDiffusionSafetyChecker.from_pretrained(source).to(models.device).eval()
            loaded = (checker, CLIPImageProcessor.from_pretrained(source))
        except Exception as exc:  # results stay unchecked (and so unpublishable until reviewed)
            log.warning("safety checker %s unavailable: %s", source, exc)
    models.guides[_KEY] = loaded
    return loaded


def _small(data: bytes) -> Image.Image:
    image: Image.Image = Image.open(io.BytesIO(data))
    image.draft("RGB", (CHECK_SIZE, CHECK_SIZE))  # JPEG: decode at a fraction of the size
    image = image.convert("RGB")
    image.thumbnail((CHECK_SIZE, CHECK_SIZE))
    return image


def check_results(models: Models, images: list[bytes]) -> list[Verdict]:
    """One verdict per encoded result image."""
    loaded = load_safety(models)
    if loaded is None:
        return ["unchecked"] * len(images)
    checker, processor = loaded
    try:
        import numpy as np
        import torch

        pictures = [_small(data) for data in images]
        inputs = processor(images=pictures, return_tensors="pt")
        pixels = inputs["pixel_values"].to(device=models.device, dtype=next(checker.parameters()).dtype)
        placeholders = [np.zeros((1, 1, 3)) for _ in pictures]  # the checker blacks out flagged ones: not ours
        with torch.inference_mode():
            _, flags = checker(clip_input=pixels, images=placeholders)
    except Exception:
        log.exception("safety check failed; the results stay unchecked")
        return ["unchecked"] * len(images)
    return ["flagged" if flag else "clean" for flag in flags]
