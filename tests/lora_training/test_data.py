"""``train prepare``: checks, captions, buckets and the manifest; masks and the bucketed sampler."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from lora_training.__main__ import main as cli
from lora_training.config import MaskSettings
from lora_training.data import (
    BucketBatchSampler,
    DatasetError,
    load_manifest,
    make_buckets,
    nearest_bucket,
    prepare_dataset,
    random_mask,
    trigger_words,
)


def photo(path: Path, size: tuple[int, int] = (300, 300), colour: tuple[int, int, int] = (10, 120, 200)) -> Path:
    Image.new("RGB", size, colour).save(path)
    return path


def test_prepare_records_used_and_skipped(tmp_path: Path) -> None:
    photo(tmp_path / "a.png")
    (tmp_path / "a.txt").write_text("  whales   and waves \n", encoding="utf-8")
    photo(tmp_path / "wide.jpg", (900, 300), (200, 50, 50))
    photo(tmp_path / "small.png", (100, 80), (0, 200, 0))
    (tmp_path / "copy.png").write_bytes((tmp_path / "a.png").read_bytes())
    (tmp_path / "notes.md").write_text("ignored")

    manifest = prepare_dataset(tmp_path, theme="ocean", min_size=256)

    by_name = {i.path: i for i in manifest.items}
    assert set(by_name) == {"a.png", "wide.jpg"}
    trigger = trigger_words("ocean")
    assert by_name["a.png"].caption == f"{trigger}, whales and waves"
    assert by_name["a.png"].caption_source == "file"
    assert by_name["wide.jpg"].caption == f"{trigger}, a mural painted on a wall"
    assert by_name["wide.jpg"].caption_source == "default"
    w, h = by_name["wide.jpg"].bucket
    assert w > h and w % 64 == 0 and h % 64 == 0 and w * h <= 512 * 512
    assert by_name["a.png"].bucket == (512, 512)
    assert len(by_name["a.png"].sha256) == 64
    reasons = {s.path: s.reason for s in manifest.skipped}
    assert reasons["copy.png"] == "duplicate of a.png"
    assert reasons["small.png"].startswith("too small: 100x80")


def test_trigger_words_follow_the_painter_templates() -> None:
    # the painter's prompt_template for "play" starts with "sdmural playful mural, {wish}"
    assert trigger_words("play") == "sdmural playful mural"
    assert trigger_words("newtheme") == "sdmural newtheme mural"


def test_captioner_hook_fills_missing_captions(tmp_path: Path) -> None:
    photo(tmp_path / "x.png")
    seen: list[tuple[tuple[int, int], str]] = []

    def captioner(image: Image.Image, path: Path) -> str:
        seen.append((image.size, path.name))
        return "a blue wall"

    manifest = prepare_dataset(tmp_path, captioner=captioner, trigger="tok")
    assert seen == [((300, 300), "x.png")]
    assert manifest.items[0].caption == "tok, a blue wall"
    assert manifest.items[0].caption_source == "captioner"


def test_empty_folder_fails_clearly(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="has no images"):
        prepare_dataset(tmp_path)


def test_missing_folder_fails_clearly(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="is not a folder"):
        prepare_dataset(tmp_path / "nope")


def test_corrupt_image_fails_naming_it(tmp_path: Path) -> None:
    photo(tmp_path / "good.png")
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 this is not a jpeg")
    truncated = tmp_path / "cut.png"
    photo(tmp_path / "whole.png", (300, 300), (1, 2, 3))
    truncated.write_bytes((tmp_path / "whole.png").read_bytes()[:200])
    with pytest.raises(DatasetError, match=r"corrupt or unreadable image\(s\).*broken\.jpg.*cut\.png"):
        prepare_dataset(tmp_path)


def test_caption_without_image_fails_naming_it(tmp_path: Path) -> None:
    photo(tmp_path / "a.png")
    (tmp_path / "ghost.txt").write_text("a caption")
    with pytest.raises(DatasetError, match="caption without image.*ghost.txt"):
        prepare_dataset(tmp_path)


def test_all_skipped_fails_with_reasons(tmp_path: Path) -> None:
    photo(tmp_path / "tiny.png", (50, 50))
    with pytest.raises(DatasetError, match="no usable images.*tiny.png: too small"):
        prepare_dataset(tmp_path)


def test_manifest_detects_changed_images(tmp_path: Path) -> None:
    photo(tmp_path / "a.png")
    assert cli(["prepare", str(tmp_path)]) == 0
    manifest, paths = load_manifest(tmp_path / "manifest.json")
    assert paths == [(tmp_path / "a.png").resolve()]
    photo(tmp_path / "a.png", colour=(9, 9, 9))
    with pytest.raises(DatasetError, match=r"a.png \(changed\)"):
        load_manifest(tmp_path / "manifest.json")


def test_cli_prepare_writes_manifest_and_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    photo(tmp_path / "a.png", (640, 400))
    out = tmp_path / "m" / "manifest.json"
    assert cli(["prepare", str(tmp_path), "--out", str(out), "--theme", "space", "--caption", "stars"]) == 0
    data = json.loads(out.read_text())
    assert data["theme"] == "space" and data["items"][0]["caption"] == "sdmural space mural, stars"
    assert "1 images, 0 skipped" in capsys.readouterr().out


def test_cli_prepare_error_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["prepare", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "has no images" in err


def test_buckets_are_sd_style() -> None:
    buckets = make_buckets(512, 64)
    assert (512, 512) in buckets and (768, 320) in buckets and (320, 768) in buckets
    assert all(w % 64 == 0 and h % 64 == 0 and w * h <= 512 * 512 for w, h in buckets)
    assert all(max(w / h, h / w) <= 2.5 for w, h in buckets)
    assert nearest_bucket(1600, 900, buckets) in {(640, 384), (704, 384)}
    assert nearest_bucket(900, 1600, buckets)[1] > nearest_bucket(900, 1600, buckets)[0]
    with pytest.raises(DatasetError, match="multiple of 8"):
        make_buckets(512, 60)


@pytest.mark.parametrize("kind", ["box", "stroke", "full"])
def test_masks_are_binary_and_seeded(kind: str) -> None:
    weights = MaskSettings(box=float(kind == "box"), stroke=float(kind == "stroke"), full=float(kind == "full"))
    a = random_mask(96, 64, random.Random(3), weights)
    b = random_mask(96, 64, random.Random(3), weights)
    assert a.shape == (64, 96) and np.array_equal(a, b)
    assert set(np.unique(a)) <= {0.0, 1.0} and a.sum() > 0
    if kind == "full":
        assert a.all()
    else:
        assert not a.all()


def test_sampler_keeps_buckets_apart_and_repeats() -> None:
    buckets = [(64, 64)] * 5 + [(96, 32)] * 3
    sampler = BucketBatchSampler(buckets, batch_size=2, seed=7)
    epoch = sampler.epoch(0)
    assert sampler.batches_per_epoch == len(epoch) == 5
    assert sorted(i for batch in epoch for i, _ in batch) == list(range(8))
    for batch in epoch:
        assert len({buckets[i] for i, _ in batch}) == 1
    assert BucketBatchSampler(buckets, 2, 7).epoch(0) == epoch
    assert sampler.epoch(1) != epoch
    assert sampler.batch(5 + 2) == sampler.epoch(1)[2]
