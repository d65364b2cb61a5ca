"""Painter's sheet benchmark: a 2048×1024 artwork reduced to 12 paints, PNG + PDF, on one core.

Run: ``.venv/bin/python bench/sheet.py [--runs 5] [--colors 12]``. The figure is the median of the runs of
``make_sheet`` (decode → colours → regions → numbers → PNG → PDF) for a 6 m × 3 m wall (so the PDF has its
18 tile pages at 1:10), pinned to one CPU with single-threaded numeric libraries. Goals: ≤ 1.5 s, PDF ≤ 3 MB.
Baseline in the same run: Pillow's own 12-colour quantisation of the same image plus a PNG encode (what a
plain "reduce to n colours" costs, without paints, regions, numbers or a PDF).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import io  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.sheets.plan import SheetOptions  # noqa: E402
from app.sheets.sheet import make_sheet  # noqa: E402
from bench._common import Figure, Report, header, median  # noqa: E402


def artwork(width: int = 2048, height: int = 1024, seed: int = 7) -> bytes:
    """A mural-like PNG: soft colour fields, hard-edged shapes and fine texture, like a diffusion result."""
    rng = np.random.default_rng(seed)
    field = rng.random((height // 32 + 1, width // 32 + 1, 3)).astype(np.float32)
    image = cv2.resize(field, (width, height), interpolation=cv2.INTER_CUBIC)
    image = np.clip(image, 0, 1) * 255
    for _ in range(40):  # shapes with hard edges
        center = (int(rng.integers(0, width)), int(rng.integers(0, height)))
        color = tuple(int(v) for v in rng.integers(0, 256, 3))
        if rng.random() < 0.5:
            cv2.circle(image, center, int(rng.integers(20, 160)), color, -1, lineType=cv2.LINE_AA)
        else:
            axes = (int(rng.integers(20, 200)), int(rng.integers(10, 80)))
            cv2.ellipse(image, center, axes, float(rng.integers(0, 180)), 0, 360, color, -1, lineType=cv2.LINE_AA)
    image += rng.normal(0, 5, image.shape)  # brush-like texture
    buffer = io.BytesIO()
    Image.fromarray(np.clip(image, 0, 255).astype(np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def timed(fn, runs: int) -> tuple[float, float, object]:  # type: ignore[no-untyped-def]
    """Median wall time and median CPU time of ``runs`` calls (CPU time: what another process's load
    on a shared machine does not add)."""
    fn()  # warm-up: imports, palette, fonts
    walls, cpus, result = [], [], None
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return median(walls), median(cpus), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--colors", type=int, default=12)
    parser.add_argument("--quick", action="store_true", help="3 runs")
    args = parser.parse_args(argv)
    runs = 3 if args.quick else args.runs
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    cv2.setNumThreads(1)
    header("Painter's sheet")
    data = artwork()
    options = SheetOptions(colors=args.colors, wall_size_m=(6.0, 3.0))
    ours, ours_cpu, files = timed(lambda: make_sheet(data, None, options), runs)

    def baseline() -> bytes:
        image = Image.open(io.BytesIO(data)).convert("RGB").quantize(args.colors)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        return buffer.getvalue()

    base, base_cpu, _ = timed(baseline, runs)
    pdf_mb = len(files.pdf) / 2**20  # type: ignore[attr-defined]
    plan = files.plan  # type: ignore[attr-defined]
    print(
        f"  2048x1024 artwork, {args.colors} colours, 6 x 3 m: sheet {ours:.3f} s (median of {runs}; CPU "
        f"{ours_cpu:.3f} s) | Pillow quantize + PNG {base:.3f} s (CPU {base_cpu:.3f} s) | "
        f"{len(plan.uses)} paints, {plan.regions.count} regions | "
        f"PNG {len(files.png) / 2**20:.2f} MB, PDF {pdf_mb:.2f} MB"
    )  # type: ignore[attr-defined]
    report = Report("sheet")
    report.add(
        Figure(
            "sheet 2048×1024, 12 colours, PNG + PDF, one core",
            round(ours * 1000),
            "ms",
            "Pillow quantize + PNG encode",
            round(base * 1000),
            round(ours / base, 2),
            "ours/baseline (lower is better)",
            "≤ 1500 ms",
            ours <= 1.5,
        )
    )
    report.add(
        Figure(
            "sheet 2048×1024, 12 colours: CPU time of the same runs",
            round(ours_cpu * 1000),
            "ms",
            "Pillow quantize + PNG encode (CPU)",
            round(base_cpu * 1000),
            round(ours_cpu / base_cpu, 2),
            "ours/baseline (lower is better)",
            "≤ 1500 ms",
            ours_cpu <= 1.5,
        )
    )
    report.add(
        Figure("sheet PDF size (overview + 18 tile pages)", round(pdf_mb, 2), "MB", goal="≤ 3 MB", met=pdf_mb <= 3)
    )
    report.write(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
