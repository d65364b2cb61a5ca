"""The ``saekdam paint`` and ``saekdam models`` commands (app/__main__.py dispatches to these).

Both take their settings from ``app.core.settings.get_settings()`` and return a process exit code.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import secrets
import sys
from pathlib import Path
from typing import Any

from .errors import PaintError
from .schemas import PaintProgress, PaintRequest, Region, ThemeStyle
from .themes_default import THEME_SLUGS, default_theme

_OUT_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP"}


def _strip(argv: list[str], word: str) -> list[str]:
    return argv[1:] if argv and argv[0] == word else list(argv)


def _box(text: str) -> list[int]:
    try:
        values = [int(v) for v in text.replace(" ", "").split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError("--box takes x,y,w,h in pixels") from None
    if len(values) != 4:
        raise argparse.ArgumentTypeError("--box takes x,y,w,h in pixels")
    return values


def _numbers(flag: str, count: int, what: str) -> Any:
    def parse(text: str) -> list[float]:
        try:
            values = [float(v) for v in text.replace(" ", "").split(",")]
        except ValueError:
            raise argparse.ArgumentTypeError(f"{flag} takes {what}") from None
        if len(values) != count:
            raise argparse.ArgumentTypeError(f"{flag} takes {what}")
        return values

    return parse


def paint_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="saekdam paint", description="Paint a mural onto the wall in a photo.")
    parser.add_argument("photo", type=Path, help="JPEG, PNG or WebP photo")
    parser.add_argument("--theme", default="ocean", choices=THEME_SLUGS)
    parser.add_argument("--prompt", default="", help="your wish, in Korean or English")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--box", type=_box, help="x,y,w,h to paint instead of finding the wall")
    where.add_argument("--mask", type=Path, help="PNG mask of the photo's size; non-zero pixels are painted")
    where.add_argument(
        "--quad",
        type=_numbers("--quad", 8, "x1,y1,...,x4,y4 (top-left, top-right, bottom-right, bottom-left)"),
        help="the wall plane's corners x1,y1,...,x4,y4 (TL, TR, BR, BL): painted flat, laid back in "
        "perspective; the flat murals are written as OUT-artwork.png",
    )
    parser.add_argument(
        "--blend",
        choices=("wall", "cover"),
        default="wall",
        help="wall: paint on the wall, keeping its light and texture (default); cover: as painted",
    )
    parser.add_argument(
        "--no-protect",
        dest="protect",
        action="store_false",
        help="also paint windows, doors, people, plants … inside the region",
    )
    parser.add_argument(
        "--wall-size",
        type=_numbers("--wall-size", 2, "W,H in metres"),
        default=None,
        help="the wall's width,height in metres (a quad's artwork gets this aspect)",
    )
    parser.add_argument(
        "--detail",
        choices=("standard", "high"),
        default=None,
        help="high: refine large walls in tiles at the photo's resolution (default: high on CUDA)",
    )
    parser.add_argument(
        "--guide",
        choices=("none", "lines", "depth"),
        default="none",
        help="keep the wall's edges (lines) or relief (depth) through a ControlNet",
    )
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--seed", type=int, default=None, help="default: random (printed)")
    parser.add_argument("--variations", type=int, default=1, help="1-4 images in one batch")
    parser.add_argument("--strength", type=float, default=1.0)
    parser.add_argument("--fast", action="store_true", help="LCM-LoRA, 4-8 steps")
    parser.add_argument("--lora", default=None, help="the theme's LoRA file (default: from the models dir)")
    parser.add_argument("--out", type=Path, required=True, help="output file; variations get -2, -3, ... suffixes")
    return parser


def theme_style(slug: str, lora: str | None, models_dir: Path, tiny_dir: Path | None) -> ThemeStyle:
    """A built-in theme with its LoRA file when one is present (tiny set's, or models_dir/loras/<slug>)."""
    data = default_theme(slug)
    if lora is None:
        candidates = [tiny_dir / "loras" / f"{slug}.safetensors"] if tiny_dir else []
        candidates.append(models_dir / "loras" / f"{slug}.safetensors")
        lora = next((str(p) for p in candidates if p.is_file()), None)
    return ThemeStyle(
        slug=slug,
        prompt_template=data["prompt_template"],
        negative_prompt=data["negative_prompt"],
        lora_path=lora,
        lora_weight=data["lora_weight"],
        default_steps=data["default_steps"],
    )


def _out_paths(out: Path, count: int) -> list[Path]:
    return [out if i == 0 else out.with_name(f"{out.stem}-{i + 1}{out.suffix}") for i in range(count)]


def _write(data: bytes, ext: str, path: Path) -> None:
    """Write a result; re-encode only when the file name asks for another format than the photo's kind."""
    wanted = _OUT_FORMATS.get(path.suffix.lower())
    have = "PNG" if ext == "png" else "JPEG"
    if wanted and wanted != have:
        from PIL import Image

        image: Image.Image = Image.open(io.BytesIO(data))
        buf = io.BytesIO()
        if wanted == "JPEG" and image.mode == "RGBA":
            image = image.convert("RGB")
        image.save(buf, wanted, **({"quality": 93} if wanted != "PNG" else {}))
        data = buf.getvalue()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


async def _paint(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from app.core.settings import get_settings

    from .actor import Painter
    from .config import painter_config_from_settings

    settings = get_settings()
    config = painter_config_from_settings(settings)
    tiny_dir = Path(config.inpaint_model).parent if config.tiny else None
    if config.tiny:
        print(f"using the tiny offline models in {tiny_dir} (random weights: the result is noise)", file=sys.stderr)
    if args.box:
        region = Region(mode="box", box=args.box)
    elif args.quad:
        region = Region(mode="quad", points=[args.quad[i : i + 2] for i in range(0, 8, 2)])
    else:
        region = Region(mode="mask" if args.mask else "auto")
    if args.wall_size and not all(0.3 <= v <= 200 for v in args.wall_size):
        print("error: --wall-size takes metres between 0.3 and 200", file=sys.stderr)
        return 2
    seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
    request = PaintRequest(
        job_id="cli",
        photo=args.photo.read_bytes(),
        region=region,
        mask=args.mask.read_bytes() if args.mask else None,
        theme=theme_style(args.theme, args.lora, Path(settings.models_dir), tiny_dir),
        prompt=args.prompt,
        seed=seed,
        variations=args.variations,
        steps=args.steps,
        strength=args.strength,
        fast=args.fast,
        blend=args.blend,
        protect=args.protect,
        detail=args.detail,
        guide=args.guide,
        wall_size_m=args.wall_size,
    )
    painter = Painter(config)
    bar: Any = None

    async def on_progress(p: PaintProgress) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=p.total, desc="painting", unit="step", file=sys.stderr)
        bar.update(p.step - bar.n)

    try:
        result = await painter.paint(request, on_progress)
    finally:
        if bar is not None:
            bar.close()
        await painter.close()
    paths = _out_paths(args.out, len(result.images))
    for data, path in zip(result.images, paths, strict=True):
        _write(data, result.ext, path)
    art_out = args.out.with_name(f"{args.out.stem}-artwork.png")
    art_paths = _out_paths(art_out, len(result.artworks))
    for data, path in zip(result.artworks, art_paths, strict=True):
        _write(data, "png", path)
    paths += art_paths
    for message in result.messages:
        print(f"note: {message}", file=sys.stderr)
    print(
        f"seed {result.seed}; blend {result.blend}; detail {result.detail}; guide {result.guide}; "
        f"{result.steps_done} steps; prompt: {result.prompt_en}",
        file=sys.stderr,
    )
    for path in paths:
        print(path)
    return 0


def paint_command(argv: list[str]) -> int:
    """``paint PHOTO --theme ocean --prompt "..." [--box x,y,w,h | --mask M.png | --quad x1,y1,...] [--blend]
    [--no-protect] [--wall-size W,H] [--detail] [--guide] ... --out OUT.png``."""
    args = paint_parser().parse_args(_strip(argv, "paint"))
    if not args.photo.is_file():
        print(f"error: no such photo: {args.photo}", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_paint(args))
    except PaintError as exc:
        print(f"error ({exc.code}): {exc.message}", file=sys.stderr)
        return 1


def models_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="saekdam models", description="Fetch or build the painter's models.")
    sub = parser.add_subparsers(dest="action", required=True)
    pull = sub.add_parser("pull", help="download the real models from the Hugging Face hub into the models dir")
    pull.add_argument("--dir", type=Path, default=None, help="default: SAEKDAM_MODELS_DIR")
    tiny = sub.add_parser("make-tiny", help="build tiny random-weight models offline (tests, demos)")
    tiny.add_argument("dir", type=Path)
    tiny.add_argument("--force", action="store_true", help="rebuild even when DIR is complete")
    return parser


