"""The training loop: LoRA on the 9-channel inpainting UNet, in the stages of diffusers' LoRA examples.

``main(config)`` reads top to bottom: 1. check the runtime, 2. data, 3. models + LoRA, 4. optimizer and LR
schedule, 5. resume, 6. encode (cache), 7. loop, 8. save, validate, plot. One optimizer step is
``gradient_accumulation`` micro-batches; "step" everywhere (CSV, checkpoints, validation) means optimizer
steps. Randomness for micro-batch ``p`` comes from ``(seed, p)`` alone, so a resumed run repeats a straight
one exactly.
"""

from __future__ import annotations

import json
import logging
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

from . import checkpoint as ckpt
from .cache import Batch, CachedInputs, InputSource, LiveInputs
from .config import Config, config_to_dict
from .data import BucketBatchSampler, MuralDataset, derive_seed, load_manifest
from .metrics import LossLog, plot_loss
from .model import Components, add_lora, load_components, pick_device, save_lora, weight_dtype_for
from .validate import run_final_validation, run_validation, validation_cases

log = logging.getLogger(__name__)


@dataclass
class TrainResult:
    output_dir: Path
    lora_file: Path
    step: int
    losses: list[float] = field(default_factory=list)  # this invocation's steps only
    samples: int = 0
    train_seconds: float = 0.0  # caching + loop, without model loading

    @property
    def samples_per_second(self) -> float:
        return self.samples / self.train_seconds if self.train_seconds else 0.0


def make_lr_scheduler(config: Config, optimizer: torch.optim.Optimizer, total_steps: int) -> Any:
    from diffusers.optimization import get_scheduler

    name: str = config.optim.scheduler
    if name == "constant" and config.optim.warmup_steps:
        name = "constant_with_warmup"
    return get_scheduler(
        name, optimizer=optimizer, num_warmup_steps=config.optim.warmup_steps, num_training_steps=total_steps
    )


def diffusion_loss(c: Components, batch: Batch, generator: torch.Generator, config: Config) -> torch.Tensor:
    """Noise the latents, predict from [noisy | mask | masked latents] (9 channels), MSE with optional min-SNR."""
    from diffusers.training_utils import compute_snr

    scheduler = c.noise_scheduler
    latents = batch.latents.float()
    bsz = latents.shape[0]
    noise = torch.randn(latents.shape, generator=generator).to(c.device)
    if config.train.noise_offset:
        noise += config.train.noise_offset * torch.randn((bsz, latents.shape[1], 1, 1), generator=generator).to(
            c.device
        )
    timesteps = torch.randint(0, scheduler.config.num_train_timesteps, (bsz,), generator=generator).to(c.device)
    noisy = scheduler.add_noise(latents, noise, timesteps)
    model_input = torch.cat([noisy, batch.mask.float(), batch.masked_latents.float()], dim=1).to(c.weight_dtype)
    autocast = c.weight_dtype != torch.float32
    with torch.autocast(c.device.type, dtype=c.weight_dtype, enabled=autocast):
        pred = c.unet(model_input, timesteps, batch.text.to(c.weight_dtype), return_dict=False)[0]
    if scheduler.config.prediction_type == "epsilon":
        target = noise
    elif scheduler.config.prediction_type == "v_prediction":
        target = scheduler.get_velocity(latents, noise, timesteps)
    else:
        raise ValueError(f"unknown prediction type {scheduler.config.prediction_type}")
    if config.train.snr_gamma is None:
        return F.mse_loss(pred.float(), target.float())
    snr = compute_snr(scheduler, timesteps)
    weights = torch.clamp(snr, max=config.train.snr_gamma)
    weights = weights / snr if scheduler.config.prediction_type == "epsilon" else weights / (snr + 1)
    loss = F.mse_loss(pred.float(), target.float(), reduction="none").mean(dim=(1, 2, 3))
    return (loss * weights).mean()


