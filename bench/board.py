"""Board list throughput with 10,000 posts: ``GET /api/posts`` against a bare Litestar endpoint (issue 7).

    .venv/bin/python bench/board.py [--posts 10000] [--requests 6000] [--concurrency 32] [--rounds 5] [--quick]

The real app (``app.asgi:create_app``, embedded: SQLite under a temp ``SAEKDAM_VAR_DIR``) and a bare Litestar
app that returns the same JSON page (decoded once, encoded by Litestar per request) run as two uvicorn
processes with the same options; a raw-socket keep-alive client drives each with ``--concurrency``
connections for ``--requests`` requests per round, rounds alternating between the two, median of
``--rounds`` after a warm-up round. Figures: requests/s and p50/p99 latency.

1. ``GET /api/posts`` — the default list every visitor loads (latest, 20 per page; served from the
   list cache most of the time, which is the design). Goal (issue 16): ≥ 80 % of bare.
2. ``GET /api/posts?cursor=…&limit=20..24`` — deep pages, each request a distinct query, i.e. a list-cache
   miss that runs the keyset query (an index seek) and presents the cards. Goal (issue 16): ≥ 50 % of bare.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._api import compare, parse_load_args, seeded_servers, show  # noqa: E402
from bench._common import Figure, Report, header, request_bytes  # noqa: E402

GOAL_FIRST = 0.8  # issue 16
GOAL_DEEP = 0.5


def main(argv: list[str] | None = None) -> int:
    args = parse_load_args(argv, __doc__.splitlines()[0], posts=10_000, quick_posts=2000)
    header("board list bench")
    report = Report("board" + ("_postgres" if args.postgres else ""))
    pages = min(args.posts // 20 - 1, 499)
    with seeded_servers(args.posts, {"board": ("/api/posts", False)}, cursor_pages=pages, postgres=args.postgres) as s:
        db = "PostgreSQL" if args.postgres else "SQLite"
        print(
            f"  {args.posts} posts in {db}; {args.concurrency} connections, {args.requests} requests per round, "
            f"median of {args.rounds} rounds (uvicorn + uvloop + httptools, no access log, both)"
        )
        bare = [request_bytes("/json/board")]
        first = compare(
            s.app.port,
            [request_bytes("/api/posts")],
            s.bare.port,
            bare,
            total=args.requests,
            concurrency=args.concurrency,
            rounds=args.rounds,
        )
        show("GET /api/posts (first page)", first)
        distinct = [request_bytes(f"/api/posts?cursor={c}&limit={limit}") for c in s.cursors for limit in range(20, 25)]
        random.Random(1).shuffle(distinct)
        per_round = min(args.requests, len(distinct) // (args.rounds + 1))
        deep = compare(
            s.app.port,
            distinct,
            s.bare.port,
            bare,
            total=per_round,
            concurrency=args.concurrency,
            rounds=args.rounds,
            fresh=True,
        )
        show(f"GET /api/posts?cursor= (miss, {per_round}/round)", deep)
    for label, c, goal in (
        ("GET /api/posts", first, GOAL_FIRST),
        ("GET /api/posts deep pages (cache miss)", deep, GOAL_DEEP),
    ):
        report.add(
            Figure(
                f"{label} throughput",
                round(c.rps),
                "req/s",
                "bare Litestar, same JSON",
                round(c.bare_rps),
                round(c.ratio, 2),
                "ours/bare",
                f"≥ {goal:.0%} of bare",
                c.ratio >= goal and c.errors == 0,
            )
        )
        report.add(
            Figure(
                f"{label} p50 latency",
                round(c.p50 * 1000, 2),
                "ms",
                "bare Litestar",
                round(c.bare_p50 * 1000, 2),
                round(c.bare_p50 / c.p50, 2),
                "bare/ours",
                "info",
            )
        )
        report.add(
            Figure(
                f"{label} p99 latency",
                round(c.p99 * 1000, 2),
                "ms",
                "bare Litestar",
                round(c.bare_p99 * 1000, 2),
                round(c.bare_p99 / c.p99, 2),
                "bare/ours",
                "info",
            )
        )
    if first.errors or deep.errors:
        raise SystemExit(f"non-200 answers: {first.errors + deep.errors}")
    report.note(f"{args.posts} posts, concurrency {args.concurrency}; latency includes queueing at that concurrency")
    report.write(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
