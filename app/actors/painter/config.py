"""What the painter loads and how, resolved once from settings ("auto" / "tiny" / "real" models).

Every model is a hub id or a local folder. ``auto`` uses the real models when they are local (a folder,
``models_dir/<id>`` from ``models pull``, or the Hugging Face cache) and the tiny ones otherwise.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

import msgspec

if TYPE_CHECKING:
    from app.core.settings import Settings


class PainterConfig(msgspec.Struct, kw_only=True):
    """Everything the painter needs; built by ``painter_config_from_settings`` or by hand in tests."""

    inpaint_model: str
    segment_model: str
    translate_model: str | None = None  # local MarianMT id/folder; None = no local translator
    translate_api_url: str = ""  # OpenAI-compatible endpoint; wins over the local model when set
    translate_api_key: str = ""
    translate_api_model: str = "gpt-4o-mini"
    lcm_lora: str | None = None  # id/folder of an LCM-LoRA; None = fast mode unavailable
    controlnet_lines: str | None = None  # id/folder of a canny ControlNet; None = guide "lines" unavailable
    controlnet_depth: str | None = None  # id/folder of a depth ControlNet; None = guide "depth" unavailable
    depth_model: str | None = None  # id/folder of a transformers depth estimator (Depth Anything)
    safety_model: str | None = None  # id/folder of diffusers' safety checker; None = results stay unchecked
    detail_default: Literal["auto", "standard", "high"] = "auto"  # auto = high on CUDA, standard on CPU
    device: str = "auto"  # "auto" = cuda when present, else cpu
    dtype: Literal["auto", "float16", "bfloat16", "float32"] = "auto"  # auto = fp16 on cuda, fp32 on cpu
    preview_every: int = 2  # a preview every k steps; 0 = none
    # and at most one per this many seconds (the first after as long): every preview is encoded, stored and
    # signed while the job waits, and a mural done within the interval needs none
    preview_interval_s: float = 0.5
    max_bytes: int = 25 * 1024 * 1024
    max_pixels: int = 40_000_000
    guidance_scale: float = 7.5
    fast_steps: int = 6  # default steps in fast (LCM) mode, 4–8
    fast_guidance_scale: float = 1.0
    fuse_qkv: bool = False  # CUDA speed-up; off by default because fused QKV bypasses theme LoRAs
    compile_unet: bool = False  # torch.compile the UNet on CUDA (slow first job)
    tiny: bool = False  # these are the offline tiny models (for the UI's "demo mode" notice)


def _local(model_id: str, models_dir: Path) -> str | None:
    """A local folder for ``model_id`` (itself, or models_dir/<id>), or the id when it sits in the HF cache."""
    path = Path(model_id).expanduser()
    if path.is_dir():
        return str(path)
    pulled = models_dir / model_id
    if pulled.is_dir() and any(pulled.iterdir()):
        return str(pulled)
    if "/" in model_id and not model_id.startswith((".", "/")):
        try:
            from huggingface_hub import scan_cache_dir

            cached = {repo.repo_id for repo in scan_cache_dir().repos}
        except Exception:  # no cache dir yet
            return None
        if model_id in cached:
            return model_id
    return None


def tiny_config(directory: Path, base: PainterConfig | None = None) -> PainterConfig:
    """A config that points at a tiny model set (see ``tiny.make_tiny``), keeping base's other knobs."""
    fields = msgspec.structs.asdict(base) if base else {}
    fields.update(
        inpaint_model=str(directory / "inpaint"),
        segment_model=str(directory / "segformer"),
        translate_model=str(directory / "translator"),
        lcm_lora=str(directory / "lcm"),
        controlnet_lines=str(directory / "controlnet-lines"),
        controlnet_depth=str(directory / "controlnet-depth"),
        depth_model=str(directory / "depth"),
        safety_model=str(directory / "safety"),
        tiny=True,
    )
    return PainterConfig(**fields)


def painter_config_from_settings(settings: Settings) -> PainterConfig:
    """Resolve ``settings.models`` to concrete models; "tiny" (and "auto" without real models) builds them."""
    models_dir = Path(settings.models_dir)
    real = PainterConfig(
        inpaint_model=settings.inpaint_model,
        segment_model=settings.segment_model,
        translate_model=settings.translate_model or None,
        translate_api_url=settings.translate_api_url,
        translate_api_key=settings.translate_api_key,
        translate_api_model=settings.translate_api_model,
        lcm_lora=settings.lcm_lora or None,
        device=settings.device,
        preview_every=settings.preview_every,
        preview_interval_s=settings.preview_interval_s,
        max_bytes=settings.max_upload_bytes,
        max_pixels=settings.max_pixels,
        controlnet_lines=settings.controlnet_lines_model or None,
        controlnet_depth=settings.controlnet_depth_model or None,
        depth_model=settings.depth_model or None,
        safety_model=settings.safety_model or None,
        detail_default=settings.detail_default,
    )
    if settings.models == "real":
        return _prefer_local(real, models_dir)
    if settings.models == "auto":
        inpaint, segment = _local(real.inpaint_model, models_dir), _local(real.segment_model, models_dir)
        if inpaint and segment:
            return _prefer_local(real, models_dir, only_local=True)
    from .tiny import make_tiny

    directory = make_tiny(models_dir / "tiny")
    return tiny_config(directory, real)


def _prefer_local(config: PainterConfig, models_dir: Path, only_local: bool = False) -> PainterConfig:
    """Swap ids for pulled folders; with ``only_local`` drop optional models that are not on this machine."""

    def pick(model_id: str | None) -> str | None:
        if not model_id:
            return None
        local = _local(model_id, models_dir)
        return local if local else (None if only_local else model_id)

    return msgspec.structs.replace(
        config,
        inpaint_model=pick(config.inpaint_model) or config.inpaint_model,
        segment_model=pick(config.segment_model) or config.segment_model,
        translate_model=pick(config.translate_model),
        lcm_lora=pick(config.lcm_lora),
        controlnet_lines=pick(config.controlnet_lines),
        controlnet_depth=pick(config.controlnet_depth),
        depth_model=pick(config.depth_model),
        safety_model=pick(config.safety_model),
    )