def main(config: Config, *, progress: bool = True, stop_at: int | None = None) -> TrainResult:
    """Train (or continue) the run described by ``config``; returns where the LoRA was written.

    ``stop_at`` pauses after that step of the planned run (same LR schedule), checkpointed so that
    ``resume = "latest"`` continues it: for time-sliced or preemptible sessions.
    """
    out = config.output_path
    # 1. Check the runtime: device and precision
    device = pick_device(config.train.device)
    weight_dtype = weight_dtype_for(config.train.mixed_precision, device)
    resume_from = ckpt.resolve_resume(config)

    # 2. Data: manifest (images re-hashed), dataset, bucketed batches
    manifest, paths = load_manifest(Path(config.manifest))
    dataset = MuralDataset(manifest, paths, config.masks, config.train.caption_dropout)
    sampler = BucketBatchSampler([item.bucket for item in manifest.items], config.optim.batch_size, config.seed)
    accum = config.optim.gradient_accumulation
    if config.train.max_steps is not None:
        max_steps = config.train.max_steps
    else:
        assert config.train.epochs is not None  # the config check requires exactly one of the two
        max_steps = math.ceil(config.train.epochs * sampler.batches_per_epoch / accum)
    cases = validation_cases(config, manifest, paths) if config.validation.prompts else []

    # 3. Models, frozen; the LoRA is the only trainable part
    c = load_components(config.pretrained_model, device, weight_dtype)
    torch.manual_seed(config.seed)  # the LoRA's gaussian init
    params = add_lora(c.unet, config.lora, upcast=weight_dtype != torch.float32)
    if config.train.gradient_checkpointing:
        c.unet.enable_gradient_checkpointing()
    c.unet.train()

    # 4. Optimizer and learning-rate schedule
    optimizer = torch.optim.AdamW(params, lr=config.optim.learning_rate, weight_decay=config.optim.weight_decay)
    lr_scheduler = make_lr_scheduler(config, optimizer, max_steps)
    scaler = torch.amp.GradScaler(device.type, enabled=weight_dtype == torch.float16)

    # 5. Resume: same step, optimizer moments, schedule position and RNG
    state = ckpt.TrainState()
    if resume_from is not None:
        state = ckpt.load_checkpoint(resume_from, config, c.unet, optimizer, lr_scheduler, scaler)
        log.info("resumed from %s at step %d", resume_from, state.step)
    out.mkdir(parents=True, exist_ok=True)
    _write_run_info(out, config, manifest, max_steps)

    # 6. Inputs: encode once (cache) or every step
    started = time.perf_counter()
    inputs: InputSource
    if config.train.cache:
        inputs = CachedInputs(c, dataset, config.masks.pool_size, config.seed, progress=progress)
    else:
        inputs = LiveInputs(c, dataset)

    # 7. Loop
    result = TrainResult(output_dir=out, lora_file=out / "pytorch_lora_weights.safetensors", step=state.step)
    loss_log = LossLog(out / "loss.csv", resume_step=state.step)
    bar = tqdm(total=max_steps, initial=state.step, desc="training", unit="step", disable=not progress)
    elapsed0 = state.elapsed_s
    last_saved = state.step if resume_from is not None else -1
    try:
        end = max_steps if stop_at is None else min(stop_at, max_steps)
        while state.step < end:
            lr = lr_scheduler.get_last_lr()[0]
            loss = _optimizer_step(c, config, sampler, inputs, optimizer, lr_scheduler, scaler, params, state.step)
            state.step += 1
            state.elapsed_s = elapsed0 + time.perf_counter() - started
            result.losses.append(loss)
            result.samples += config.optim.batch_size * accum
            loss_log.write(state.step, loss, lr, state.elapsed_s)
            bar.set_postfix(loss=f"{loss:.4f}", lr=f"{lr:.2e}")
            bar.update(1)
            if config.checkpoints.every_steps and state.step % config.checkpoints.every_steps == 0:
                ckpt.save_checkpoint(config, state, c.unet, optimizer, lr_scheduler, scaler)
                last_saved = state.step
            if cases and config.validation.every_steps and state.step % config.validation.every_steps == 0:
                run_validation(c, config, cases, state.step)
    except KeyboardInterrupt:
        if state.step > 0 and state.step != last_saved:
            path = ckpt.save_checkpoint(config, state, c.unet, optimizer, lr_scheduler, scaler)
            log.warning('interrupted: saved %s; continue with train.resume = "latest"', path)
        raise
    finally:
        bar.close()
        loss_log.close()
    result.train_seconds = time.perf_counter() - started
    result.step = state.step

    # 8. Save: final checkpoint (to extend the run later), the LoRA, validation through the file, the curve
    if state.step != last_saved:
        ckpt.save_checkpoint(config, state, c.unet, optimizer, lr_scheduler, scaler)
    save_lora(c.unet, out)
    if cases and state.step >= max_steps:
        run_final_validation(c, config, cases, result.lora_file, state.step)
    plot_loss(out / "loss.csv", out / "loss.png")
    return result


def _optimizer_step(
    c: Components,
    config: Config,
    sampler: BucketBatchSampler,
    inputs: InputSource,
    optimizer: torch.optim.Optimizer,
    lr_scheduler: Any,
    scaler: torch.amp.GradScaler,
    params: list[torch.nn.Parameter],
    step: int,
) -> float:
    """One optimizer step over ``gradient_accumulation`` micro-batches; returns their mean loss."""
    accum = config.optim.gradient_accumulation
    total = 0.0
    for micro in range(accum):
        position = step * accum + micro
        seed = derive_seed(config.seed, "step", position)
        torch.manual_seed(seed)  # LoRA dropout draws from the global generator
        generator = torch.Generator().manual_seed(seed)
        batch = inputs.get(sampler.batch(position))
        loss = diffusion_loss(c, batch, generator, config)
        scaler.scale(loss / accum).backward()
        total += loss.detach().item()
    scaler.unscale_(optimizer)
    torch.nn.utils.clip_grad_norm_(params, config.optim.max_grad_norm)
    scaler.step(optimizer)
    scaler.update()
    lr_scheduler.step()
    optimizer.zero_grad(set_to_none=True)
    return total / accum


def _write_run_info(out: Path, config: Config, manifest: Any, max_steps: int) -> None:
    """What ``train export`` copies into the file's metadata: base model, theme, trigger words."""
    info = {
        "base_model": config.pretrained_model,
        "theme": manifest.theme,
        "trigger": manifest.trigger,
        "max_steps": max_steps,
        "images": len(manifest.items),
        "config": config_to_dict(config),
    }
    (out / "run.json").write_text(json.dumps(info, indent=2), encoding="utf-8")
