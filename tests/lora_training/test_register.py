"""``train register``: only LoRAs for this UNet pass, then ``attach_lora`` gets the bytes and weight."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file

from lora_training import train
from lora_training.__main__ import main as cli
from lora_training.export import export_lora
from lora_training.register import LoraFileError, validate_lora_file


@pytest.fixture(scope="module")
def exported(trained_run: train.TrainResult, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("exported")
    return {
        "diffusers": export_lora(trained_run.output_dir, folder / "ocean.safetensors"),
        "kohya": export_lora(trained_run.output_dir, folder / "ocean-kohya.safetensors", kohya=True),
    }


@pytest.mark.parametrize("layout", ["diffusers", "kohya"])
def test_valid_files_are_described(exported: dict[str, Path], tiny_model: Path, layout: str) -> None:
    info = validate_lora_file(exported[layout], str(tiny_model))
    assert info["format"] == layout
    assert info["rank"] == 4 and info["alpha"] == 8
    assert info["modules"] > 10 and not info["text_encoder"]
    assert info["theme"] == "ocean" and info["trigger"] == "sdmural ocean mural"
    assert info["checked_against"] == str(tiny_model) and info["warnings"] == []


def test_the_painters_tiny_loras_validate(tiny_loras: Path | None, tiny_model: Path) -> None:
    if tiny_loras is None:
        pytest.skip("app.actors.painter.tiny is not available")
    for file in sorted(tiny_loras.glob("*.safetensors")):
        assert validate_lora_file(file, str(tiny_model))["modules"] > 0


def test_lora_for_another_unet_is_refused(exported: dict[str, Path], tiny_model: Path, tmp_path: Path) -> None:
    state = load_file(exported["diffusers"])
    key = next(k for k in state if k.endswith("attn2.to_k.lora_A.weight"))
    state[key] = torch.zeros(4, 768)  # an SD-1.5-sized cross-attention input on our 32-wide text encoder
    bad = tmp_path / "sd15.safetensors"
    save_file(state, str(bad), metadata={"format": "pt"})
    with pytest.raises(LoraFileError, match=r"attn2\.to_k is 768→.*(a LoRA for another base model\?)"):
        validate_lora_file(bad, str(tiny_model))

    renamed = {k.replace("down_blocks.1", "down_blocks.7"): v for k, v in load_file(exported["diffusers"]).items()}
    other = tmp_path / "other.safetensors"
    save_file(renamed, str(other))
    with pytest.raises(LoraFileError, match="targets UNet module 'down_blocks.7"):
        validate_lora_file(other, str(tiny_model))


def test_broken_files_are_refused(exported: dict[str, Path], tmp_path: Path) -> None:
    junk = tmp_path / "junk.safetensors"
    junk.write_bytes(b"\x00" * 64)
    with pytest.raises(LoraFileError, match="not a readable safetensors file"):
        validate_lora_file(junk)
    ckpt = tmp_path / "x.ckpt"
    ckpt.write_bytes(exported["diffusers"].read_bytes())
    with pytest.raises(LoraFileError, match=r"expected a \.safetensors file"):
        validate_lora_file(ckpt)
    with pytest.raises(LoraFileError, match="does not exist"):
        validate_lora_file(tmp_path / "missing.safetensors")
    half = tmp_path / "half.safetensors"
    save_file({k: v for k, v in load_file(exported["kohya"]).items() if "lora_up" not in k}, str(half))
    with pytest.raises(LoraFileError, match="lacks its up/B matrix"):
        validate_lora_file(half)
    other = tmp_path / "not-lora.safetensors"
    save_file({"conv.weight": torch.zeros(2, 2)}, str(other))
    with pytest.raises(LoraFileError, match="no LoRA weights found"):
        validate_lora_file(other)


def test_register_validates_then_attaches(
    exported: dict[str, Path], tiny_model: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import app.themes.service as service

    calls: list[tuple[str, bytes, float]] = []

    async def fake_attach(slug: str, data: bytes, weight: float) -> str:
        calls.append((slug, data, weight))
        return "loras/ocean.safetensors"

    monkeypatch.setattr(service, "attach_lora", fake_attach)
    file = exported["diffusers"]
    assert cli(["register", "ocean", str(file), "--weight", "0.7", "--model", str(tiny_model)]) == 0
    assert calls == [("ocean", file.read_bytes(), 0.7)]
    assert "attached to theme 'ocean'" in capsys.readouterr().out

    calls.clear()
    assert cli(["register", "ocean", str(file), "--weight", "3"]) == 2
    assert "--weight must be in (0, 2]" in capsys.readouterr().err
    assert cli(["register", "Ocean!", str(file)]) == 2
    assert "is not a theme slug" in capsys.readouterr().err
    junk = file.with_name("junk.safetensors")
    junk.write_bytes(b"nope")
    assert cli(["register", "ocean", str(junk)]) == 2
    assert calls == []  # nothing attached when the file is refused


def test_register_check_only_does_not_attach(exported: dict[str, Path], tiny_model: Path, capsys) -> None:
    assert cli(["register", "ocean", str(exported["kohya"]), "--check-only", "--model", str(tiny_model)]) == 0
    assert '"format": "kohya"' in capsys.readouterr().out
