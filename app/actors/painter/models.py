"""Load the models once per process and switch theme LoRAs per job without reloading them.

Only the painter's inference thread calls into this module after ``load_models``.
"""

from __future__ import annotations

import inspect
import logging
import re
import threading
import warnings
from dataclasses import dataclass, field
from typing import Any

import torch

from .config import PainterConfig
from .errors import PaintError
from .prompt import ApiTranslator, MarianTranslator, Translator

log = logging.getLogger(__name__)


def _load_lora(pipe: Any, path: str, name: str) -> None:
    """``load_lora_weights`` without peft's warning about several adapters (which is exactly our design)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Already found a `peft_config` attribute")
        pipe.load_lora_weights(path, adapter_name=name)


LCM_ADAPTER = "lcm"


def pick_device(config: PainterConfig) -> tuple[torch.device, torch.dtype]:
    """CUDA (fp16) when present, else CPU (fp32), unless the config says otherwise."""
    if config.device == "auto":
        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    else:
        device = torch.device(config.device)
    if config.dtype == "auto":
        dtype = torch.float16 if device.type == "cuda" else torch.float32
    else:
        dtype = getattr(torch, config.dtype)
    return device, dtype


def load_inpaint_pipeline(model: str, device: torch.device, dtype: torch.dtype) -> Any:
    """diffusers' own StableDiffusionInpaintPipeline with DPM-Solver++ (no safety checker; no progress bar)."""
    from diffusers import DPMSolverMultistepScheduler, StableDiffusionInpaintPipeline

    pipe = StableDiffusionInpaintPipeline.from_pretrained(
        model,
        dtype=dtype,
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )
    pipe.scheduler = DPMSolverMultistepScheduler.from_config(
        pipe.scheduler.config,
        algorithm_type="dpmsolver++",
        solver_order=2,
    )
    pipe.set_progress_bar_config(disable=True)
    return pipe.to(device)


def optimise_for_cuda(pipe: Any, fuse_qkv: bool = False, compile_unet: bool = False) -> None:
    """SDPA is diffusers' default; add channels_last, optionally fused QKV and torch.compile."""
    from diffusers.models.attention_processor import AttnProcessor2_0

    pipe.unet.set_attn_processor(AttnProcessor2_0())
    pipe.unet.to(memory_format=torch.channels_last)
    pipe.vae.to(memory_format=torch.channels_last)
    if fuse_qkv:
        pipe.fuse_qkv_projections()
    if compile_unet:
        pipe.unet = torch.compile(pipe.unet, mode="max-autotune-no-cudagraphs", fullgraph=False)


def _adapter_name(slug: str, version: int) -> str:
    base = re.sub(r"[^0-9a-zA-Z_]", "_", slug) or "theme"
    return base if version == 0 else f"{base}_v{version}"


@dataclass
class LoraRegistry:
    """Theme LoRAs loaded once under an adapter name; a new file path for a slug loads a new adapter."""

    loaded: dict[str, tuple[str, str]] = field(default_factory=dict)  # slug -> (path, adapter name)
    versions: dict[str, int] = field(default_factory=dict)
    lcm_loaded: bool = False

    def ensure(self, pipe: Any, slug: str, path: str) -> str:
        """The adapter name of ``slug``'s LoRA at ``path``, loading it the first time (or when it moved)."""
        current = self.loaded.get(slug)
        if current and current[0] == path:
            return current[1]
        version = self.versions.get(slug, -1) + 1
        name = _adapter_name(slug, version)
        try:
            _load_lora(pipe, path, name)
        except Exception as exc:
            raise PaintError(
                "model_unavailable", f"the LoRA of theme {slug!r} could not be loaded from {path}: {exc}", theme=slug
            ) from exc
        self.versions[slug] = version
        if current:  # the theme was re-registered: free the old adapter
            try:
                pipe.delete_adapters(current[1])
            except Exception:  # pragma: no cover - best effort
                log.warning("could not delete old adapter %s", current[1])
        self.loaded[slug] = (path, name)
        return name

    def ensure_lcm(self, pipe: Any, path: str | None) -> None:
        if self.lcm_loaded:
            return
        if not path:
            raise PaintError("fast_mode_unavailable", "fast mode needs an LCM-LoRA, and none is configured")
        try:
            _load_lora(pipe, path, LCM_ADAPTER)
        except Exception as exc:
            raise PaintError("fast_mode_unavailable", f"the LCM-LoRA could not be loaded from {path}: {exc}") from exc
        self.lcm_loaded = True

    def activate(self, pipe: Any, names: list[str], weights: list[float]) -> None:
        """Switch to exactly these adapters (microseconds); none at all → LoRA disabled."""
        if not names:
            if self.loaded or self.lcm_loaded:
                pipe.disable_lora()
            return
        pipe.enable_lora()
        pipe.set_adapters(names, weights)


