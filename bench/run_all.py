"""Run every bench as a subprocess and collect their figures into one Markdown table (``make bench``).

    .venv/bin/python bench/run_all.py [--quick] [--only dispatch,board] [--skip e2e] [--timeout 1200]

Each bench writes ``bench/results/<name>.json`` (painter.py and train.py print only: their lines are parsed
here); its full output goes to ``bench/results/<name>.log``. The table (benchmark, figure, value, baseline,
ratio, goal, met?) and the machine it ran on go to ``bench/results/RESULTS.md``. A bench that crashes, times
out or leaves no figures is listed as FAILED and makes this script exit 1; a goal not met is reported, not
an error.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import PY, RESULTS_DIR, ROOT, machine_info  # noqa: E402

# name → (args for the full run, args for --quick); JSON benches read their own --quick
BENCHES: dict[str, tuple[list[str], list[str]]] = {
    "dispatch": ([], ["--quick"]),
    "board": ([], ["--quick"]),
    "http_api": ([], ["--quick"]),
    "sse_fanout": ([], ["--quick"]),
    "e2e": ([], ["--quick"]),
    "worker": ([], ["--quick"]),
    "server": ([], ["--quick"]),
    # the mid-size model is where model compute outweighs the fixed per-job work, as on real models
    "painter": ([], ["--runs", "2", "--steps", "4", "--skip-mid"]),
    "train": (["--steps", "20"], ["--steps", "6", "--runs", "1"]),
    # Lighthouse on the main pages, mobile and desktop (scores move with the host's load: median of 3)
    "pages": (["--runs", "3"], ["--quick"]),
    "sheet": ([], ["--quick"]),
}


# ------------------------------------------------------------------------------------------- running


def run_bench(name: str, args: list[str], timeout_s: float) -> tuple[int, str, float]:
    """Run one bench, echoing its output live; returns (exit code, output, seconds). 124 = timed out."""
    log_path = RESULTS_DIR / f"{name}.log"
    start = time.monotonic()
    lines: list[str] = []
    print(f"\n=== {name}: {' '.join(['bench/' + name + '.py', *args])}", flush=True)
    proc = subprocess.Popen(
        [PY, str(ROOT / "bench" / f"{name}.py"), *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    )
    assert proc.stdout is not None
    try:
        for line in proc.stdout:
            lines.append(line)
            if not line.startswith("RESULT-JSON"):
                print(line, end="", flush=True)
            if time.monotonic() - start > timeout_s:
                raise TimeoutError
        rc = proc.wait(timeout=max(1.0, timeout_s - (time.monotonic() - start)))
    except (TimeoutError, subprocess.TimeoutExpired):
        proc.kill()
        proc.wait()
        rc = 124
        lines.append(f"\n[run_all] killed after {timeout_s:.0f} s\n")
    output = "".join(lines)
    log_path.write_text(output)
    return rc, output, time.monotonic() - start


# ------------------------------------------------------------------------------------------- figures


def figure(
    name: str,
    value: float | None,
    unit: str,
    baseline: str = "",
    baseline_value: float | None = None,
    ratio: float | None = None,
    note: str = "",
    goal: str = "",
    met: bool | None = None,
) -> dict[str, Any]:
    return {
        "figure": name,
        "value": value,
        "unit": unit,
        "baseline": baseline,
        "baseline_value": baseline_value,
        "ratio": ratio,
        "ratio_note": note,
        "goal": goal,
        "met": met,
    }


def parse_painter(output: str) -> list[dict[str, Any]]:
    figures = []
    for m in re.finditer(
        r"^\s+(.+?)\s+photo .*?painter job\s+([\d.]+) ms \| bare diffusers\s+([\d.]+) ms \| "
        r"ratio ([\d.]+)",
        output,
        re.M,
    ):
        ratio = float(m.group(4))
        figures.append(
            figure(
                f"painter job, {m.group(1).strip()}",
                float(m.group(2)),
                "ms",
                "bare diffusers call",
                float(m.group(3)),
                ratio,
                "ours/bare (lower is better)",
                "ratio ≤ 1.05",
                ratio <= 1.05,
            )
        )
    m = re.search(r"12 MP JPEG.*?total (\d+) ms", output)
    if m:
        figures.append(
            figure(
                "12 MP pre/post-processing, one core",
                float(m.group(1)),
                "ms",
                goal="≤ 500 ms",
                met=float(m.group(1)) <= 500,
            )
        )
    for m in re.finditer(
        r"12 MP JPEG, (box|auto|quad)\b.*?total (\d+) ms .*?\| cover pre/post (\d+) ms \(×([\d.]+)\)", output
    ):
        value = float(m.group(2))
        figures.append(
            figure(
                f"12 MP pre/post, {m.group(1)}, blend wall + keep-outs, one core",
                value,
                "ms",
                "blend cover pre/post",
                float(m.group(3)),
                float(m.group(4)),
                "ours/cover (lower is better)",
                "≤ 600 ms",
                value <= 600,
            )
        )
    for m in re.finditer(
        r"^\s+(.+?): SD 1.5 .*?diffusers default \(SDPA\) ([\d.]+) it/s \| ours .*? ([\d.]+) it/s", output, re.M
    ):
        ours, base = float(m.group(3)), float(m.group(2))
        figures.append(
            figure(
                f"SD 1.5 UNet it/s on {m.group(1).strip()}",
                ours,
                "it/s",
                "diffusers default",
                base,
                round(ours / base, 2),
                "ours/default",
                "≥ 1.5×",
                ours / base >= 1.5,
            )
        )
    if re.search(r"^\s+CUDA section skipped", output, re.M):
        figures.append(
            figure(
                "SD 1.5 UNet it/s on CUDA: skipped, no CUDA device on this machine",
                None,
                "it/s",
                goal="≥ 1.5× (not measured)",
            )
        )
    return figures


def parse_train(output: str) -> list[dict[str, Any]]:
    figures = []
    label = ""
    reference = None
    for line in output.splitlines():
        head = re.match(r"^(\S.*?): \d+ steps", line)
        if head:
            label, reference = head.group(1), None
        m = re.match(r"^\s+(reference|ours \(\w+\)).*?\s([\d.]+) samples/s", line)
        if not m:
            continue
        if m.group(1) == "reference":
            reference = float(m.group(2))
        elif reference:
            value = float(m.group(2))
            figures.append(
                figure(
                    f"LoRA training, {label}, {m.group(1)}",
                    value,
                    "samples/s",
                    "diffusers-example-style loop",
                    reference,
                    round(value / reference, 2),
                    "ours/reference",
                    "info",
                )
            )
    return figures


def collect(name: str, rc: int, output: str, seconds: float) -> dict[str, Any]:
    """The bench's result record: its JSON file, or figures parsed from its output, or a failure."""
    record: dict[str, Any] = {"bench": name, "rc": rc, "seconds": round(seconds, 1), "figures": [], "notes": []}
    path = RESULTS_DIR / f"{name}.json"
    if path.exists():
        record.update({k: v for k, v in json.loads(path.read_text()).items() if k in ("figures", "notes", "machine")})
    elif name == "painter":
        record["figures"] = parse_painter(output)
    elif name == "train":
        record["figures"] = parse_train(output)
    record["ok"] = rc == 0 and bool(record["figures"])
    if not record["ok"]:
        tail = [line for line in output.strip().splitlines() if line.strip()][-1:] or ["no output"]
        record["error"] = f"exit {rc}" + (" (timed out)" if rc == 124 else "") + f": {tail[0][:160]}"
    return record


