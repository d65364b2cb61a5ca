"""Models: load the inpainting pipeline's parts, freeze them, add the LoRA, and move LoRA weights in and out.

Follows ``train_text_to_image_lora.py``: everything frozen, ``unet.add_adapter(LoraConfig(...))``, frozen
weights in the mixed-precision dtype and only the trainable LoRA weights upcast to fp32
(``cast_training_params``). Saving always passes the adapter metadata, or the alpha is lost on load.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from .config import ConfigError, LoraSettings

log = logging.getLogger(__name__)

LORA_WEIGHTS_NAME = "pytorch_lora_weights.safetensors"


class ModelError(ConfigError):
    """The pretrained model cannot be used for inpainting LoRA training."""


@dataclass
class Components:
    """The frozen parts plus the UNet that carries the LoRA."""

    tokenizer: Any
    text_encoder: Any
    vae: Any
    unet: Any
    noise_scheduler: Any
    device: torch.device
    weight_dtype: torch.dtype
    model_id: str


def pick_device(name: str) -> torch.device:
    if name != "auto":
        return torch.device(name)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def weight_dtype_for(mixed_precision: str, device: torch.device) -> torch.dtype:
    """fp16 needs CUDA (CPU kernels and GradScaler support are missing or slow); bf16 works everywhere."""
    if mixed_precision == "fp16":
        if device.type != "cuda":
            raise ConfigError(
                f'train.mixed_precision = "fp16" needs a CUDA device (have {device.type}); use "bf16" or "no"'
            )
        return torch.float16
    if mixed_precision == "bf16":
        return torch.bfloat16
    return torch.float32


def load_components(model: str, device: torch.device, weight_dtype: torch.dtype) -> Components:
    """Load tokenizer, text encoder, VAE, 9-channel UNet and a DDPM noise scheduler; everything frozen."""
    from diffusers import AutoencoderKL, DDPMScheduler, UNet2DConditionModel
    from transformers import CLIPTextModel, CLIPTokenizer

    try:
        tokenizer = CLIPTokenizer.from_pretrained(model, subfolder="tokenizer")
        text_encoder = CLIPTextModel.from_pretrained(model, subfolder="text_encoder", dtype=weight_dtype)
        vae = AutoencoderKL.from_pretrained(model, subfolder="vae", torch_dtype=weight_dtype)
        unet = UNet2DConditionModel.from_pretrained(model, subfolder="unet", torch_dtype=weight_dtype)
        noise_scheduler = DDPMScheduler.from_pretrained(model, subfolder="scheduler")
    except (OSError, ValueError) as exc:
        raise ModelError(
            f"cannot load pretrained_model {model!r} (a diffusers inpainting folder or hub id): {exc}"
        ) from None
    if unet.config.in_channels != 9:
        raise ModelError(
            f"pretrained_model {model!r} has a {unet.config.in_channels}-channel UNet; inpainting LoRAs need the "
            "9-channel inpainting UNet (e.g. stable-diffusion-v1-5/stable-diffusion-inpainting)"
        )
    for part in (text_encoder, vae, unet):
        part.requires_grad_(False)
        part.to(device)
    text_encoder.eval()
    vae.eval()
    return Components(tokenizer, text_encoder, vae, unet, noise_scheduler, device, weight_dtype, model)


def check_target_modules(unet: torch.nn.Module, targets: list[str]) -> None:
    """Fail with the choices when a target matches nothing (peft's own error lists every module)."""
    names = [n for n, m in unet.named_modules() if isinstance(m, (torch.nn.Linear, torch.nn.Conv2d))]
    missing = [t for t in targets if not any(n == t or n.endswith("." + t) for n in names)]
    if missing:
        common = sorted(
            {".".join(n.split(".")[-2:]) if n.split(".")[-1].isdigit() else n.split(".")[-1] for n in names}
        )
        raise ConfigError(
            f"lora.target_modules: {', '.join(repr(t) for t in missing)} match no Linear/Conv2d layer of this UNet; "
            f"names that exist include: {', '.join(common[:40])}"
        )


def add_lora(unet: torch.nn.Module, settings: LoraSettings, upcast: bool) -> list[torch.nn.Parameter]:
    """Attach the adapter; return its parameters (the only trainable ones), upcast to fp32 if needed."""
    from diffusers.training_utils import cast_training_params
    from peft import LoraConfig

    check_target_modules(unet, settings.target_modules)
    unet.add_adapter(  # type: ignore[operator]  # diffusers' PeftAdapterMixin method on a Module-typed UNet
        LoraConfig(
            r=settings.rank,
            lora_alpha=settings.alpha,
            lora_dropout=settings.dropout,
            init_lora_weights="gaussian",
            target_modules=list(settings.target_modules),
        )
    )
    if upcast:
        cast_training_params(unet, dtype=torch.float32)
    return [p for p in unet.parameters() if p.requires_grad]


def lora_metadata(unet: torch.nn.Module) -> dict[str, Any]:
    """The adapter config that ``load_lora_weights`` needs to rebuild rank, alpha and targets exactly."""
    config = unet.peft_config["default"].to_dict()  # type: ignore[index,union-attr]  # set by add_adapter
    return json.loads(json.dumps(config, default=lambda o: sorted(o) if isinstance(o, set) else str(o)))


def save_lora(unet: torch.nn.Module, directory: Path) -> Path:
    """Write ``pytorch_lora_weights.safetensors`` (diffusers layout, fp32) with the adapter metadata."""
    from diffusers import StableDiffusionInpaintPipeline
    from peft.utils import get_peft_model_state_dict

    state = {k: v.detach().to("cpu", torch.float32).contiguous() for k, v in get_peft_model_state_dict(unet).items()}
    StableDiffusionInpaintPipeline.save_lora_weights(
        save_directory=directory,
        unet_lora_layers=state,
        unet_lora_adapter_metadata=lora_metadata(unet),
        safe_serialization=True,
    )
    return directory / LORA_WEIGHTS_NAME


def load_lora_into(unet: torch.nn.Module, file: Path) -> None:
    """Put saved LoRA weights back into the adapter of the same shape (resume)."""
    from diffusers.utils import convert_unet_state_dict_to_peft
    from peft.utils import set_peft_model_state_dict
    from safetensors.torch import load_file

    raw = load_file(file)
    state = convert_unet_state_dict_to_peft({k.removeprefix("unet."): v for k, v in raw.items()})
    result = set_peft_model_state_dict(unet, state, adapter_name="default")
    unexpected = getattr(result, "unexpected_keys", None)
    if unexpected:
        raise ModelError(f"{file} does not fit this LoRA (rank or target modules changed?): {unexpected[:3]}")


@torch.no_grad()
def encode_prompts(c: Components, captions: list[str]) -> torch.Tensor:
    """CLIP hidden states, padded to the tokenizer's 77 tokens like the pipeline does."""
    ids = c.tokenizer(
        captions, padding="max_length", max_length=c.tokenizer.model_max_length, truncation=True, return_tensors="pt"
    ).input_ids
    return c.text_encoder(ids.to(c.device), return_dict=False)[0]


@torch.no_grad()
def encode_pixels(c: Components, pixels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The VAE posterior's mean and std (unscaled); a latent is ``mean + std * eps``, times the scaling factor."""
    dist = c.vae.encode(pixels.to(c.device, c.weight_dtype)).latent_dist
    return dist.mean, dist.std


def scale_latents(c: Components, latents: torch.Tensor) -> torch.Tensor:
    shift = getattr(c.vae.config, "shift_factor", None) or 0.0
    return (latents - shift) * c.vae.config.scaling_factor
