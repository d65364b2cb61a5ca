"""Training settings: one typed TOML file, checked before any model is loaded.

Types and ranges are msgspec constraints (so a wrong value names its field); rules that tie fields together
live in ``check_config``. Relative paths are resolved against the TOML file's folder, so a run folder can be
moved or shared with its config.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

PositiveInt = Annotated[int, Meta(ge=1)]
NonNegInt = Annotated[int, Meta(ge=0)]
Probability = Annotated[float, Meta(ge=0.0, lt=1.0)]

ATTENTION_MODULES = ["to_q", "to_k", "to_v", "to_out.0"]


class ConfigError(ValueError):
    """A setting we cannot use; the message names the file and the field."""


class Base(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Unknown keys are refused: a typo (``learning_rte``) must not silently fall back to a default."""


class LoraSettings(Base):
    """Shape of the adapter. ``alpha`` is independent of ``rank``: the update is scaled by alpha / rank."""

    rank: PositiveInt = 16
    alpha: Annotated[float, Meta(gt=0)] = 16.0
    target_modules: Annotated[list[str], Meta(min_length=1)] = msgspec.field(
        default_factory=lambda: list(ATTENTION_MODULES)
    )
    dropout: Probability = 0.0


class OptimSettings(Base):
    """AdamW and its learning-rate schedule (``diffusers.optimization.get_scheduler``)."""

    learning_rate: Annotated[float, Meta(gt=0, le=1)] = 1e-4
    scheduler: Literal["constant", "cosine", "linear"] = "constant"
    warmup_steps: NonNegInt = 0
    batch_size: PositiveInt = 1
    gradient_accumulation: PositiveInt = 1
    max_grad_norm: Annotated[float, Meta(gt=0)] = 1.0
    weight_decay: Annotated[float, Meta(ge=0)] = 1e-2


class TrainSettings(Base):
    """Length, precision and speed. Exactly one of ``max_steps`` and ``epochs`` is set."""

    max_steps: PositiveInt | None = None
    epochs: PositiveInt | None = None
    mixed_precision: Literal["no", "fp16", "bf16"] = "no"
    gradient_checkpointing: bool = False
    # min-SNR weighting (https://huggingface.co/papers/2303.09556); 5.0 is the paper's value, unset = plain MSE
    snr_gamma: Annotated[float, Meta(gt=0)] | None = None
    # encode every image, masked image and caption once instead of every step (same results, faster)
    cache: bool = True
    # share of samples trained with an empty caption, so classifier-free guidance keeps working
    caption_dropout: Probability = 0.0
    noise_offset: Annotated[float, Meta(ge=0, le=1)] = 0.0
    # "" = fresh run, "latest" = newest checkpoint in output_dir (fresh when none), or a checkpoint folder
    resume: str = ""
    device: str = "auto"


class MaskSettings(Base):
    """How often each kind of random mask is drawn (relative weights), and the per-image cache pool size."""

    box: Annotated[float, Meta(ge=0)] = 0.4
    stroke: Annotated[float, Meta(ge=0)] = 0.4
    full: Annotated[float, Meta(ge=0)] = 0.2
    # with train.cache, each image gets this many fixed masks (their masked latents are encoded once)
    pool_size: PositiveInt = 8


class ValidationSettings(Base):
    """Fixed prompts painted into fixed masks every ``every_steps`` (0 = only at the end, if prompts are set)."""

    every_steps: NonNegInt = 0
    prompts: list[str] = msgspec.field(default_factory=list)
    # photos to paint into; empty = the first dataset images. Each gets a centred box mask.
    images: list[str] = msgspec.field(default_factory=list)
    num_inference_steps: PositiveInt = 20
    guidance_scale: Annotated[float, Meta(ge=0)] = 7.5
    seed: NonNegInt = 0


class CheckpointSettings(Base):
    """Resumable snapshots every ``every_steps`` (0 = only the final one), keeping the newest ``keep_last``."""

    every_steps: NonNegInt = 500
    keep_last: PositiveInt = 3