@dataclass
class Models:
    """Everything one painter owns, for one device."""

    config: PainterConfig
    device: torch.device
    dtype: torch.dtype
    pipe: Any
    dpm_scheduler: Any
    lcm_scheduler: Any
    segmenter: Any
    seg_processor: Any
    translator: Translator | None
    loras: LoraRegistry = field(default_factory=LoraRegistry)
    lock: threading.Lock = field(default_factory=threading.Lock)
    guides: dict[str, Any] = field(default_factory=dict)  # ControlNet pipelines and the depth model (guide.py)

    @property
    def default_detail(self) -> str:
        """``detail`` when a job leaves it to the server: high on CUDA, standard on CPU (unless configured)."""
        if self.config.detail_default != "auto":
            return self.config.detail_default
        return "high" if self.device.type == "cuda" else "standard"

    @property
    def native_size(self) -> int:
        """The resolution the UNet was trained at (512 for SD 1.5, 128 for the tiny one)."""
        return int(self.pipe.unet.config.sample_size) * int(self.pipe.vae_scale_factor)

    def select(self, theme_slug: str, lora_path: str | None, lora_weight: float, fast: bool) -> None:
        """Put the pipeline in the job's mode: theme adapter (or none), LCM adapter and scheduler when fast."""
        names: list[str] = []
        weights: list[float] = []
        if fast:
            self.loras.ensure_lcm(self.pipe, self.config.lcm_lora)
        if lora_path and lora_weight != 0:
            names.append(self.loras.ensure(self.pipe, theme_slug, lora_path))
            weights.append(float(lora_weight))
        if fast:
            names.append(LCM_ADAPTER)
            weights.append(1.0)
        self.loras.activate(self.pipe, names, weights)
        self.pipe.scheduler = self.lcm_scheduler if fast else self.dpm_scheduler


def _scheduler_like(cls: Any, config: Any) -> Any:
    """A scheduler of ``cls`` with the model's noise schedule (only the keys ``cls`` understands)."""
    accepted = inspect.signature(cls.__init__).parameters
    return cls.from_config({k: v for k, v in dict(config).items() if k in accepted})


def load_translator(config: PainterConfig, device: torch.device) -> Translator | None:
    if config.translate_api_url:
        return ApiTranslator(config.translate_api_url, config.translate_api_key, config.translate_api_model)
    if config.translate_model:
        translator = MarianTranslator(config.translate_model, device="cpu" if device.type != "cuda" else str(device))
        try:
            translator.load()
        except Exception as exc:  # optional model: paint on, untranslated, with a message
            log.warning("translator %s unavailable: %s", config.translate_model, exc)
            return None
        return translator
    return None


def load_models(config: PainterConfig) -> Models:
    """Load the inpainting pipeline, the wall segmenter and the translator; PaintError when one is missing."""
    from diffusers import LCMScheduler
    from transformers import AutoImageProcessor, SegformerForSemanticSegmentation

    device, dtype = pick_device(config)
    try:
        pipe = load_inpaint_pipeline(config.inpaint_model, device, dtype)
    except Exception as exc:
        raise PaintError(
            "model_unavailable", f"the inpainting model {config.inpaint_model!r} could not be loaded: {exc}"
        ) from exc
    if device.type == "cuda":
        optimise_for_cuda(pipe, config.fuse_qkv, config.compile_unet)
    try:
        segmenter = SegformerForSemanticSegmentation.from_pretrained(config.segment_model).to(device).eval()
        seg_processor = AutoImageProcessor.from_pretrained(config.segment_model)
    except Exception as exc:
        raise PaintError(
            "model_unavailable", f"the wall segmentation model {config.segment_model!r} could not be loaded: {exc}"
        ) from exc
    return Models(
        config=config,
        device=device,
        dtype=dtype,
        pipe=pipe,
        dpm_scheduler=pipe.scheduler,
        lcm_scheduler=_scheduler_like(LCMScheduler, pipe.scheduler.config),
        segmenter=segmenter,
        seg_processor=seg_processor,
        translator=load_translator(config, device),
    )
