"""Register: check that a file is a LoRA for our inpainting UNet, then hand it to the themes service.

``validate_lora_file`` reads only the safetensors header and tensors (no pipeline): it recognises the diffusers
and kohya layouts, checks that every ``A``/``down`` has its ``B``/``up`` with one rank, and, when the base
model's UNet config is at hand, that each target module exists with matching shapes (on the meta device, so
no weights are loaded). A LoRA for SDXL or another base fails here with the module named, not in a worker.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import torch

from .export import ExportError, read_lora

THEME_RE = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
MAX_BYTES = 1 << 30


class LoraFileError(ValueError):
    """The file is not a LoRA this painter can load; the message says what is wrong."""


# diffusers/peft: unet.<module>.lora_A.weight; older diffusers (convert_state_dict_to_diffusers): .lora.down.weight
_DIFFUSERS = re.compile(r"^(unet|text_encoder)\.(.+)\.(lora_A|lora_B|lora\.down|lora\.up)(?:\.default)?\.weight$")
_KOHYA = re.compile(r"^lora_(unet|te\d?)_(.+)\.(lora_down|lora_up)\.weight$")
_KOHYA_ALPHA = re.compile(r"^lora_(unet|te\d?)_(.+)\.alpha$")


def _pairs(state: dict[str, torch.Tensor]) -> tuple[str, dict[tuple[str, str], dict[str, torch.Tensor]], dict]:
    """Group tensors by (part, module) into {"A": down, "B": up}; alphas of kohya files on the side."""
    modules: dict[tuple[str, str], dict[str, torch.Tensor]] = {}
    alphas: dict[tuple[str, str], float] = {}
    layout = ""
    unknown = []
    for key, tensor in state.items():
        if m := _DIFFUSERS.match(key):
            layout = layout or "diffusers"
            part = "unet" if m.group(1) == "unet" else "text_encoder"
            modules.setdefault((part, m.group(2)), {})["A" if m.group(3) in ("lora_A", "lora.down") else "B"] = tensor
        elif m := _KOHYA.match(key):
            layout = layout or "kohya"
            part = "unet" if m.group(1) == "unet" else "text_encoder"
            modules.setdefault((part, m.group(2)), {})["A" if m.group(3) == "lora_down" else "B"] = tensor
        elif m := _KOHYA_ALPHA.match(key):
            part = "unet" if m.group(1) == "unet" else "text_encoder"
            alphas[(part, m.group(2))] = float(tensor.float().item())
        else:
            unknown.append(key)
    if unknown and not modules:
        raise LoraFileError(f"no LoRA weights found (first keys: {', '.join(sorted(unknown)[:3])})")
    if unknown:
        raise LoraFileError(f"unexpected keys for a LoRA: {', '.join(sorted(unknown)[:5])}")
    return layout, modules, alphas


def _unet_layers(model: str) -> dict[str, tuple[int, int]] | None:
    """{module name: (in, out)} of the model's UNet Linear/Conv2d layers, built on the meta device."""
    from diffusers import UNet2DConditionModel

    try:
        config = UNet2DConditionModel.load_config(model, subfolder="unet", local_files_only=True)
    except (OSError, ValueError):
        return None
    with torch.device("meta"):
        unet = UNet2DConditionModel.from_config(config)
    layers = {}
    for name, module in unet.named_modules():
        if isinstance(module, torch.nn.Linear):
            layers[name] = (module.in_features, module.out_features)
        elif isinstance(module, torch.nn.Conv2d):
            layers[name] = (module.in_channels, module.out_channels)
    return layers


def default_model() -> str | None:
    """The painter's inpainting model from the app settings, when it can be read offline."""
    try:
        from app.core.settings import load_settings

        settings = load_settings()
    except Exception:  # the app may be absent or misconfigured: the shape check is then skipped
        return None
    # the painter's order (app.actors.painter.config): real model as a folder, pulled into models_dir, the HF
    # cache; the tiny set when models = "tiny" or when "auto" finds no real model
    models_dir = Path(settings.models_dir)
    real = [Path(settings.inpaint_model).expanduser(), models_dir / settings.inpaint_model]
    tiny = [models_dir / "tiny" / "inpaint"]
    order = tiny if settings.models == "tiny" else real + tiny if settings.models == "auto" else real
    for candidate in order:
        if (candidate / "unet" / "config.json").is_file():
            return str(candidate)
    return None if settings.models == "tiny" else settings.inpaint_model