class Config(Base):
    """A whole training run, as written in CONFIG.toml."""

    pretrained_model: Annotated[str, Meta(min_length=1)]
    manifest: Annotated[str, Meta(min_length=1)]
    output_dir: Annotated[str, Meta(min_length=1)]
    seed: NonNegInt = 0
    lora: LoraSettings = msgspec.field(default_factory=LoraSettings)
    optim: OptimSettings = msgspec.field(default_factory=OptimSettings)
    train: TrainSettings = msgspec.field(default_factory=TrainSettings)
    masks: MaskSettings = msgspec.field(default_factory=MaskSettings)
    validation: ValidationSettings = msgspec.field(default_factory=ValidationSettings)
    checkpoints: CheckpointSettings = msgspec.field(default_factory=CheckpointSettings)

    @property
    def output_path(self) -> Path:
        return Path(self.output_dir)


def _field_of(message: str) -> tuple[str, str]:
    """msgspec says "Expected `int` >= 1 - at `$.lora.rank`": split into ("lora.rank", "Expected ...")."""
    text, sep, where = message.rpartition(" - at `$")
    if not sep:
        return "", message
    return where.rstrip("`").lstrip("."), text


def parse_config(text: str | bytes, base_dir: Path | None = None, source: str = "config") -> Config:
    """Decode and check a TOML config; relative paths resolve against ``base_dir`` (default: cwd)."""
    data = text.encode() if isinstance(text, str) else text
    try:
        config = msgspec.toml.decode(data, type=Config)
    except msgspec.ValidationError as exc:
        field, why = _field_of(str(exc))
        if why.startswith("Object missing required field"):
            raise ConfigError(
                f"{source}: {why.replace('Object missing required field', 'missing setting')}"
                + (f" in [{field}]" if field else "")
            ) from None
        why = why.replace("Object contains unknown field", "unknown setting")
        raise ConfigError(f"{source}: {field or 'top level'}: {why}") from None
    except msgspec.DecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    config = _resolve_paths(config, base_dir or Path.cwd())
    check_config(config, source)
    return config


def load_config(path: Path) -> Config:
    """Read CONFIG.toml; every problem becomes one ConfigError naming the file and the field."""
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read config {path}: {exc.strerror or exc}") from None
    return parse_config(text, path.resolve().parent, str(path))


def _resolve(base: Path, value: str) -> str:
    p = Path(value).expanduser()
    return str(p if p.is_absolute() else (base / p).resolve())


def _resolve_paths(config: Config, base: Path) -> Config:
    """Make file paths absolute. ``pretrained_model`` stays a hub id unless such a folder exists."""
    model = config.pretrained_model
    local = Path(model).expanduser()
    if not local.is_absolute() and (base / local).exists():
        model = str((base / local).resolve())
    resume = config.train.resume
    if resume not in ("", "latest"):
        resume = _resolve(base, resume)
    return msgspec.structs.replace(
        config,
        pretrained_model=model,
        manifest=_resolve(base, config.manifest),
        output_dir=_resolve(base, config.output_dir),
        train=msgspec.structs.replace(config.train, resume=resume),
        validation=msgspec.structs.replace(
            config.validation, images=[_resolve(base, p) for p in config.validation.images]
        ),
    )


def check_config(config: Config, source: str = "config") -> None:
    """Rules between fields, with the fix in the message."""
    problems: list[str] = []
    t, o, m, v = config.train, config.optim, config.masks, config.validation
    if (t.max_steps is None) == (t.epochs is None):
        problems.append("train: set exactly one of max_steps and epochs")
    if t.max_steps is not None and o.warmup_steps >= t.max_steps:
        problems.append(f"optim.warmup_steps ({o.warmup_steps}) must be below train.max_steps ({t.max_steps})")
    if m.box + m.stroke + m.full <= 0:
        problems.append("masks: at least one of box, stroke, full must be above 0")
    if v.every_steps > 0 and not v.prompts:
        problems.append("validation.every_steps is set but validation.prompts is empty")
    if v.images and v.prompts and len(v.images) not in (1, len(v.prompts)):
        problems.append(
            f"validation.images has {len(v.images)} entries: give one, or one per prompt ({len(v.prompts)})"
        )
    for name in config.lora.target_modules:
        if not name or name.strip() != name:
            problems.append(f"lora.target_modules: {name!r} is not a module name")
    if t.device not in ("auto", "cpu", "mps") and not t.device.startswith("cuda"):
        problems.append(f"train.device must be auto, cpu, mps or cuda[:N], got {t.device!r}")
    if problems:
        raise ConfigError(f"{source}: " + "; ".join(problems))


def config_to_dict(config: Config) -> dict:
    """Plain data for checkpoints and logs."""
    return msgspec.to_builtins(config)
