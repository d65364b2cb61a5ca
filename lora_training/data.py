"""Data: check a photo folder into a manifest, group photos into aspect-ratio buckets, draw random masks.

``prepare_dataset`` runs once (``train prepare``) and writes what was used and what was skipped, so a run can
be traced back to its exact images (sha256). Training reads only the manifest. Every sample is a function of
``(index, sample_seed)``, never of hidden global state, so a resumed run sees the same masks as a straight one.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import msgspec
import numpy as np
from PIL import Image, ImageDraw, ImageOps, UnidentifiedImageError

from .config import MaskSettings

IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp", ".bmp"}
DEFAULT_CAPTION = "a mural painted on a wall"
MANIFEST_VERSION = 1


class DatasetError(ValueError):
    """The folder or manifest cannot be trained on; the message lists every offending file."""


class Captioner(Protocol):
    """Optional hook that writes a caption for a photo without a ``.txt`` (e.g. a BLIP model).

    Called as ``captioner(image, path)`` with the EXIF-rotated RGB image; returns the caption without trigger
    words (they are added). No captioner is used by default: photos without captions get ``--caption``.
    """

    def __call__(self, image: Image.Image, path: Path) -> str: ...


def derive_seed(*parts: object) -> int:
    """A stable 31-bit seed from parts (``hash()`` of strings changes per process, so it cannot be used)."""
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") & 0x7FFFFFFF


def trigger_words(theme: str) -> str:
    """The words that switch a theme's style on; every caption of that theme starts with them.

    They must match the start of the painter's ``prompt_template`` for the theme (``"sdmural ocean mural,
    {wish}, ..."``), so built-in themes take them from there; other slugs get the same pattern.
    """
    try:
        from app.actors.painter.themes_default import default_theme

        template = str(default_theme(theme)["prompt_template"])
        return template.split("{wish}")[0].strip().rstrip(",").strip()
    except (ImportError, KeyError):
        return f"sdmural {theme} mural"


class ManifestItem(msgspec.Struct):
    path: str  # relative to source_dir
    sha256: str
    width: int  # after EXIF rotation
    height: int
    bucket: tuple[int, int]  # (width, height) the photo is resized and centre-cropped to
    caption: str
    caption_source: str  # "file", "default" or "captioner"


class Skipped(msgspec.Struct):
    path: str
    reason: str


class Manifest(msgspec.Struct):
    version: int
    created: str
    source_dir: str
    theme: str
    trigger: str
    resolution: int
    bucket_step: int
    items: list[ManifestItem]
    skipped: list[Skipped] = msgspec.field(default_factory=list)


# ---------------------------------------------------------------------------------------------- buckets


def _pair(size: Iterable[int]) -> tuple[int, int]:
    """A (width, height) bucket from the list that the manifest stores."""
    width, height = size
    return width, height


def make_buckets(resolution: int = 512, step: int = 64, max_ratio: float = 2.5) -> list[tuple[int, int]]:
    """SD-style buckets: sides are multiples of ``step`` with an area up to ``resolution``², ratio ≤ max_ratio."""
    if step % 8 or step <= 0:
        raise DatasetError(f"bucket step must be a positive multiple of 8 (the VAE's factor), got {step}")
    if resolution % step:
        raise DatasetError(f"resolution {resolution} must be a multiple of the bucket step {step}")
    area = resolution * resolution
    buckets = {(resolution, resolution)}
    for w in range(step, int(resolution * max_ratio) + 1, step):
        h = (area // w) // step * step
        if h >= step and max(w / h, h / w) <= max_ratio:
            buckets.add((w, h))
            buckets.add((h, w))
    return sorted(buckets)


def nearest_bucket(width: int, height: int, buckets: Iterable[tuple[int, int]]) -> tuple[int, int]:
    """The bucket whose aspect ratio is closest (in log space, so 2:1 and 1:2 are equally far from 1:1)."""
    ratio = math.log(width / height)
    return min(buckets, key=lambda b: (abs(math.log(b[0] / b[1]) - ratio), -b[0] * b[1]))


def fit_to_bucket(image: Image.Image, bucket: tuple[int, int]) -> Image.Image:
    """Scale to cover the bucket, then centre-crop the small overhang (the bucket's ratio is the nearest)."""
    bw, bh = bucket
    scale = max(bw / image.width, bh / image.height)
    size = (max(bw, round(image.width * scale)), max(bh, round(image.height * scale)))
    image = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    left, top = (size[0] - bw) // 2, (size[1] - bh) // 2
    return image.crop((left, top, left + bw, top + bh))


def open_rgb(path: Path) -> Image.Image:
    """Decode fully (a truncated file fails here, not mid-training) and apply EXIF rotation."""
    with Image.open(path) as im:
        im.load()
        return ImageOps.exif_transpose(im).convert("RGB")


# ---------------------------------------------------------------------------------------------- prepare


def prepare_dataset(
    source: Path,
    *,
    theme: str = "",
    trigger: str | None = None,
    caption: str = DEFAULT_CAPTION,
    min_size: int = 256,
    resolution: int = 512,
    bucket_step: int = 64,
    captioner: Callable[[Image.Image, Path], str] | None = None,
) -> Manifest:
    """Check every photo in ``source`` and describe the usable ones; raise DatasetError for a broken folder.

    ``trigger`` overrides the theme's trigger words (``""``: captions are used as they are).
    Fatal (nothing is written): missing or empty folder, an image that does not decode, a caption file
    without its image, no usable image left. Recorded as skipped: too small, duplicate content.
    """
    if not source.is_dir():
        raise DatasetError(f"{source} is not a folder")
    files = sorted(p for p in source.iterdir() if p.is_file() and not p.name.startswith("."))
    images = [p for p in files if p.suffix.lower() in IMAGE_EXTENSIONS]
    captions = {p.stem: p for p in files if p.suffix.lower() == ".txt"}
    if not images:
        raise DatasetError(
            f"{source} has no images ({', '.join(sorted(IMAGE_EXTENSIONS))}); put 20–50 photos of the style there"
        )
    image_stems = {p.stem for p in images}
    orphans = sorted(p.name for stem, p in captions.items() if stem not in image_stems)
    if orphans:
        raise DatasetError(f"caption without image in {source}: {', '.join(orphans)} (add the image or delete it)")

    buckets = make_buckets(resolution, bucket_step)
    if trigger is None:
        trigger = trigger_words(theme) if theme else ""
    items: list[ManifestItem] = []
    skipped: list[Skipped] = []
    corrupt: list[str] = []
    seen: dict[str, str] = {}
    for path in images:
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        try:
            image = open_rgb(path)
        except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
            corrupt.append(f"{path.name} ({exc})")
            continue
        if digest in seen:
            skipped.append(Skipped(path.name, f"duplicate of {seen[digest]}"))
            continue
        seen[digest] = path.name
        if min(image.size) < min_size:
            skipped.append(Skipped(path.name, f"too small: {image.width}x{image.height}, shorter side < {min_size}"))
            continue
        text, source_kind = _caption_for(path, image, captions.get(path.stem), caption, captioner)
        items.append(
            ManifestItem(
                path=path.name,
                sha256=digest,
                width=image.width,
                height=image.height,
                bucket=nearest_bucket(image.width, image.height, buckets),
                caption=_with_trigger(text, trigger),
                caption_source=source_kind,
            )
        )
    if corrupt:
        raise DatasetError(f"corrupt or unreadable image(s) in {source}: " + "; ".join(corrupt))
    if not items:
        reasons = "; ".join(f"{s.path}: {s.reason}" for s in skipped)
        raise DatasetError(f"no usable images in {source}: {reasons}")
    return Manifest(
        version=MANIFEST_VERSION,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        source_dir=str(source.resolve()),
        theme=theme,
        trigger=trigger,
        resolution=resolution,
        bucket_step=bucket_step,
        items=items,
        skipped=skipped,
    )


def _caption_for(
    path: Path,
    image: Image.Image,
    caption_file: Path | None,
    default: str,
    captioner: Callable[[Image.Image, Path], str] | None,
) -> tuple[str, str]:
    if caption_file is not None:
        text = " ".join(caption_file.read_text(encoding="utf-8").split())
        if text:
            return text, "file"
    if captioner is not None:
        text = " ".join(str(captioner(image, path)).split())
        if text:
            return text, "captioner"
    return default, "default"


def _with_trigger(text: str, trigger: str) -> str:
    if not trigger or trigger in text:
        return text
    return f"{trigger}, {text}" if text else trigger


def write_manifest(manifest: Manifest, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(msgspec.json.format(msgspec.json.encode(manifest), indent=2) + b"\n")


def load_manifest(path: Path, verify: bool = True) -> tuple[Manifest, list[Path]]:
    """Read a manifest and return it with absolute image paths; ``verify`` re-hashes every image."""
    try:
        manifest = msgspec.json.decode(path.read_bytes(), type=Manifest)
    except FileNotFoundError:
        raise DatasetError(f"manifest {path} not found; run `train prepare` first") from None
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise DatasetError(f"manifest {path} is not a manifest written by `train prepare`: {exc}") from None
    if not manifest.items:
        raise DatasetError(f"manifest {path} lists no images")
    root = Path(manifest.source_dir)
    if not root.is_dir() and (path.parent / manifest.items[0].path).is_file():
        root = path.parent  # the folder moved together with its manifest
    paths = [(root / item.path).resolve() for item in manifest.items]
    if verify:
        changed = []
        for item, p in zip(manifest.items, paths, strict=True):
            try:
                if hashlib.sha256(p.read_bytes()).hexdigest() != item.sha256:
                    changed.append(f"{item.path} (changed)")
            except OSError:
                changed.append(f"{item.path} (missing)")
        if changed:
            raise DatasetError(f"images differ from manifest {path}: {', '.join(changed)}; run `train prepare` again")
    return manifest, paths


# ---------------------------------------------------------------------------------------------- masks


def random_mask(width: int, height: int, rng: random.Random, weights: MaskSettings) -> np.ndarray:
    """A float32 (height, width) mask, 1 = paint: a box, brush strokes, or the whole image.

    Boxes teach filling a wall region, strokes teach blending irregular edges, whole-image masks teach the
    style itself (the masked image is then empty, like text-to-image).
    """
    kind = rng.choices(("box", "stroke", "full"), (weights.box, weights.stroke, weights.full))[0]
    if kind == "full":
        return np.ones((height, width), dtype=np.float32)
    mask = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(mask)
    if kind == "box":
        bw = rng.randint(max(1, width // 8), width)
        bh = rng.randint(max(1, height // 8), height)
        left, top = rng.randint(0, width - bw), rng.randint(0, height - bh)
        draw.rectangle((left, top, left + bw - 1, top + bh - 1), fill=255)
    else:
        short = min(width, height)
        for _ in range(rng.randint(1, 4)):
            thickness = rng.randint(max(2, short // 16), max(3, short // 4))
            x, y = rng.uniform(0, width), rng.uniform(0, height)
            points: list[tuple[float, float]] = [(x, y)]
            for _ in range(rng.randint(2, 6)):
                angle, length = rng.uniform(0, 2 * math.pi), rng.uniform(short / 8, short / 2)
                x = min(max(x + length * math.cos(angle), 0), width - 1)
                y = min(max(y + length * math.sin(angle), 0), height - 1)
                points.append((x, y))
            draw.line(points, fill=255, width=thickness, joint="curve")
            r = thickness / 2
            for px, py in points:
                draw.ellipse((px - r, py - r, px + r, py + r), fill=255)
    return np.asarray(mask, dtype=np.float32) / 255.0


# ---------------------------------------------------------------------------------------------- dataset


class MuralDataset:
    """Photos at their bucket size with a random mask each; indexed by ``(index, sample_seed)``.

    Decoded photos are kept in memory as uint8 (a theme has 20–50 of them), so only the first epoch decodes.
    ``__getitem__`` returns float tensors in [-1, 1]; ``masked_pixels`` is the photo with the mask area
    zeroed exactly as ``StableDiffusionInpaintPipeline`` prepares it (``image * (mask < 0.5)``).
    """

    def __init__(
        self, manifest: Manifest, paths: list[Path], masks: MaskSettings, caption_dropout: float = 0.0
    ) -> None:
        self.items = manifest.items
        self.paths = paths
        self.masks = masks
        self.caption_dropout = caption_dropout
        self._pixels: dict[int, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.items)

    def pixels_uint8(self, index: int) -> np.ndarray:
        """(H, W, 3) uint8 at the item's bucket size."""
        if index not in self._pixels:
            image = fit_to_bucket(open_rgb(self.paths[index]), _pair(self.items[index].bucket))
            self._pixels[index] = np.asarray(image, dtype=np.uint8)
        return self._pixels[index]

    def pixels(self, index: int):
        import torch

        array = self.pixels_uint8(index)
        return torch.from_numpy(array.copy()).permute(2, 0, 1).float().div(127.5).sub(1.0)

    def mask(self, index: int, seed: int):
        import torch

        w, h = self.items[index].bucket
        return torch.from_numpy(random_mask(w, h, random.Random(seed), self.masks))[None]

    def caption(self, index: int, seed: int) -> str:
        """The caption, or "" for a ``caption_dropout`` share of samples (decided by the sample seed)."""
        if self.caption_dropout and random.Random(seed ^ 0x5EED).random() < self.caption_dropout:
            return ""
        return self.items[index].caption

    def __getitem__(self, key: tuple[int, int]) -> dict:
        index, seed = key
        pixels = self.pixels(index)
        mask = self.mask(index, seed)
        return {
            "index": index,
            "seed": seed,
            "pixels": pixels,
            "mask": mask,
            "masked_pixels": pixels * (mask < 0.5),
            "caption": self.caption(index, seed),
        }


class BucketBatchSampler:
    """Batches of same-size photos in an order fixed by ``(seed, epoch)``.

    Each entry is ``(index, sample_seed)``; the training loop addresses batches by their position in an
    endless stream (epoch * batches_per_epoch + offset), which is what makes resuming exact and cheap.
    """

    def __init__(self, buckets: list[tuple[int, int]], batch_size: int, seed: int) -> None:
        self.groups: dict[tuple[int, int], list[int]] = {}
        for index, bucket in enumerate(buckets):
            self.groups.setdefault(_pair(bucket), []).append(index)
        self.batch_size = batch_size
        self.seed = seed
        self.batches_per_epoch = sum(math.ceil(len(g) / batch_size) for g in self.groups.values())
        self._last: tuple[int, list[list[tuple[int, int]]]] | None = None

    def epoch(self, epoch: int) -> list[list[tuple[int, int]]]:
        if self._last is not None and self._last[0] == epoch:
            return self._last[1]
        rng = np.random.default_rng([self.seed, epoch])
        batches: list[list[int]] = []
        for key in sorted(self.groups):
            group = [self.groups[key][i] for i in rng.permutation(len(self.groups[key]))]
            batches += [group[i : i + self.batch_size] for i in range(0, len(group), self.batch_size)]
        order = rng.permutation(len(batches))
        seeds = rng.integers(0, 2**31 - 1, size=sum(len(b) for b in batches))
        out, k = [], 0
        for b in order:
            out.append([(index, int(seeds[k + j])) for j, index in enumerate(batches[b])])
            k += len(batches[b])
        self._last = (epoch, out)
        return out

    def batch(self, position: int) -> list[tuple[int, int]]:
        """The batch at a position of the endless stream (epochs follow each other)."""
        epoch, offset = divmod(position, self.batches_per_epoch)
        return self.epoch(epoch)[offset]
