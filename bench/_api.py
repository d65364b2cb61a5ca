"""The real app and its bare baseline, side by side, for the JSON endpoint benches (board.py, http_api.py).

``seeded_servers()`` makes a fresh embedded deployment under a temp ``SAEKDAM_VAR_DIR`` (SQLite, local
storage), applies the migrations, starts ``app.asgi:create_app`` under uvicorn, signs one user up, writes
posts (and a succeeded task) straight into the tables, then fetches each endpoint's real JSON once and
starts the bare Litestar app (``bench/_bare.py: json_app``) that serves exactly that payload. The painter is
not started in the API (``SAEKDAM_RUN_PAINTER_IN_API=false``): nothing is painted in these benches.
``compare()`` then alternates load rounds between the two servers, so background load hits both alike.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import random
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench._common import (
    LoadResult,
    ServerProcess,
    app_env,
    fetch_body,
    free_port,
    median,
    pct,
    request_bytes,
    run,
    run_load,
    use_env,
    uvicorn_args,
)

ROUND_S = 3.0


def parse_load_args(argv: list[str] | None, description: str, posts: int, quick_posts: int) -> argparse.Namespace:
    """The options both JSON endpoint benches take (board.py, http_api.py), with their ``--quick`` sizes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--posts", type=int, default=posts)
    parser.add_argument("--requests", type=int, default=6000, help="requests per round and server")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL (127.0.0.1:5432) instead of SQLite")
    parser.add_argument("--quick", action="store_true", help=f"{quick_posts:,} posts, 1,000 requests, 3 rounds")
    args = parser.parse_args(argv)
    if args.quick:
        args.posts, args.requests, args.rounds = quick_posts, 1000, 3
    return args


THEMES = ("nature", "urban", "play", "ocean", "animals", "space")


@dataclass
class Seeded:
    app: ServerProcess
    bare: ServerProcess
    token: str
    task_id: str
    cursors: list[str] = field(default_factory=list)

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def _insert_posts(author_pk: int, count: int) -> None:
    from app.board.tables import Post

    now = datetime.now(UTC)
    rnd = random.Random(0)
    for start in range(0, count, 500):
        rows = []
        for i in range(start, min(count, start + 500)):
            pid = uuid.uuid4()
            rows.append(
                Post(
                    id=pid,
                    author=author_pk,
                    anonymous=i % 10 == 0,
                    task_id=uuid.uuid4(),
                    result_index=0,
                    source=f"bench:{i}",
                    title=f"Mural number {i} on an old wall",
                    content="A wall by the river, painted with whales and waves. " * rnd.randint(1, 4),
                    theme=THEMES[i % len(THEMES)],
                    before_key=f"board/{pid}/before.jpg",
                    after_key=f"board/{pid}/after.jpg",
                    thumb_key=f"board/{pid}/thumb.jpg",
                    like_count=rnd.randint(0, 300),
                    comment_count=rnd.randint(0, 40),
                    view_count=rnd.randint(0, 5000),
                    created_at=now - timedelta(seconds=37 * i),
                    updated_at=now - timedelta(seconds=37 * i),
                )
            )
        await Post.insert(*rows)


async def _insert_task(author_pk: int) -> str:
    from app.tasks.tables import Task

    tid = uuid.uuid4()
    at = datetime.now(UTC)
    await Task.insert(
        Task(
            id=tid,
            owner=author_pk,
            status="succeeded",
            theme="ocean",
            prompt="고래와 파도",
            prompt_en="whales and waves",
            region={"mode": "box", "box": [10, 10, 100, 80]},
            seed=42,
            variations=2,
            steps=20,
            content_type="image/jpeg",
            size_bytes=2_345_678,
            input_key=f"tasks/{tid}/input.jpg",
            width=4000,
            height=3000,
            result_keys=[f"tasks/{tid}/result-1.jpg", f"tasks/{tid}/result-2.jpg"],
            preview_key=f"tasks/{tid}/preview.jpg",
            progress_step=20,
            progress_total=20,
            attempts=1,
            worker="bench",
            queued_at=at,
            started_at=at,
            heartbeat_at=at,
            finished_at=at,
        )
    )
    return str(tid)


async def _seed(app: ServerProcess, posts: int) -> tuple[str, str]:
    import httpx

    from app.accounts.tables import User

    async with httpx.AsyncClient(base_url=app.url, timeout=30) as http:
        email, password = f"bench-{uuid.uuid4().hex[:8]}@example.com", "correct horse battery"
        r = await http.post("/api/auth/signup", json={"email": email, "password": password, "nickname": "bencher"})
        r.raise_for_status()
        public_id = r.json()["id"]
        r = await http.post("/api/auth/token", json={"email": email, "password": password})
        r.raise_for_status()
        token = r.json()["access_token"]
    row = await User.select(User.id).where(User.public_id == uuid.UUID(public_id)).first()
    assert row is not None
    await _insert_posts(int(row["id"]), posts)
    return token, await _insert_task(int(row["id"]))


