"""Lighthouse 12 on the main pages, mobile and desktop: Performance, Accessibility, Best Practices, SEO (issue 20).

    .venv/bin/python bench/pages.py [--runs 1] [--quick] [--only home,board] [--keep DIR]

A fresh embedded ``saekdam serve`` (tiny models, SQLite, Korean by default) gets a user who paints two murals
through the API (1600×1200 photos, so the pages carry phone-sized images) and shares both on the board.
Lighthouse (``node_modules/.bin/lighthouse``, pinned in package.json) then loads each page with Debian's
chromium, mobile (its default: simulated slow 4G and a 4× slower CPU) and desktop (``--preset=desktop``);
logged-in pages get the user's session cookie as an extra header. Each score is the median of ``--runs``.

Baseline, measured in the same run: a bare HTML page (title, description, one paragraph; ``bench._bare``'s
``page_app``) served by uvicorn like the app: the most this machine's chromium and load let Lighthouse
report, so the ratio ours/bare separates the pages' cost from the host's. Goals: Performance ≥ 95 and
100 for the other three categories on every page, both form factors.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import PY, Figure, Report, ServerProcess, app_env, free_port, header, uvicorn_args  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
METRICS = {
    "first-contentful-paint": "FCP",
    "largest-contentful-paint": "LCP",
    "total-blocking-time": "TBT",
    "cumulative-layout-shift": "CLS",
    "speed-index": "SI",
}
FORMS = ("mobile", "desktop")
GOALS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}
PHOTO = (1600, 1200)


# ------------------------------------------------------------------------------------------- the site


async def seed(url: str) -> dict[str, str]:
    """A user with two painted murals, both shared; returns the paths to measure and the session cookie."""
    import httpx

    from app.accounts.auth import SESSION_COOKIE
    from app.actors.painter.tiny import make_wall_photo
    from tests.support.flow import create_and_upload, wait_terminal
    from tests.support.users import new_user

    async with httpx.AsyncClient(base_url=url, timeout=300) as http:
        user = await new_user(http, "벽화가")
        tasks = []
        for seed_ in (1, 2):
            buf = io.BytesIO()
            make_wall_photo(*PHOTO, seed=seed_).save(buf, format="JPEG", quality=88)
            task = await create_and_upload(http, user.headers, buf.getvalue(), "image/jpeg")
            r = await http.post(
                f"/api/tasks/{task['id']}/submit",
                headers=user.headers,
                json={
                    "theme": "ocean",
                    "prompt": "푸른 바다와 고래",
                    "region": {"mode": "auto"},
                    "seed": seed_,
                    "steps": 4,
                },
            )
            assert r.status_code == 202, r.text
            final = await wait_terminal(http, user.headers, task["id"], timeout=300)
            assert final["status"] == "succeeded", final
            tasks.append(final)
        posts = []
        for i, task in enumerate(tasks):
            r = await http.post(
                "/api/posts",
                headers=user.headers,
                json={
                    "task_id": task["id"],
                    "result_index": 0,
                    "title": f"골목 벽의 고래 벽화 {i + 1}",
                    "content": "낡은 담장이 바다가 됐어요. 동네 아이들이 제일 좋아해요.",
                },
            )
            assert r.status_code == 201, r.text
            posts.append(r.json())
        login = await http.get("/login")
        token = re.search(r'name="_csrf_token" value="([^"]+)"', login.text)
        assert token, "no CSRF token on /login"
        done = await http.post(
            "/login", data={"_csrf_token": token.group(1), "email": user.email, "password": user.password, "next": "/"}
        )
        session = http.cookies.get(SESSION_COOKIE)
        assert done.status_code in (302, 303) and session, done.text
    return {"task": tasks[0]["id"], "post": posts[0]["id"], "cookie": f"{SESSION_COOKIE}={session}"}


def pages(ids: dict[str, str]) -> dict[str, tuple[str, bool]]:
    """label → (path, logged in)."""
    return {
        "home": ("/", False),
        "login": ("/login", False),
        "board": ("/board", False),
        "post": (f"/board/{ids['post']}", False),
        "create": ("/create", True),
        "murals": ("/murals", True),
        "task": (f"/tasks/{ids['task']}", True),
    }


# ------------------------------------------------------------------------------------------- Lighthouse


def lighthouse(url: str, form: str, cookie: str | None, out_dir: Path, label: str) -> dict[str, Any]:
    """One Lighthouse run; returns {category: score 0–100, metric: value} from its JSON report."""
    out = out_dir / f"{label}-{form}-{time.monotonic_ns()}.json"
    args = [
        str(LIGHTHOUSE),
        url,
        "--output=json",
        f"--output-path={out}",
        "--quiet",
        f"--only-categories={','.join(CATEGORIES)}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage",
    ]
    if form == "desktop":
        args.append("--preset=desktop")
    if cookie:
        args.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    done = subprocess.run(
        args, env={**os.environ, "CHROME_PATH": CHROMIUM}, capture_output=True, text=True, timeout=240
    )
    if done.returncode != 0 or not out.exists():
        raise RuntimeError(f"lighthouse failed on {url} ({form}): {done.stderr[-2000:]}")
    report = json.loads(out.read_text())
    if report.get("runtimeError"):
        raise RuntimeError(f"lighthouse on {url}: {report['runtimeError']}")
    found: dict[str, Any] = {c: round(100 * (report["categories"][c]["score"] or 0)) for c in CATEGORIES}
    for audit, name in METRICS.items():
        found[name] = report["audits"][audit].get("numericValue")
    found["failed"] = sorted(
        f"{c}:{ref['id']}"
        for c in CATEGORIES
        for ref in report["categories"][c]["auditRefs"]
        if ref.get("weight", 0) > 0
        and (report["audits"][ref["id"]].get("score") is not None)
        and report["audits"][ref["id"]]["score"] < 0.9
    )
    return found


def median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for key in (*CATEGORIES, *METRICS.values()):
        values = [r[key] for r in runs if r.get(key) is not None]
        merged[key] = statistics.median(values) if values else None
    merged["failed"] = sorted({f for r in runs for f in r["failed"]})
    return merged


def show(label: str, form: str, m: dict[str, Any]) -> None:
    scores = " ".join(f"{c[:4]} {m[c]:>3.0f}" for c in CATEGORIES)
    timing = (
        f"FCP {m['FCP'] / 1000:.2f} s, LCP {m['LCP'] / 1000:.2f} s, TBT {m['TBT']:.0f} ms, "
        f"CLS {m['CLS']:.3f}, SI {m['SI'] / 1000:.2f} s"
    )
    print(f"  {label:<8} {form:<7} {scores} | {timing}")
    if m["failed"]:
        print(f"           below 0.9: {', '.join(m['failed'])}")


# ------------------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="Lighthouse runs per page and form factor (median)")
    parser.add_argument("--quick", action="store_true", help="home, board and task pages only")
    parser.add_argument("--only", default="", help="comma-separated page labels")
    parser.add_argument("--keep", default="", help="keep the Lighthouse JSON reports in this folder")
    args = parser.parse_args(argv)
    if not LIGHTHOUSE.exists():
        raise SystemExit("node_modules/.bin/lighthouse is missing: run `make install-test`")
    header("pages bench (Lighthouse 12)")
    report = Report("pages")
    with tempfile.TemporaryDirectory(prefix="saekdam-pages-") as tmp:
        out_dir = Path(args.keep) if args.keep else Path(tmp) / "reports"
        out_dir.mkdir(parents=True, exist_ok=True)
        env = app_env(Path(tmp) / "var", SAEKDAM_DEFAULT_LANGUAGE="ko")
        port = free_port()
        env["SAEKDAM_PUBLIC_URL"] = f"http://127.0.0.1:{port}"
        with (
            ServerProcess([PY, "-m", "app", "serve", "--port", str(port)], env, port=port, name="app") as app,
            ServerProcess(
                uvicorn_args("bench._bare:page_app", (bare_port := free_port()), factory=True),
                port=bare_port,
                name="bare",
            ) as bare,
        ):
            app.wait_ready()
            bare.wait_ready()
            os.environ.update(env)  # the seeding helpers read the same settings (tiny models, the secret)
            ids = asyncio.run(seed(app.url))
            chosen = pages(ids)
            if args.quick:
                chosen = {k: v for k, v in chosen.items() if k in ("home", "board", "task")}
            if args.only:
                chosen = {k: v for k, v in chosen.items() if k in args.only.split(",")}
            print(
                f"  {len(chosen)} pages × {len(FORMS)} form factors, median of {args.runs} run(s); "
                "scores: perf/a11y/best practices/SEO"
            )
            baseline = {
                form: median_of([lighthouse(bare.url + "/page", form, None, out_dir, "bare") for _ in range(args.runs)])
                for form in FORMS
            }
            for form in FORMS:
                show("bare", form, baseline[form])
            worst: dict[str, float] = {}
            for label, (path, logged_in) in chosen.items():
                for form in FORMS:
                    runs = [
                        lighthouse(app.url + path, form, ids["cookie"] if logged_in else None, out_dir, label)
                        for _ in range(args.runs)
                    ]
                    m = median_of(runs)
                    show(label, form, m)
                    base = baseline[form]["performance"] or 1
                    report.add(
                        Figure(
                            f"{label} ({form}) Performance",
                            m["performance"],
                            "score",
                            "bare HTML page",
                            baseline[form]["performance"],
                            round(m["performance"] / base, 2),
                            "ours/bare",
                            "≥ 95",
                            m["performance"] >= GOALS["performance"],
                        )
                    )
                    others = {c: m[c] for c in CATEGORIES[1:]}
                    report.add(
                        Figure(
                            f"{label} ({form}) A11y / Best Practices / SEO",
                            min(others.values()),
                            "lowest score",
                            goal="100 each",
                            met=all(v >= GOALS[c] for c, v in others.items()),
                        )
                    )
                    report.add(
                        Figure(
                            f"{label} ({form}) LCP",
                            round(m["LCP"]),
                            "ms",
                            "bare HTML page",
                            round(baseline[form]["LCP"]),
                            round(baseline[form]["LCP"] / m["LCP"], 2),
                            "bare/ours",
                            "info",
                        )
                    )
                    for c in CATEGORIES:
                        worst[c] = min(worst.get(c, 100), m[c])
            report.note("lowest scores over all pages: " + ", ".join(f"{c} {worst[c]:.0f}" for c in CATEGORIES))
    report.write(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
