"""Random-weight inpainting pipelines and synthetic photo folders, for tests and the benchmark.

Nothing here is downloaded: the tokenizer is built from a handmade vocabulary and every model from its
config with a fixed seed (like diffusers' ``get_dummy_components``), so tests run offline and repeat exactly.
``size="sd15"`` gives Stable Diffusion 1.5's shapes (860M-parameter UNet) for GPU benchmarks.
"""

from __future__ import annotations

import json
import shutil
import string
from pathlib import Path
from typing import Literal

from PIL import Image, ImageDraw

Size = Literal["tiny", "sd15"]


def build_tokenizer(dest: Path) -> Path:
    """Write a character-level CLIP BPE vocabulary: every word splits into letters, which is all tests need."""
    dest.mkdir(parents=True, exist_ok=True)
    symbols = list(string.ascii_lowercase + string.digits + ".,!?'-_:;()")
    tokens = ["<|startoftext|>", "<|endoftext|>"] + symbols + [s + "</w>" for s in symbols]
    (dest / "vocab.json").write_text(json.dumps({t: i for i, t in enumerate(tokens)}), encoding="utf-8")
    (dest / "merges.txt").write_text("#version: 0.2\n", encoding="utf-8")
    return dest


def build_inpaint_pipeline(dest: Path, size: Size = "tiny", seed: int = 0) -> Path:
    """Save a StableDiffusionInpaintPipeline folder (9-channel UNet) with random weights; returns ``dest``."""
    import torch
    from diffusers import AutoencoderKL, DDIMScheduler, StableDiffusionInpaintPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    tok_dir = build_tokenizer(dest / "_tokenizer_src")
    tokenizer = CLIPTokenizer(str(tok_dir / "vocab.json"), str(tok_dir / "merges.txt"), model_max_length=77)
    if size == "tiny":
        hidden, layers, heads, ffn = 32, 2, 4, 37
        unet_kw: dict = dict(
            block_out_channels=(32, 64),
            layers_per_block=1,
            down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
            up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
            sample_size=32,
        )
        vae_kw: dict = dict(block_out_channels=(16, 16, 32, 32), norm_num_groups=8, layers_per_block=1)
    else:  # Stable Diffusion 1.5 shapes: the library defaults are SD1.x's
        hidden, layers, heads, ffn = 768, 12, 12, 3072
        unet_kw = dict(sample_size=64, attention_head_dim=8)
        vae_kw = dict(block_out_channels=(128, 256, 512, 512), layers_per_block=2)
    torch.manual_seed(seed)
    unet = UNet2DConditionModel(in_channels=9, out_channels=4, cross_attention_dim=hidden, **unet_kw)
    torch.manual_seed(seed)
    vae = AutoencoderKL(
        in_channels=3,
        out_channels=3,
        latent_channels=4,
        down_block_types=("DownEncoderBlock2D",) * 4,
        up_block_types=("UpDecoderBlock2D",) * 4,
        scaling_factor=0.18215,
        **vae_kw,
    )
    torch.manual_seed(seed)
    vocab = tokenizer.get_vocab()
    text_encoder = CLIPTextModel(
        CLIPTextConfig(
            vocab_size=len(vocab),
            hidden_size=hidden,
            intermediate_size=ffn,
            num_hidden_layers=layers,
            num_attention_heads=heads,
            max_position_embeddings=77,
            bos_token_id=vocab["<|startoftext|>"],
            eos_token_id=vocab["<|endoftext|>"],
            pad_token_id=vocab["<|endoftext|>"],
        )
    )
    scheduler = DDIMScheduler(
        beta_start=0.00085,
        beta_end=0.012,
        beta_schedule="scaled_linear",
        clip_sample=False,
        set_alpha_to_one=False,
        steps_offset=1,
    )
    pipe = StableDiffusionInpaintPipeline(
        vae=vae,
        text_encoder=text_encoder,
        tokenizer=tokenizer,
        unet=unet,
        scheduler=scheduler,
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )
    pipe.save_pretrained(dest)
    shutil.rmtree(tok_dir)
    return dest


PALETTE = [(200, 60, 40), (40, 120, 200), (240, 200, 60), (60, 160, 90), (150, 80, 170), (30, 30, 30)]


def make_photo_set(
    dest: Path,
    count: int = 6,
    size: tuple[int, int] = (96, 96),
    captions: bool = True,
    caption: str = "striped mural",
) -> Path:
    """Write ``count`` solid-colour and striped PNGs (and same-name .txt captions): a target a LoRA can learn."""
    dest.mkdir(parents=True, exist_ok=True)
    w, h = size
    for i in range(count):
        image = Image.new("RGB", size, PALETTE[i % len(PALETTE)])
        if i % 2:
            draw = ImageDraw.Draw(image)
            other = PALETTE[(i + 3) % len(PALETTE)]
            stripe = max(4, w // 8)
            for x in range(0, w, 2 * stripe):
                draw.rectangle((x, 0, x + stripe - 1, h), fill=other)
        image.save(dest / f"img{i:02d}.png")
        if captions:
            (dest / f"img{i:02d}.txt").write_text(caption, encoding="utf-8")
    return dest