async def _cursors(port: int, pages: int) -> list[str]:
    """Walk the latest list page by page (limit 20): keyset cursors deep into the board."""
    import msgspec

    cursors: list[str] = []
    cursor: str | None = None
    for _ in range(pages):
        path = "/api/posts" + (f"?cursor={cursor}" if cursor else "")
        status, body = await fetch_body(port, request_bytes(path))
        assert status == 200, body[:300]
        cursor = msgspec.json.decode(body)["next_cursor"]
        if not cursor:
            break
        cursors.append(cursor)
    return cursors


@contextlib.contextmanager
def seeded_servers(
    posts: int, payloads: dict[str, tuple[str, bool]], cursor_pages: int = 0, postgres: bool = False
) -> Iterator[Seeded]:
    """``payloads``: bare endpoint name → (real path, needs auth). Yields both servers, ready and seeded.

    ``postgres``: a fresh database on the local PostgreSQL (tests/support/postgres.py) instead of SQLite.
    """
    with tempfile.TemporaryDirectory(prefix="saekdam-bench-") as tmp:
        extra = {"SAEKDAM_RUN_PAINTER_IN_API": "false"}
        if postgres:
            from tests.support.postgres import create_database

            extra["SAEKDAM_DATABASE_URL"] = create_database("saekdam_bench")
        env = app_env(Path(tmp) / "var", **extra)
        use_env(env)
        from app.core.db import run_migrations

        with contextlib.redirect_stdout(io.StringIO()):  # Piccolo prints a table per app
            run(run_migrations())
        port = free_port()
        with ServerProcess(
            uvicorn_args("app.asgi:create_app", port, factory=True), env, port=port, name="app"
        ).wait_ready() as app:
            token, task_id = run(_seed(app, posts))
            folder = Path(tmp) / "payloads"
            folder.mkdir()
            auth = {"Authorization": f"Bearer {token}"}
            for name, (path, needs_auth) in payloads.items():
                status, body = run(
                    fetch_body(port, request_bytes(path.format(task_id=task_id), auth if needs_auth else None))
                )
                assert status == 200, body[:300]
                (folder / f"{name}.json").write_bytes(body)
            cursors = run(_cursors(port, cursor_pages)) if cursor_pages else []
            bare_port = free_port()
            with ServerProcess(
                uvicorn_args("bench._bare:json_app", bare_port, factory=True),
                {"BENCH_PAYLOADS": str(folder)},
                port=bare_port,
                name="bare",
            ).wait_ready() as bare:
                yield Seeded(app, bare, token, task_id, cursors)


@dataclass
class Comparison:
    """Medians over rounds: requests/s and per-request latency percentiles of ours and the bare baseline."""

    rps: float
    p50: float
    p99: float
    bare_rps: float
    bare_p50: float
    bare_p99: float
    errors: int

    @property
    def ratio(self) -> float:
        return self.rps / self.bare_rps


def compare(
    app_port: int,
    app_requests: list[bytes],
    bare_port: int,
    bare_requests: list[bytes],
    *,
    total: int,
    concurrency: int,
    rounds: int,
    fresh: bool = False,
) -> Comparison:
    """Alternate rounds (ours, bare, ours, bare, ...) after one warm-up round each.

    ``fresh``: consume ``app_requests`` without repeating (each request a cache miss), ``total`` per round.
    Our rounds shrink to about ``ROUND_S`` seconds when the warm-up shows the endpoint is slow.
    """
    ours: list[LoadResult] = []
    bare: list[LoadResult] = []
    offset = 0
    mine_total = total
    for r in range(rounds + 1):
        if fresh:
            batch = app_requests[offset : offset + mine_total]
            offset += mine_total
            if len(batch) < mine_total:
                raise ValueError(f"not enough distinct requests for round {r}: {len(app_requests)}")
        else:
            batch = app_requests
        mine = run(run_load(app_port, batch, mine_total, concurrency))
        theirs = run(run_load(bare_port, bare_requests, total, concurrency))
        if r == 0:  # a slow endpoint gets rounds of about ROUND_S seconds, not minutes
            mine_total = max(min(total, 300), min(total, int(mine.rps * ROUND_S)))
        else:
            ours.append(mine)
            bare.append(theirs)
    return Comparison(
        rps=median([x.rps for x in ours]),
        p50=median([pct(x.latencies, 50) for x in ours]),
        p99=median([pct(x.latencies, 99) for x in ours]),
        bare_rps=median([x.rps for x in bare]),
        bare_p50=median([pct(x.latencies, 50) for x in bare]),
        bare_p99=median([pct(x.latencies, 99) for x in bare]),
        errors=sum(x.errors for x in ours + bare),
    )


def show(label: str, c: Comparison) -> None:
    print(
        f"  {label:<40} ours {c.rps:8.0f} req/s  p50 {c.p50 * 1000:6.1f} ms  p99 {c.p99 * 1000:6.1f} ms | "
        f"bare {c.bare_rps:8.0f} req/s  p50 {c.bare_p50 * 1000:6.1f} ms  p99 {c.bare_p99 * 1000:6.1f} ms | "
        f"ratio {c.ratio:.2f}" + (f"  ERRORS {c.errors}" if c.errors else "")
    )
