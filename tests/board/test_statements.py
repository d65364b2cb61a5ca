"""``GET /api/posts?limit=50`` runs at most 4 SQL statements whatever the page size (no N+1), for a signed-in
reader too: the token, the page (a list-cache miss: each request a fresh cursor), the authors of the
cards in one query, and which of them the reader liked in one query."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

from app.accounts.tables import User
from app.board.tables import Post as PostRow
from app.board.tables import PostLike
from tests.support.server import Server
from tests.support.statements import counted_app, statements_of

# SQLite pass only: counting patches the engine instance, which PostgresEngine does not allow (see note)

MAX_STATEMENTS = 4


async def _signup(client, nickname: str) -> tuple[int, dict[str, str]]:  # type: ignore[no-untyped-def]
    email, password = f"n1-{uuid.uuid4().hex[:8]}@example.com", "correct horse battery"
    assert (
        await client.post("/api/auth/signup", json={"email": email, "password": password, "nickname": nickname})
    ).status_code == 201
    token = (await client.post("/api/auth/token", json={"email": email, "password": password})).json()
    user = await User.select(User.id).where(User.username == email).first()
    assert user is not None
    return int(user["id"]), {"authorization": f"Bearer {token['access_token']}"}


async def test_post_list_runs_a_fixed_number_of_statements(server: Server, theme: str) -> None:
    async with counted_app() as (client, log):
        authors = [await _signup(client, f"author{i}") for i in range(6)]
        reader, headers = await _signup(client, "reader")
        at = datetime.now(UTC)
        rnd = random.Random(3)
        posts = []
        for i in range(120):
            pid = uuid.uuid4()
            posts.append(
                PostRow(
                    id=pid,
                    author=authors[i % len(authors)][0],
                    anonymous=i % 7 == 0,
                    task_id=uuid.uuid4(),
                    source=f"n1:{pid}",
                    title=f"Mural {i}",
                    content="waves",
                    theme=theme,
                    before_key=f"posts/{pid}/before.png",
                    after_key=f"posts/{pid}/after.png",
                    thumb_key=f"posts/{pid}/thumb.webp" if i % 2 else None,
                    like_count=rnd.randint(0, 9),
                    comment_count=rnd.randint(0, 9),
                    created_at=at - timedelta(seconds=i),
                    updated_at=at - timedelta(seconds=i),
                )
            )
        await PostRow.insert(*posts)
        try:
            await PostLike.insert(*[PostLike(post=p.id, user=reader, created_at=at) for p in posts[::3]])

            first = (await client.get(f"/api/posts?theme={theme}&limit=5")).json()
            for limit in (50, 5, 100, 49):  # each path once: a list-cache miss, then a hit for the signed-in reader
                for sort in ("latest", "popular"):
                    path = f"/api/posts?theme={theme}&sort={sort}&limit={limit}"
                    if sort == "latest":
                        path += f"&cursor={first['next_cursor']}"
                    for who in (headers, None):  # signed in (liked_by_me, token), then anonymous
                        statements = await statements_of(client, log, path, who)
                        assert len(statements) <= MAX_STATEMENTS, (path, "\n".join(statements))
                        if who is not None:
                            assert any("FROM board_post" in sql for sql in statements), statements  # a miss
                    items = (await client.get(path, headers=headers)).json()["items"]
                    assert len(items) == limit and any(p["liked_by_me"] for p in items)
                    assert any(p["author"] is None for p in items) and any(p["author"] for p in items)
        finally:  # rows without stored pictures must not reach the shared server's board and home pages
            await PostRow.delete().where(PostRow.id.is_in([p.id for p in posts]))
