"""Export: one ``.safetensors`` LoRA from a run or checkpoint, for diffusers or for kohya/A1111 tools.

The diffusers layout keeps ``lora_adapter_metadata`` (rank, alpha, targets): ``load_lora_weights`` needs it
to rebuild alpha / rank, or the LoRA's strength silently changes. The kohya layout
(``lora_unet_<module>.lora_down.weight`` / ``.lora_up.weight`` / ``.alpha``) comes from diffusers'
``convert_state_dict_to_kohya``, whose ``.alpha`` is the rank; we write the trained alpha instead.
Both get ``saekdam_*`` metadata (theme, trigger words, base model, step) for ``train register``.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors import safe_open
from safetensors.torch import save_file

from .checkpoint import latest_checkpoint
from .model import LORA_WEIGHTS_NAME

DTYPES = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}


class ExportError(ValueError):
    """Nothing exportable where we were pointed."""


def find_lora_file(source: Path) -> Path:
    """A file as is; a checkpoint's weights; a run's newest checkpoint (the final step is always one)."""
    if source.is_file():
        return source
    if not source.is_dir():
        raise ExportError(f"{source} does not exist")
    latest = latest_checkpoint(source)
    if latest is not None:
        return latest / LORA_WEIGHTS_NAME
    if (source / LORA_WEIGHTS_NAME).is_file():
        return source / LORA_WEIGHTS_NAME
    raise ExportError(f"{source} is neither a run folder, a checkpoint-N folder nor a LoRA file")


def read_lora(path: Path) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    try:
        with safe_open(str(path), framework="pt") as f:
            # safe_open is no dict (no __iter__): keys() is its API
            return {k: f.get_tensor(k) for k in f.keys()}, dict(f.metadata() or {})  # noqa: SIM118
    except Exception as exc:  # safetensors raises its own SafetensorError for any bad header
        raise ExportError(f"{path} is not a readable safetensors file: {exc}") from None


def adapter_config(metadata: dict[str, str], path: Path) -> dict:
    """The UNet adapter's LoraConfig as saved by ``save_lora_weights`` (keys without the ``unet.`` prefix)."""
    raw = metadata.get("lora_adapter_metadata")
    if not raw:
        raise ExportError(f"{path} has no lora_adapter_metadata: its alpha is unknown (was it saved without it?)")
    packed = json.loads(raw)
    return {k.removeprefix("unet."): v for k, v in packed.items() if k.startswith("unet.")}


def run_info(lora_file: Path) -> dict:
    """``run.json`` of the run the file belongs to (the run folder or a checkpoint's parent), if any."""
    for folder in (lora_file.parent, lora_file.parent.parent):
        if (folder / "run.json").is_file():
            return json.loads((folder / "run.json").read_text(encoding="utf-8"))
    return {}


def _step_of(lora_file: Path) -> str:
    name = lora_file.parent.name
    if name.startswith("checkpoint-"):
        return name.removeprefix("checkpoint-")
    state = latest_checkpoint(lora_file.parent)
    return state.name.removeprefix("checkpoint-") if state else ""


def to_kohya(state: dict[str, torch.Tensor], alpha: float) -> dict[str, torch.Tensor]:
    """diffusers/peft keys → kohya keys, with ``<module>.alpha`` set to the trained alpha."""
    from diffusers.utils.state_dict_utils import convert_state_dict_to_kohya

    unet_only = {k: v for k, v in state.items() if k.startswith("unet.")}
    converted = convert_state_dict_to_kohya(unet_only)
    return {k: (torch.tensor(float(alpha)) if k.endswith(".alpha") else v) for k, v in converted.items()}


def export_lora(source: Path, out: Path, kohya: bool = False, dtype: str = "fp32") -> Path:
    """Write ``out`` from ``source`` (run folder, checkpoint folder or LoRA file); returns ``out``."""
    if out.suffix != ".safetensors":
        raise ExportError(f"--out must end with .safetensors, got {out}")
    if dtype not in DTYPES:
        raise ExportError(f"dtype must be one of {', '.join(DTYPES)}, got {dtype!r}")
    lora_file = find_lora_file(source)
    state, metadata = read_lora(lora_file)
    if not any(k.startswith("unet.") and ".lora_A." in k for k in state):
        raise ExportError(f"{lora_file} holds no UNet LoRA in diffusers layout (keys unet.*.lora_A.weight)")
    config = adapter_config(metadata, lora_file)
    info = run_info(lora_file)
    extra = {
        "saekdam_theme": str(info.get("theme", "")),
        "saekdam_trigger": str(info.get("trigger", "")),
        "saekdam_base_model": str(info.get("base_model", "")),
        "saekdam_step": _step_of(lora_file),
        "saekdam_rank": str(config.get("r", "")),
        "saekdam_alpha": str(config.get("lora_alpha", "")),
    }
    target = DTYPES[dtype]
    if kohya:
        tensors = to_kohya(state, float(config["lora_alpha"]))
        meta = {
            "ss_network_module": "networks.lora",
            "ss_network_dim": str(config["r"]),
            "ss_network_alpha": str(config["lora_alpha"]),
            **extra,
        }
    else:
        tensors = state
        meta = {"format": "pt", "lora_adapter_metadata": metadata["lora_adapter_metadata"], **extra}
    tensors = {k: (v.to(target) if v.is_floating_point() else v).contiguous() for k, v in tensors.items()}
    out.parent.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(out), metadata=meta)
    return out
