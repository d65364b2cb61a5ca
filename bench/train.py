"""Training throughput: our trainer against a ``train_text_to_image_lora.py``-style loop, same model and data.

    .venv/bin/python bench/train.py [--steps 40] [--runs 3] [--batch 4] [--resolution 128] [--photos 8]

The reference loop is written here the way diffusers' LoRA examples train (adapted to the 9-channel inpainting
UNet like ``research_projects/dreambooth_inpaint``): a DataLoader that decodes and transforms every photo every
step, VAE-encodes the photo and the masked photo and runs the text encoder every step, fp32. Ours runs
``lora_training.train.main`` with its defaults (cache on), timed from the first encode to the last step, so the
one-off caching counts against us. Both train the same LoRA (rank, targets, AdamW, lr) for the same number of
steps and batch size; runs are interleaved and the median of ``--runs`` is reported (samples/s and the ratio).
On CUDA the same comparison also runs on an SD-1.5-sized inpainting pipeline with random weights
(860M-parameter UNet, 512 px), plus our trainer in bf16.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from lora_training import train  # noqa: E402
from lora_training._synthetic import build_inpaint_pipeline, make_photo_set  # noqa: E402
from lora_training.config import parse_config  # noqa: E402
from lora_training.data import prepare_dataset, write_manifest  # noqa: E402

TARGETS = ["to_q", "to_k", "to_v", "to_out.0"]


def tiny_model(root: Path) -> Path:
    try:
        from app.actors.painter.tiny import make_tiny

        return make_tiny(root / "tiny") / "inpaint"
    except ImportError:
        return build_inpaint_pipeline(root / "tiny-inpaint")


# ------------------------------------------------------------------ the reference: diffusers-example style


class ReferenceDataset(torch.utils.data.Dataset):
    """Like the examples' ``preprocess_train``: decode, resize, centre-crop, normalise, mask, tokenize per item."""

    def __init__(self, paths: list[Path], caption: str, resolution: int, tokenizer) -> None:
        self.paths, self.caption, self.resolution, self.tokenizer = paths, caption, resolution, tokenizer

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, i: int) -> dict:
        r = self.resolution
        image = Image.open(self.paths[i]).convert("RGB")
        scale = r / min(image.size)
        image = image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS)
        left, top = (image.width - r) // 2, (image.height - r) // 2
        image = image.crop((left, top, left + r, top + r))
        pixels = torch.from_numpy(np.array(image)).permute(2, 0, 1).float() / 127.5 - 1.0
        mask = Image.new("L", (r, r), 0)  # dreambooth_inpaint's random_mask: a random box or ellipse
        w, h = random.randint(r // 8, r), random.randint(r // 8, r)
        x, y = random.randint(0, r - w), random.randint(0, r - h)
        (ImageDraw.Draw(mask).rectangle if random.random() < 0.5 else ImageDraw.Draw(mask).ellipse)(
            (x, y, x + w, y + h), fill=255
        )
        m = torch.from_numpy(np.array(mask)).float()[None] / 255.0
        m = (m >= 0.5).float()
        ids = self.tokenizer(
            self.caption,
            max_length=self.tokenizer.model_max_length,
            padding="max_length",
            truncation=True,
            return_tensors="pt",
        ).input_ids[0]
        return {"pixel_values": pixels, "masks": m, "masked_images": pixels * (m < 0.5), "input_ids": ids}


def reference_run(
    model: Path, paths: list[Path], caption: str, steps: int, batch: int, resolution: int, seed: int
) -> float:
    """Samples/s of a train_text_to_image_lora.py-style loop (no caching, per-step encoders, fp32)."""
    from diffusers import AutoencoderKL, DDPMScheduler, UNet2DConditionModel
    from peft import LoraConfig
    from transformers import CLIPTextModel, CLIPTokenizer

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    torch.manual_seed(seed)
    random.seed(seed)
    noise_scheduler = DDPMScheduler.from_pretrained(model, subfolder="scheduler")
    tokenizer = CLIPTokenizer.from_pretrained(model, subfolder="tokenizer")
    text_encoder = CLIPTextModel.from_pretrained(model, subfolder="text_encoder").to(device)
    vae = AutoencoderKL.from_pretrained(model, subfolder="vae").to(device)
    unet = UNet2DConditionModel.from_pretrained(model, subfolder="unet").to(device)
    for m in (unet, vae, text_encoder):
        m.requires_grad_(False)
    unet.add_adapter(LoraConfig(r=16, lora_alpha=16, init_lora_weights="gaussian", target_modules=TARGETS))
    params = [p for p in unet.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=1e-4, weight_decay=1e-2)
    loader = torch.utils.data.DataLoader(
        ReferenceDataset(paths, caption, resolution, tokenizer), batch_size=batch, shuffle=True, drop_last=True
    )
    _sync()
    start = time.perf_counter()
    step = 0
    unet.train()
    while step < steps:
        for b in loader:
            latents = vae.encode(b["pixel_values"].to(device)).latent_dist.sample() * vae.config.scaling_factor
            masked = vae.encode(b["masked_images"].to(device)).latent_dist.sample() * vae.config.scaling_factor
            mask = F.interpolate(b["masks"].to(device), size=latents.shape[-2:])
            noise = torch.randn_like(latents)
            timesteps = torch.randint(0, noise_scheduler.config.num_train_timesteps, (latents.shape[0],), device=device)
            noisy = noise_scheduler.add_noise(latents, noise, timesteps)
            hidden = text_encoder(b["input_ids"].to(device), return_dict=False)[0]
            pred = unet(torch.cat([noisy, mask, masked], dim=1), timesteps, hidden, return_dict=False)[0]
            loss = F.mse_loss(pred.float(), noise.float(), reduction="mean")
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            optimizer.zero_grad()
            step += 1
            if step >= steps:
                break
    _sync()
    return steps * batch / (time.perf_counter() - start)


# ------------------------------------------------------------------ ours


def ours_run(model: Path, manifest: Path, out: Path, steps: int, batch: int, seed: int, precision: str = "no") -> float:
    config = parse_config(
        f'pretrained_model = "{model}"\nmanifest = "{manifest}"\noutput_dir = "{out}"\nseed = {seed}\n'
        f"[lora]\nrank = 16\nalpha = 16\ntarget_modules = {TARGETS!r}\n".replace("'", '"')
        + f"[optim]\nlearning_rate = 1e-4\nbatch_size = {batch}\n"
        f'[train]\nmax_steps = {steps}\nmixed_precision = "{precision}"\n'
        "[checkpoints]\nevery_steps = 0\nkeep_last = 1\n"
    )
    result = train.main(config, progress=False)
    return result.samples_per_second


def _sync() -> None:
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def compare(label: str, model: Path, data: Path, work: Path, args: argparse.Namespace, precisions: list[str]) -> None:
    photos = make_photo_set(
        data / "photos", count=args.photos, size=(args.resolution + args.resolution // 2,) * 2, caption="striped mural"
    )
    manifest = prepare_dataset(
        photos,
        theme="ocean",
        min_size=args.resolution,
        resolution=args.resolution,
        bucket_step=min(64, args.resolution),
    )
    write_manifest(manifest, data / "manifest.json")
    paths = sorted(photos.glob("*.png"))
    caption = manifest.items[0].caption
    # warm-up: first-call costs (kernels, allocator) hit neither side's figures
    reference_run(model, paths, caption, 2, args.batch, args.resolution, 0)
    ours_run(model, data / "manifest.json", work / "warm", 2, args.batch, 0)
    results: dict[str, list[float]] = {"reference": []} | {f"ours ({p})": [] for p in precisions}
    for run in range(args.runs):
        results["reference"].append(reference_run(model, paths, caption, args.steps, args.batch, args.resolution, run))
        for p in precisions:
            results[f"ours ({p})"].append(
                ours_run(model, data / "manifest.json", work / f"run-{p}-{run}", args.steps, args.batch, run, p)
            )
    ref = statistics.median(results["reference"])
    print(
        f"\n{label}: {args.steps} steps x batch {args.batch} at {args.resolution}px, {args.photos} photos, "
        f"median of {args.runs} runs"
    )
    for name, values in results.items():
        med = statistics.median(values)
        runs = ", ".join(f"{v:.1f}" for v in values)
        ratio = "" if name == "reference" else f"   {med / ref:.2f}x reference"
        print(f"  {name:<34} {med:8.2f} samples/s  [{runs}]{ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--resolution", type=int, default=128)
    parser.add_argument("--photos", type=int, default=8)
    parser.add_argument("--skip-sd15", action="store_true", help="on CUDA, only the tiny model")
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0 = torch's default)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    print(
        f"torch {torch.__version__}, device {device}, {torch.get_num_threads()} threads, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    reference_name = "reference (per-step VAE+text, fp32, no cache)"
    print(f"reference = {reference_name}; ours = lora_training.train.main with cache (its default)")
    with tempfile.TemporaryDirectory(prefix="saekdam-bench-") as tmp:
        root = Path(tmp)
        compare(
            "tiny inpainting model", tiny_model(root / "models"), root / "tiny-data", root / "tiny-runs", args, ["no"]
        )
        if device == "cuda" and not args.skip_sd15:
            big = build_inpaint_pipeline(root / "models" / "sd15", size="sd15")
            sd_args = argparse.Namespace(**{**vars(args), "resolution": 512, "batch": 2, "steps": min(args.steps, 30)})
            compare(
                "SD-1.5-sized inpainting model (random weights)",
                big,
                root / "sd-data",
                root / "sd-runs",
                sd_args,
                ["no", "bf16"],
            )


if __name__ == "__main__":
    main()
