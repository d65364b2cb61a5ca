"""The JSON endpoints the app calls most, against a bare Litestar endpoint with the same payload (issue 9).

    .venv/bin/python bench/http_api.py [--posts 1000] [--requests 6000] [--concurrency 32] [--rounds 5] [--quick]

- ``GET /api/tasks/{id}`` with a bearer token: what the app polls for a task's status (token lookup, task
  row, presentation with signed URLs);
- the same task read with ``If-None-Match`` (the client's copy is current: 304, no body);
- ``GET /api/posts``: the board list (see bench/board.py for the 10,000-post figures).
All run against the real app (embedded, SQLite) and a bare Litestar app serving the very same JSON
(bench/_bare.py, a 200 with the body), same uvicorn options, alternating rounds, median of ``--rounds``.
Goals (issue 16): the task read ≥ 50 % of bare, its 304 ≥ 70 %, the list ≥ 50 %.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._api import compare, parse_load_args, seeded_servers, show  # noqa: E402
from bench._common import Figure, Report, header, request_bytes  # noqa: E402

ENDPOINTS = {"task": ("/api/tasks/{task_id}", True), "board": ("/api/posts", False)}
GOALS = {"task": 0.5, "task 304": 0.7, "board": 0.5}


def etag(url: str, headers: dict[str, str]) -> str:
    import httpx

    r = httpx.get(url, headers=headers, timeout=30)
    r.raise_for_status()
    return r.headers["etag"]


def main(argv: list[str] | None = None) -> int:
    args = parse_load_args(argv, __doc__.splitlines()[0], posts=1000, quick_posts=200)
    header("JSON API bench")
    report = Report("http_api" + ("_postgres" if args.postgres else ""))
    errors = 0
    with seeded_servers(args.posts, ENDPOINTS, postgres=args.postgres) as s:
        print(f"  {args.concurrency} connections, {args.requests} requests per round, median of {args.rounds} rounds")
        cases = [(name, path, needs_auth, {}) for name, (path, needs_auth) in ENDPOINTS.items()]
        task_path = ENDPOINTS["task"][0].format(task_id=s.task_id)
        cases.insert(
            1, ("task 304", ENDPOINTS["task"][0], True, {"If-None-Match": etag(s.app.url + task_path, s.auth)})
        )
        for name, path, needs_auth, extra in cases:
            headers = {**(s.auth if needs_auth else {}), **extra}
            real = request_bytes(path.format(task_id=s.task_id), headers or None)
            label = f"GET {path.replace('{task_id}', '{id}')}" + (" (If-None-Match → 304)" if extra else "")
            bare_name = name.split()[0]
            c = compare(
                s.app.port,
                [real],
                s.bare.port,
                [request_bytes(f"/json/{bare_name}")],
                total=args.requests,
                concurrency=args.concurrency,
                rounds=args.rounds,
            )
            show(label, c)
            errors += c.errors
            goal = GOALS[name]
            report.add(
                Figure(
                    f"{label} throughput",
                    round(c.rps),
                    "req/s",
                    "bare Litestar, same JSON (200)",
                    round(c.bare_rps),
                    round(c.ratio, 2),
                    "ours/bare",
                    f"≥ {goal:.0%} of bare",
                    c.ratio >= goal and c.errors == 0,
                )
            )
            report.add(
                Figure(
                    f"{label} p50 / p99 latency",
                    round(c.p50 * 1000, 2),
                    "ms",
                    "bare Litestar p50",
                    round(c.bare_p50 * 1000, 2),
                    round(c.bare_p50 / c.p50, 2),
                    "bare/ours",
                    f"info (p99 ours {c.p99 * 1000:.1f} ms, bare {c.bare_p99 * 1000:.1f} ms)",
                )
            )
    if errors:
        raise SystemExit(f"answers other than 200/304: {errors}")
    db = "PostgreSQL" if args.postgres else "SQLite"
    report.note(f"{db}, concurrency {args.concurrency}; the task GET authenticates a bearer token per request")
    report.write(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
