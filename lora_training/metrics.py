"""Loss log (CSV, one row per optimizer step) and its curve as a PNG drawn with Pillow (no matplotlib here)."""

from __future__ import annotations

import csv
import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FIELDS = ["step", "loss", "lr", "time"]


class LossLog:
    """Appends ``step,loss,lr,time`` rows; on resume, drops rows after the checkpoint's step so steps continue."""

    def __init__(self, path: Path, resume_step: int = 0) -> None:
        self.path = path
        rows = read_log(path) if resume_step and path.is_file() else []
        rows = [r for r in rows if r["step"] <= resume_step]
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(FIELDS)
            for r in rows:
                writer.writerow([int(r["step"]), r["loss"], r["lr"], r["time"]])
        self._file = path.open("a", newline="", encoding="utf-8")
        self._writer = csv.writer(self._file)

    def write(self, step: int, loss: float, lr: float, time_s: float) -> None:
        self._writer.writerow([step, f"{loss:.6f}", f"{lr:.6g}", f"{time_s:.3f}"])
        self._file.flush()

    def close(self) -> None:
        self._file.close()


def read_log(path: Path) -> list[dict[str, float]]:
    with path.open(newline="", encoding="utf-8") as f:
        return [
            {"step": int(r["step"]), "loss": float(r["loss"]), "lr": float(r["lr"]), "time": float(r["time"])}
            for r in csv.DictReader(f)
        ]


def plot_loss(csv_path: Path, png_path: Path, size: tuple[int, int] = (800, 450)) -> Path:
    """Loss per step (light) and its moving average (dark), with labelled axes and tick values."""
    rows = read_log(csv_path)
    w, h = size
    left, right, top, bottom = 70, 20, 36, 50
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default()
    draw.text((w // 2 - 36, 8), "training loss", fill="black", font=font)
    draw.line((left, top, left, h - bottom, w - right, h - bottom), fill="black", width=1)
    draw.text(((left + w - right) // 2 - 12, h - 22), "step", fill="black", font=font)
    draw.text((6, 8), "loss", fill="black", font=font)
    if rows:
        steps = [r["step"] for r in rows]
        losses = [r["loss"] for r in rows if math.isfinite(r["loss"])] or [0.0]
        s0, s1 = min(steps), max(steps)
        l0, l1 = min(losses), max(losses)
        if s1 == s0:
            s1 = s0 + 1
        if l1 == l0:
            l0, l1 = l0 - 0.5, l1 + 0.5

        def xy(step: float, loss: float) -> tuple[float, float]:
            x = left + (step - s0) / (s1 - s0) * (w - left - right)
            y = top + (l1 - loss) / (l1 - l0) * (h - top - bottom)
            return x, y

        for i in range(5):  # ticks
            lv = l0 + (l1 - l0) * i / 4
            _, y = xy(s0, lv)
            draw.line((left - 4, y, left, y), fill="black")
            draw.text((4, y - 6), f"{lv:.4g}", fill="black", font=font)
            sv = s0 + (s1 - s0) * i / 4
            x, _ = xy(sv, l0)
            draw.line((x, h - bottom, x, h - bottom + 4), fill="black")
            draw.text((x - 10, h - bottom + 6), f"{sv:.0f}", fill="black", font=font)
        points = [xy(r["step"], r["loss"]) for r in rows if math.isfinite(r["loss"])]
        if len(points) > 1:
            draw.line(points, fill=(160, 190, 230), width=1)
        avg, smooth = None, []
        for r in rows:
            if math.isfinite(r["loss"]):
                avg = r["loss"] if avg is None else 0.9 * avg + 0.1 * r["loss"]
                smooth.append(xy(r["step"], avg))
        if len(smooth) > 1:
            draw.line(smooth, fill=(20, 60, 160), width=2)
    png_path.parent.mkdir(parents=True, exist_ok=True)
    image.save(png_path)
    return png_path
