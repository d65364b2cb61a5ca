"""Server: the real app under Granian against the real app under uvicorn, same endpoints, same run (issue 16).

    .venv/bin/python bench/server.py [--requests 3000] [--concurrency 32] [--rounds 5] [--quick]

Both serve ``app.asgi:create_app`` (embedded, SQLite, one process each, uvloop, no access log) from one
database; rounds alternate (uvicorn, Granian, …) after one warm-up round each, median of ``--rounds``.
Endpoints: ``/healthz`` (the least a request costs) and ``GET /api/posts`` (the board's first page).
The ratio is Granian/uvicorn. uvicorn stays ``saekdam serve``'s server until SSE, WebSocket, ``--workers``,
proxy headers and graceful shutdown are tested under Granian (README "Performance"). Needs the ``bench``
extra (``pip install granian==2.8.7``); without it the bench says so and records nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import (  # noqa: E402
    PY,
    Figure,
    Report,
    ServerProcess,
    app_env,
    free_port,
    header,
    median,
    request_bytes,
    run,
    run_load,
    use_env,
    uvicorn_args,
)

PATHS = ("/healthz", "/api/posts")


def granian_args(port: int) -> list[str]:
    return [
        str(Path(PY).parent / "granian"),
        "--interface",
        "asgi",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--loop",
        "uvloop",
        "--log-level",
        "warning",
        "--no-access-log",
        "--backlog",
        "4096",
        "app.asgi:create_app",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="500 requests, 2 rounds")
    args = parser.parse_args(argv)
    if args.quick:
        args.requests, args.rounds = 500, 2
    header("server bench (Granian vs uvicorn)")
    report = Report("server")
    if not (Path(PY).parent / "granian").exists():
        print("  skipped: granian is not installed (pip install granian==2.8.7, the `bench` extra)")
        report.note("skipped: granian not installed")
        report.write(args)
        return 1
    with tempfile.TemporaryDirectory(prefix="saekdam-bench-") as tmp:
        env = app_env(Path(tmp) / "var", SAEKDAM_RUN_PAINTER_IN_API="false")
        use_env(env)
        from app.core.db import run_migrations

        with contextlib.redirect_stdout(io.StringIO()):
            run(run_migrations())
        uv_port, gr_port = free_port(), free_port()
        with (
            ServerProcess(
                uvicorn_args("app.asgi:create_app", uv_port, factory=True), env, port=uv_port, name="uvicorn"
            ).wait_ready(),
            ServerProcess(granian_args(gr_port), env, port=gr_port, name="granian").wait_ready(),
        ):
            for path in PATHS:
                request = [request_bytes(path)]
                uv, gr, errors = [], [], 0
                for r in range(args.rounds + 1):
                    a = run(run_load(uv_port, request, args.requests, args.concurrency))
                    b = run(run_load(gr_port, request, args.requests, args.concurrency))
                    errors += a.errors + b.errors
                    if r:
                        uv.append(a.rps)
                        gr.append(b.rps)
                ratio = median(gr) / median(uv)
                print(
                    f"  GET {path:<12} uvicorn {median(uv):7.0f} req/s | Granian {median(gr):7.0f} req/s | "
                    f"Granian/uvicorn {ratio:.2f}" + (f" | ERRORS {errors}" if errors else "")
                )
                report.add(
                    Figure(
                        f"GET {path} under Granian",
                        round(median(gr)),
                        "req/s",
                        "same app under uvicorn",
                        round(median(uv)),
                        round(ratio, 2),
                        "Granian/uvicorn",
                        "info (default: uvicorn)",
                        None if not errors else False,
                    )
                )
    report.note(f"one process each, {args.concurrency} connections, median of {args.rounds} rounds")
    report.write(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