# per model: (setting name, allow_patterns) — only what from_pretrained reads, no multi-GB .ckpt files
_PULL = (
    ("inpaint_model", ["model_index.json", "*/*.json", "*/*.txt", "*/*.safetensors"]),
    ("segment_model", ["*.json", "*.safetensors", "*.bin"]),
    ("translate_model", ["*.json", "*.spm", "*.txt", "*.safetensors", "*.bin"]),
    ("lcm_lora", ["*.json", "*.safetensors"]),
    ("controlnet_lines_model", ["*.json", "diffusion_pytorch_model.safetensors"]),
    ("controlnet_depth_model", ["*.json", "diffusion_pytorch_model.safetensors"]),
    ("depth_model", ["*.json", "*.safetensors"]),
    ("safety_model", ["*.json", "*.safetensors"]),  # the content filter (with its CLIP image processor)
)


def pull_models(directory: Path, settings: Any) -> int:
    """snapshot_download each configured model into ``directory/<id>``; a clear message when offline."""
    from huggingface_hub import snapshot_download

    failures = 0
    for name, patterns in _PULL:
        model_id = str(getattr(settings, name) or "")
        if not model_id or Path(model_id).is_dir():
            continue
        target = directory / model_id
        print(f"pulling {model_id} -> {target}", file=sys.stderr)
        try:
            snapshot_download(model_id, local_dir=target, allow_patterns=patterns)
            if not any(target.rglob("*.safetensors")):  # an older repo with PyTorch weights only
                snapshot_download(model_id, local_dir=target, allow_patterns=["*.bin"])
        except Exception as exc:
            failures += 1
            print(
                f"error: could not download {model_id} ({type(exc).__name__}: {str(exc).splitlines()[0][:200]}).\n"
                f"  This machine may have no internet access. Copy the model folder to {target} by hand, or set\n"
                f"  SAEKDAM_{name.upper()} to a local folder; 'saekdam models make-tiny' builds offline test models.",
                file=sys.stderr,
            )
    return 1 if failures else 0


def models_command(argv: list[str]) -> int:
    """``models pull [--dir DIR]`` and ``models make-tiny DIR [--force]``."""
    args = models_parser().parse_args(_strip(argv, "models"))
    if args.action == "make-tiny":
        from .tiny import make_tiny

        print(make_tiny(args.dir, force=args.force))
        return 0
    from app.core.settings import get_settings

    settings = get_settings()
    return pull_models(args.dir or Path(settings.models_dir), settings)