def validate_lora_file(path: Path, model: str | None = None) -> dict[str, Any]:
    """Check ``path`` and describe it: layout, rank, alpha, modules, theme/trigger metadata, sha256.

    ``model`` (folder or cached hub id) enables the per-module shape check against its UNet; without a
    readable model config that check is skipped and ``checked_against`` is empty.
    """
    path = Path(path)
    if not path.is_file():
        raise LoraFileError(f"{path} does not exist")
    if path.suffix != ".safetensors":
        raise LoraFileError(f"{path}: expected a .safetensors file (pickled .ckpt/.bin files are refused)")
    size = path.stat().st_size
    if size == 0 or size > MAX_BYTES:
        raise LoraFileError(f"{path}: size {size} bytes is not plausible for a LoRA")
    try:
        state, metadata = read_lora(path)
    except ExportError as exc:
        raise LoraFileError(str(exc)) from None
    layout, modules, alphas = _pairs(state)
    unet_modules = {name: ab for (part, name), ab in modules.items() if part == "unet"}
    if not unet_modules:
        raise LoraFileError(f"{path} has no UNet LoRA weights (only a text-encoder LoRA?)")
    ranks = set()
    for (part, name), ab in modules.items():
        if set(ab) != {"A", "B"}:
            raise LoraFileError(f"{path}: {part} module {name} lacks its {'up/B' if 'A' in ab else 'down/A'} matrix")
        a, b = ab["A"], ab["B"]
        if a.shape[0] != b.shape[1]:
            raise LoraFileError(f"{path}: {name}: down rank {a.shape[0]} != up rank {b.shape[1]}")
        ranks.add(int(a.shape[0]))
    warnings: list[str] = []
    if layout == "diffusers":
        raw = metadata.get("lora_adapter_metadata")
        config = (
            {k.removeprefix("unet."): v for k, v in json.loads(raw).items() if k.startswith("unet.")} if raw else {}
        )
        alpha = config.get("lora_alpha")
        if alpha is None:
            warnings.append("no lora_adapter_metadata: diffusers will assume alpha = rank")
    else:
        values = {v for (part, _), v in alphas.items() if part == "unet"}
        alpha = values.pop() if len(values) == 1 else (sorted(values) if values else None)
        if not values and alpha is None:
            warnings.append("no .alpha tensors: loaders will assume alpha = rank")
    checked = ""
    model = model if model is not None else default_model()
    layers = _unet_layers(model) if model else None
    if layers is not None:
        checked = model or ""
        by_kohya_name = {name.replace(".", "_"): name for name in layers}
        for name, ab in unet_modules.items():
            real = name if layout == "diffusers" else by_kohya_name.get(name)
            if real not in layers:
                raise LoraFileError(
                    f"{path}: targets UNet module {name!r}, which {model} does not have "
                    "(a LoRA for another base model?)"
                )
            fan_in, fan_out = layers[real]
            if ab["A"].shape[1] != fan_in or ab["B"].shape[0] != fan_out:
                raise LoraFileError(
                    f"{path}: {name} is {ab['A'].shape[1]}→{ab['B'].shape[0]}, the UNet's layer is {fan_in}→{fan_out} "
                    "(a LoRA for another base model?)"
                )
    elif model:
        warnings.append(f"shape check skipped: no UNet config found offline for {model}")
    else:
        warnings.append("shape check skipped: no --model given and the app settings name no local model")
    base = metadata.get("saekdam_base_model", "")
    if base and checked and base != checked:
        warnings.append(f"trained on {base}, checked against {checked}")
    return {
        "path": str(path),
        "format": layout,
        "size_bytes": size,
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "rank": ranks.pop() if len(ranks) == 1 else sorted(ranks),
        "alpha": alpha,
        "modules": len(unet_modules),
        "text_encoder": any(part == "text_encoder" for part, _ in modules),
        "theme": metadata.get("saekdam_theme", ""),
        "trigger": metadata.get("saekdam_trigger", ""),
        "base_model": base,
        "checked_against": checked,
        "warnings": warnings,
    }


def check_registration(theme: str, weight: float) -> None:
    if not THEME_RE.match(theme):
        raise LoraFileError(f"theme {theme!r} is not a theme slug (lower-case letters, digits, - and _)")
    if not 0 < weight <= 2:
        raise LoraFileError(f"--weight must be in (0, 2], got {weight}")


async def register_lora(theme: str, path: Path, weight: float = 1.0, model: str | None = None) -> dict[str, Any]:
    """Validate, then ``app.themes.service.attach_lora``: it stores the file and points the theme at it."""
    check_registration(theme, weight)
    info = validate_lora_file(path, model)
    if info["theme"] and info["theme"] != theme:
        info["warnings"].append(f"the file was trained for theme {info['theme']!r}, registering it for {theme!r}")
    from app.themes.service import attach_lora  # imported here: the app is optional for training

    await attach_lora(theme, Path(path).read_bytes(), weight)
    return info