# ------------------------------------------------------------------------------------------- table


def fmt(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def table(records: list[dict[str, Any]]) -> list[str]:
    rows = ["| benchmark | figure | value | baseline | ratio | goal | met? |", "|---|---|---|---|---|---|---|"]
    for r in records:
        if not r["ok"]:
            rows.append(f"| {r['bench']} | **FAILED** | — | — | — | — | ✗ ({r.get('error', '')}) |")
        for f in r["figures"]:
            baseline = (
                "—"
                if f.get("baseline_value") is None
                else f"{fmt(f['baseline_value'])} {f['unit']} ({f.get('baseline', '')})"
            )
            ratio = "—" if f.get("ratio") is None else f"{fmt(f['ratio'])}× {f.get('ratio_note', '')}".strip()
            met = {True: "✓", False: "✗", None: "—"}[f.get("met")]
            rows.append(
                f"| {r['bench']} | {f['figure']} | {fmt(f['value'])} {f['unit']} | {baseline} | {ratio} | "
                f"{f.get('goal') or '—'} | {met} |"
            )
    return rows


def versions() -> str:
    parts = []
    for package in ("torch", "litestar", "uvicorn", "arq", "redis", "piccolo"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            parts.append(f"{package} {metadata.version(package)}")
    return ", ".join(parts)


def write_markdown(records: list[dict[str, Any]], start: dict[str, Any], quick: bool) -> Path:
    end = machine_info()
    lines = [
        f"# Saekdam benchmarks{' (quick sizes)' if quick else ''}",
        "",
        f"- Date: {start['date']} → {end['date']}",
        f"- Machine: {start['cpu']}, {start['cores']} cores, {start['ram_gib']} GiB RAM, {start['platform']}",
        f"- Load average (1 min) at start {start['load_avg_1m']}, at end {end['load_avg_1m']} "
        "(other processes on the host share the CPUs: figures move with it)",
        f"- Python {start['python']}; {versions()}",
        "",
        *table(records),
        "",
        "Ratios are oriented as noted (ours/baseline or baseline/ours); every baseline was measured in the same run.",
        "",
    ]
    for r in records:
        notes = [*r.get("notes", []), f"took {r['seconds']} s"]
        lines.append(f"- **{r['bench']}**: " + "; ".join(notes))
    path = RESULTS_DIR / "RESULTS.md"
    path.write_text("\n".join(lines) + "\n")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes for every bench")
    parser.add_argument("--only", default="", help="comma-separated bench names")
    parser.add_argument("--skip", default="", help="comma-separated bench names")
    parser.add_argument("--timeout", type=float, default=1200, help="seconds per bench")
    args = parser.parse_args(argv)
    names = [n for n in (args.only.split(",") if args.only else BENCHES) if n]
    unknown = [n for n in names + [s for s in args.skip.split(",") if s] if n not in BENCHES]
    if unknown:
        parser.error(f"unknown bench(es): {', '.join(unknown)}; known: {', '.join(BENCHES)}")
    names = [n for n in names if n not in args.skip.split(",")]
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    start = machine_info()
    records = []
    for name in names:
        (RESULTS_DIR / f"{name}.json").unlink(missing_ok=True)  # never report a stale file
        full, quick = BENCHES[name]
        rc, output, seconds = run_bench(name, quick if args.quick else full, args.timeout)
        records.append(collect(name, rc, output, seconds))
    path = write_markdown(records, start, args.quick)
    print("\n" + path.read_text())
    print(f"written to {path.relative_to(ROOT)}")
    failed = [r["bench"] for r in records if not r["ok"]]
    if failed:
        print(f"FAILED: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    raise SystemExit(main())
