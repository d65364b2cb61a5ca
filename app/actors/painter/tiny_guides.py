"""Tiny random-weight geometry guides for ``make_tiny``: two ControlNets and a depth model, built offline.

``DIR/controlnet-lines/`` and ``DIR/controlnet-depth/`` are ``ControlNetModel`` folders shaped for the tiny
inpainting UNet (4 latent channels in, the UNet's blocks and cross-attention size). A freshly made
ControlNet adds nothing (its "zero convolutions" start at zero), so theirs get small seeded random weights:
a guide then visibly changes the result, as a trained one would. ``DIR/depth/`` is a Depth Anything
(``DepthAnythingForDepthEstimation``) with a tiny DINOv2 backbone and a DPT image processor, like
``depth-anything/Depth-Anything-V2-Small-hf`` — loaded the same way through transformers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

DEPTH_SIZE: Final = 112  # the tiny depth model's input side (a multiple of its 14 px patches)


def build_controlnets(inpaint: Path, root: Path) -> None:
    """``root/controlnet-lines`` and ``root/controlnet-depth`` for the tiny UNet in ``inpaint/unet``."""
    import torch
    from diffusers import ControlNetModel, UNet2DConditionModel

    unet = UNet2DConditionModel.from_pretrained(inpaint / "unet")
    cfg = unet.config
    for index, name in enumerate(("lines", "depth")):
        torch.manual_seed(100 + index)
        net = ControlNetModel(
            in_channels=4,
            conditioning_channels=3,
            down_block_types=tuple(cfg.down_block_types),
            block_out_channels=tuple(cfg.block_out_channels),
            layers_per_block=cfg.layers_per_block,
            cross_attention_dim=cfg.cross_attention_dim,
            attention_head_dim=cfg.attention_head_dim,
            norm_num_groups=cfg.norm_num_groups,
            conditioning_embedding_out_channels=(8, 16, 16, 32),
        )
        gen = torch.Generator().manual_seed(200 + index)
        with torch.no_grad():
            zero_convs = [*net.controlnet_down_blocks, net.controlnet_mid_block]
            zero_convs.append(net.controlnet_cond_embedding.conv_out)
            for conv in zero_convs:
                conv.weight.copy_(torch.randn(conv.weight.shape, generator=gen) * 0.05)
                conv.bias.zero_()
        net.save_pretrained(root / f"controlnet-{name}")


def build_depth(folder: Path) -> None:
    """A tiny Depth Anything (relative depth) with its DPT image processor."""
    import torch
    from transformers import DepthAnythingConfig, DepthAnythingForDepthEstimation, Dinov2Config, DPTImageProcessor

    backbone = Dinov2Config(
        image_size=DEPTH_SIZE,
        patch_size=14,
        hidden_size=16,
        num_hidden_layers=4,
        num_attention_heads=2,
        intermediate_size=32,
        out_features=["stage1", "stage2", "stage3", "stage4"],
        apply_layernorm=True,
        reshape_hidden_states=False,
    )
    # a wide initialisation: with the usual 0.02 the random head's output is ~0 everywhere (all one depth)
    config = DepthAnythingConfig(
        backbone_config=backbone,
        patch_size=14,
        reassemble_hidden_size=16,
        neck_hidden_sizes=[8, 8, 16, 16],
        fusion_hidden_size=16,
        head_hidden_size=8,
        depth_estimation_type="relative",
        initializer_range=0.3,
    )
    torch.manual_seed(0)
    model = DepthAnythingForDepthEstimation(config).eval()
    processor = DPTImageProcessor(
        do_resize=True,
        size={"height": DEPTH_SIZE, "width": DEPTH_SIZE},
        keep_aspect_ratio=False,
        ensure_multiple_of=14,
        do_pad=False,
        image_mean=[0.485, 0.456, 0.406],
        image_std=[0.229, 0.224, 0.225],
    )
    model.save_pretrained(folder)
    processor.save_pretrained(folder)
