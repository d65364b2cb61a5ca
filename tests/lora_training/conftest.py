"""Tiny offline models, synthetic photo folders and one shared 30-step run for the lora_training tests.

The inpainting pipeline comes from the painter's ``make_tiny`` (9-channel UNet, block_out_channels (32, 64));
``lora_training._synthetic`` builds an equivalent one if the painter package is unavailable. Runs train at
64×64 px (8×8 latents), so a step takes milliseconds on CPU.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import torch

from lora_training import train
from lora_training._synthetic import build_inpaint_pipeline, make_photo_set
from lora_training.config import Config, parse_config
from lora_training.data import prepare_dataset, write_manifest

# LoRA on attention and on the ResNet convolutions: the tiny UNet has a single attention block, too little
# for a visible loss drop in 30 steps; the real config targets attention only.
LEARNABLE_TARGETS = '["to_q", "to_k", "to_v", "to_out.0", "conv1", "conv2", "conv_in", "conv_out"]'


@contextmanager
def one_thread() -> Iterator[None]:
    """Tiny models run faster on one thread, and far faster when other test processes share the cores
    (two OpenMP pools spinning against each other); restored afterwards for the rest of the suite."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@pytest.fixture(autouse=True)
def _one_thread() -> Iterator[None]:
    with one_thread():
        yield


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("models")
    try:
        from app.actors.painter.tiny import make_tiny
    except ImportError:
        return build_inpaint_pipeline(root / "inpaint")
    return make_tiny(root / "tiny") / "inpaint"


@pytest.fixture(scope="session")
def tiny_loras(tiny_model: Path) -> Path | None:
    """The painter's per-theme tiny LoRAs (made by someone else's code: a cross-check for register)."""
    folder = tiny_model.parent / "loras"
    return folder if folder.is_dir() else None


@pytest.fixture(scope="session")
def manifest_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six 96×96 solid and striped photos with one consistent caption: a target a LoRA can learn."""
    root = tmp_path_factory.mktemp("data")
    photos = make_photo_set(root / "photos", count=6, size=(96, 96))
    manifest = prepare_dataset(photos, theme="ocean", min_size=64, resolution=64, bucket_step=32)
    write_manifest(manifest, root / "manifest.json")
    return root / "manifest.json"


def config_text(model: Path, manifest: Path, out: Path, extra: str = "", **sections: str) -> str:
    """A TOML config for the tiny model; ``sections`` replace whole [section] bodies."""
    body = {
        "lora": f"rank = 4\nalpha = 8\ntarget_modules = {LEARNABLE_TARGETS}",
        "optim": "learning_rate = 1e-2\nbatch_size = 4",
        "train": "max_steps = 30",
        "masks": "pool_size = 4",
        "checkpoints": "every_steps = 10\nkeep_last = 2",
    }
    body.update(sections)
    text = f'pretrained_model = "{model}"\nmanifest = "{manifest}"\noutput_dir = "{out}"\nseed = 1\n{extra}\n'
    return text + "".join(f"[{name}]\n{content}\n" for name, content in body.items())


@pytest.fixture
def make_config(tiny_model: Path, manifest_file: Path, tmp_path: Path) -> Callable[..., Config]:
    def make(out: str = "run", extra: str = "", **sections: str) -> Config:
        return parse_config(config_text(tiny_model, manifest_file, tmp_path / out, extra, **sections))

    return make


@pytest.fixture(scope="session")
def trained_run(tiny_model: Path, manifest_file: Path, tmp_path_factory: pytest.TempPathFactory) -> train.TrainResult:
    """30 steps, rank 4 with alpha 8 (≠ rank, so a lost alpha shows), checkpoints every 10 keeping 2."""
    out = tmp_path_factory.mktemp("trained") / "run"
    config = parse_config(config_text(tiny_model, manifest_file, out))
    with one_thread():
        return train.main(config, progress=False)
