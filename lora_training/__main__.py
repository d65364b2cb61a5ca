"""``python -m lora_training`` / ``saekdam train``: prepare → run → export → register.

``main(argv)`` returns an exit code instead of exiting, so the ``saekdam`` CLI and tests can call it.
Expected failures (bad folder, config, file) print one ``error:`` line and return 2; nothing else is caught.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from .config import ConfigError
from .data import DEFAULT_CAPTION, DatasetError
from .export import ExportError
from .register import LoraFileError

USER_ERRORS = (ConfigError, DatasetError, ExportError, LoraFileError)


def build_parser(prog: str = "python -m lora_training") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="Train a mural-style LoRA for a Saekdam theme.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details")
    sub = parser.add_subparsers(dest="command", required=True, metavar="{prepare,run,export,register}")

    p = sub.add_parser("prepare", help="check a photo folder and write its manifest")
    p.add_argument("dir", type=Path, help="folder of photos, with optional same-name .txt captions")
    p.add_argument("--out", type=Path, help="manifest file (default DIR/manifest.json)")
    p.add_argument("--theme", default="", help="theme slug: its trigger words start every caption")
    p.add_argument("--trigger", default=None, help="override the theme's trigger words")
    p.add_argument("--caption", default=DEFAULT_CAPTION, help="caption for photos without a .txt")
    p.add_argument("--min-size", type=int, default=256, help="skip photos whose shorter side is smaller")
    p.add_argument("--resolution", type=int, default=512, help="bucket area is about resolution² (default 512)")
    p.add_argument("--bucket-step", type=int, default=64, help="bucket sides are multiples of this (default 64)")
    p.add_argument("--captioner", metavar="MODULE:CALLABLE", help="caption photos without .txt with this callable")

    r = sub.add_parser("run", help="train from a TOML config")
    r.add_argument("config", type=Path, help="CONFIG.toml (see lora_training/example.toml)")
    r.add_argument("--no-progress", action="store_true", help="no progress bar")
    r.add_argument("--stop-at", type=int, metavar="STEP", help="pause after STEP (checkpointed; resume later)")

    e = sub.add_parser("export", help="write one .safetensors LoRA from a run or checkpoint")
    e.add_argument("source", type=Path, help="run folder, checkpoint-N folder or LoRA file")
    e.add_argument("--out", type=Path, required=True, help="FILE.safetensors")
    e.add_argument("--kohya", action="store_true", help="kohya/A1111 key layout (lora_unet_..., .alpha)")
    e.add_argument("--dtype", choices=["fp32", "fp16", "bf16"], default="fp32", help="tensor type (default fp32)")

    g = sub.add_parser("register", help="check a LoRA and attach it to a theme")
    g.add_argument("theme", help="theme slug, e.g. ocean")
    g.add_argument("file", type=Path, help="LoRA .safetensors")
    g.add_argument("--weight", type=float, default=1.0, help="LoRA strength used by the painter (0, 2]")
    g.add_argument("--model", default=None, help="inpainting model to check shapes against (default: app settings)")
    g.add_argument("--check-only", action="store_true", help="validate and print, do not attach")
    return parser


def load_captioner(spec: str) -> Callable:
    """``package.module:function`` → the callable (a ``data.Captioner``)."""
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise ConfigError(f"--captioner must look like module:callable, got {spec!r}")
    try:
        target = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"--captioner {spec}: {exc}") from None
    if not callable(target):
        raise ConfigError(f"--captioner {spec} is not callable")
    return target


def cmd_prepare(args: argparse.Namespace) -> int:
    from .data import prepare_dataset, write_manifest

    manifest = prepare_dataset(
        args.dir,
        theme=args.theme,
        trigger=args.trigger,
        caption=args.caption,
        min_size=args.min_size,
        resolution=args.resolution,
        bucket_step=args.bucket_step,
        captioner=load_captioner(args.captioner) if args.captioner else None,
    )
    out = args.out or args.dir / "manifest.json"
    write_manifest(manifest, out)
    buckets: dict[str, int] = {}
    for item in manifest.items:
        key = f"{item.bucket[0]}x{item.bucket[1]}"
        buckets[key] = buckets.get(key, 0) + 1
    print(f"{len(manifest.items)} images, {len(manifest.skipped)} skipped → {out}")
    print("buckets: " + ", ".join(f"{k} ({v})" for k, v in sorted(buckets.items())))
    for s in manifest.skipped:
        print(f"  skipped {s.path}: {s.reason}")
    if len(manifest.items) < 10:
        print(f"note: {len(manifest.items)} images is few; 20–50 give a steadier style")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from .config import load_config
    from .train import main as train_main

    config = load_config(args.config)
    result = train_main(config, progress=not args.no_progress, stop_at=args.stop_at)
    print(f"step {result.step}: {result.lora_file}")
    print(f"loss log {result.output_dir / 'loss.csv'}, curve {result.output_dir / 'loss.png'}")
    if result.samples:
        print(f"{result.samples_per_second:.2f} samples/s")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from .export import export_lora

    out = export_lora(args.source, args.out, kohya=args.kohya, dtype=args.dtype)
    print(f"wrote {out} ({'kohya' if args.kohya else 'diffusers'} layout, {args.dtype})")
    return 0


def cmd_register(args: argparse.Namespace) -> int:
    from .register import check_registration, register_lora, validate_lora_file

    if args.check_only:
        check_registration(args.theme, args.weight)
        info = validate_lora_file(args.file, args.model)
    else:
        try:
            info = asyncio.run(register_lora(args.theme, args.file, args.weight, args.model))
        except LookupError as exc:  # the themes service: no such theme
            raise LoraFileError(str(exc.args[0] if exc.args else exc)) from None
    for warning in info.get("warnings", []):
        print(f"warning: {warning}", file=sys.stderr)
    print(json.dumps(info, indent=2))
    if not args.check_only:
        print(f"attached to theme {args.theme!r} with weight {args.weight}")
    return 0


COMMANDS = {"prepare": cmd_prepare, "run": cmd_run, "export": cmd_export, "register": cmd_register}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    try:
        return COMMANDS[args.command](args)
    except USER_ERRORS as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
