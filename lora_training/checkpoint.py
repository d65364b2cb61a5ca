"""Checkpoints: ``output_dir/checkpoint-<step>/`` with the LoRA (loadable as is) and the training state.

A checkpoint holds what an uninterrupted run would still have in memory after that step: LoRA weights,
AdamW moments, LR-scheduler position, grad-scaler scale, torch RNG states, and the elapsed time. Per-step
randomness (data order, masks, noise, timesteps, dropout) is derived from ``(seed, step)``, so resuming gives
the same weights as a straight run. Saving goes through a temporary folder and a rename, so a crash mid-save
leaves no half checkpoint; the oldest ones are pruned before a new one is written (like diffusers'
``checkpoints_total_limit``).
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from .config import Config, ConfigError, config_to_dict
from .model import LORA_WEIGHTS_NAME, load_lora_into, save_lora

log = logging.getLogger(__name__)

STATE_NAME = "training_state.pt"
CHECKPOINT_RE = re.compile(r"^checkpoint-(\d+)$")
FORMAT = 1


@dataclass
class TrainState:
    step: int = 0
    elapsed_s: float = 0.0


def list_checkpoints(output_dir: Path) -> list[tuple[int, Path]]:
    """Complete checkpoints, oldest first (a folder counts once its state file is there)."""
    if not output_dir.is_dir():
        return []
    found = []
    for p in output_dir.iterdir():
        m = CHECKPOINT_RE.match(p.name)
        if m and p.is_dir() and (p / STATE_NAME).is_file():
            found.append((int(m.group(1)), p))
    return sorted(found)


def latest_checkpoint(output_dir: Path) -> Path | None:
    found = list_checkpoints(output_dir)
    return found[-1][1] if found else None


def resolve_resume(config: Config) -> Path | None:
    """``""``: none (and output_dir holds no other run); ``"latest"``: newest in output_dir or none; else the
    folder, which must be a checkpoint."""
    resume = config.train.resume
    if not resume:
        if list_checkpoints(config.output_path):
            raise ConfigError(
                f'output_dir {config.output_dir} already has checkpoints: set train.resume = "latest" to '
                "continue that run, or choose another output_dir"
            )
        return None
    if resume == "latest":
        return latest_checkpoint(config.output_path)
    path = Path(resume)
    if not (path / STATE_NAME).is_file() or not (path / LORA_WEIGHTS_NAME).is_file():
        raise ConfigError(
            f"train.resume: {path} is not a checkpoint folder (needs {STATE_NAME} and {LORA_WEIGHTS_NAME})"
        )
    return path


def prune(output_dir: Path, keep_last: int) -> list[Path]:
    """Delete the oldest checkpoints so that, with the one about to be saved, ``keep_last`` remain."""
    found = list_checkpoints(output_dir)
    doomed = [p for _, p in found[: max(0, len(found) - (keep_last - 1))]]
    for p in doomed:
        shutil.rmtree(p)
        log.info("removed old checkpoint %s", p.name)
    return doomed


def save_checkpoint(
    config: Config,
    state: TrainState,
    unet: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    lr_scheduler: Any,
    scaler: torch.amp.GradScaler,
) -> Path:
    output_dir = config.output_path
    final = output_dir / f"checkpoint-{state.step}"
    if final.exists():  # e.g. the last periodic checkpoint is also the final step
        return final
    prune(output_dir, config.checkpoints.keep_last)
    tmp = output_dir / f".checkpoint-{state.step}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    save_lora(unet, tmp)
    torch.save(
        {
            "format": FORMAT,
            "step": state.step,
            "elapsed_s": state.elapsed_s,
            "optimizer": optimizer.state_dict(),
            "lr_scheduler": lr_scheduler.state_dict(),
            "scaler": scaler.state_dict(),
            "torch_rng": torch.get_rng_state(),
            "cuda_rng": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
            "lora": _lora_shape(config),
            "seed": config.seed,
        },
        tmp / STATE_NAME,
    )
    (tmp / "config.json").write_text(json.dumps(config_to_dict(config), indent=2), encoding="utf-8")
    tmp.rename(final)
    return final


def load_checkpoint(
    path: Path,
    config: Config,
    unet: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    lr_scheduler: Any,
    scaler: torch.amp.GradScaler,
) -> TrainState:
    """Restore everything ``save_checkpoint`` wrote; refuse a checkpoint of another LoRA shape."""
    saved = torch.load(path / STATE_NAME, map_location="cpu", weights_only=True)
    if saved.get("format") != FORMAT:
        raise ConfigError(f"train.resume: {path} was written by an incompatible version (format {saved.get('format')})")
    if saved["lora"] != _lora_shape(config):
        raise ConfigError(
            f"train.resume: {path} was trained with lora {saved['lora']}, the config asks for {_lora_shape(config)}"
        )
    if saved["seed"] != config.seed:
        log.warning(
            "resuming with seed %s, the checkpoint used %s: the run will differ from a straight one",
            config.seed,
            saved["seed"],
        )
    load_lora_into(unet, path / LORA_WEIGHTS_NAME)
    optimizer.load_state_dict(saved["optimizer"])
    lr_scheduler.load_state_dict(saved["lr_scheduler"])
    scaler.load_state_dict(saved["scaler"])
    torch.set_rng_state(saved["torch_rng"])
    if saved["cuda_rng"] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(saved["cuda_rng"])
    return TrainState(step=int(saved["step"]), elapsed_s=float(saved["elapsed_s"]))


def _lora_shape(config: Config) -> dict[str, Any]:
    return {
        "rank": config.lora.rank,
        "alpha": config.lora.alpha,
        "target_modules": sorted(config.lora.target_modules),
    }
