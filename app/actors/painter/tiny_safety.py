"""A tiny ``StableDiffusionSafetyChecker`` (diffusers' class, a CLIP vision tower) with hand-set weights, so
tests can see both a flagged and a clean result offline.

What it "sees": an image is flagged when **most of it is strongly red**. The CLIP image processor brings the
image to 32×32 px; each 8×8 patch counts as red when its mean R − (G + B)/2 exceeds ``RED_THRESHOLD`` (in
0–1 units); the image is flagged when red patches outnumber the others. Pure red (255, 0, 0) is flagged, a
white or gray wall is not. ``make_red_photo`` builds a photo the check flags.

How the weights do it: the patch embedding measures each patch's redness on hidden channel 0 (and its
negative on channel 1), the position embeddings subtract the threshold, and the layer norms turn that into ±1.
One encoder layer with zero queries and keys attends uniformly, so the class token becomes the mean over the
patches (red − not red); the projection keeps that sign, and concept 0 (the only one that can match) fires
when it is positive.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from PIL import Image

RED_THRESHOLD: Final = 0.4
IMAGE_SIZE: Final = 32
PATCH: Final = 8
HIDDEN: Final = 8
PROJECTION: Final = 8


def make_red_photo(width: int = 160, height: int = 120) -> Image.Image:
    """A photo the tiny safety checker flags (nearly all strong red), bright enough to carry a box region."""
    return Image.new("RGB", (width, height), (230, 20, 20))


def build_safety_checker(folder: Path) -> None:
    """Write the tiny checker and its CLIP image processor to ``folder`` (``from_pretrained`` loads both)."""
    import torch
    from diffusers.pipelines.stable_diffusion.safety_checker import StableDiffusionSafetyChecker
    from transformers import CLIPConfig, CLIPImageProcessor

    config = CLIPConfig(
        text_config={
            "vocab_size": 64,
            "hidden_size": 8,
            "intermediate_size": 16,
            "num_hidden_layers": 1,
            "num_attention_heads": 2,
            "max_position_embeddings": 16,
            "projection_dim": PROJECTION,
            "bos_token_id": 0,
            "eos_token_id": 1,
            "pad_token_id": 1,
        },
        vision_config={
            "image_size": IMAGE_SIZE,
            "patch_size": PATCH,
            "hidden_size": HIDDEN,
            "intermediate_size": 16,
            "num_hidden_layers": 1,
            "num_attention_heads": 2,
            "projection_dim": PROJECTION,
        },
        projection_dim=PROJECTION,
    )
    torch.manual_seed(0)
    checker = StableDiffusionSafetyChecker(config).eval()
    processor = CLIPImageProcessor(
        size={"shortest_edge": IMAGE_SIZE}, crop_size={"height": IMAGE_SIZE, "width": IMAGE_SIZE}
    )
    mean, std = processor.image_mean, processor.image_std
    vision = getattr(checker.vision_model, "vision_model", checker.vision_model)  # older transformers nest it
    with torch.no_grad():
        for param in checker.parameters():
            param.zero_()
        emb = vision.embeddings
        area = PATCH * PATCH
        # channel 0: mean over the patch of R − (G + B)/2 (undoing the processor's normalisation) …
        for c, weight in enumerate((1.0, -0.5, -0.5)):
            emb.patch_embedding.weight[0, c] = weight * std[c] / area
            emb.patch_embedding.weight[1, c] = -weight * std[c] / area
        # … minus the threshold (and the normalisation's offset), on every patch position (not the class token)
        offset = mean[0] - 0.5 * mean[1] - 0.5 * mean[2] - RED_THRESHOLD
        emb.position_embedding.weight[1:, 0] = offset
        emb.position_embedding.weight[1:, 1] = -offset
        for norm in (
            vision.pre_layrnorm,
            vision.post_layernorm,
            *[m for layer in vision.encoder.layers for m in (layer.layer_norm1, layer.layer_norm2)],
        ):
            norm.weight.fill_(1.0)
        for layer in vision.encoder.layers:  # zero queries and keys: uniform attention, values pass through
            layer.self_attn.v_proj.weight.copy_(torch.eye(HIDDEN))
            layer.self_attn.out_proj.weight.copy_(torch.eye(HIDDEN))
        checker.visual_projection.weight[0, 0] = 1.0
        checker.concept_embeds[:, 1] = 1.0  # every concept looks along a direction the image never has …
        checker.concept_embeds[0] = 0.0
        checker.concept_embeds[0, 0] = 1.0  # … but concept 0: "red"
        checker.concept_embeds_weights.fill_(1.0)
        checker.concept_embeds_weights[0] = 0.5
        checker.special_care_embeds[:, 1] = 1.0
        checker.special_care_embeds_weights.fill_(1.0)
    checker.save_pretrained(folder)
    processor.save_pretrained(folder)
