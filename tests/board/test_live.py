"""Live board events: two clients stream ``/api/board/events`` while a third publishes, likes and comments.

Embedded mode (one process, in-memory bus) and Redis mode (two API processes sharing the database and the
files, events over Redis pub/sub: the writer talks to one process, the readers listen on the other).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.board.helpers import SseReader, publish
from tests.support.server import Server, start_server
from tests.support.users import new_user

pytestmark = pytest.mark.db
EVENTS = "/api/board/events"


async def live_scenario(writer_url: str, reader_url: str) -> None:
    async with (
        httpx.AsyncClient(base_url=writer_url, timeout=30) as writer,
        httpx.AsyncClient(base_url=reader_url, timeout=30) as reader_a,
        httpx.AsyncClient(base_url=reader_url, timeout=30) as reader_b,
    ):
        alice = await new_user(writer, "alice")
        bob = await new_user(reader_b, "bob")
        # one anonymous reader, one logged in (broadcast events are the same for both: liked_by_me false)
        async with SseReader(reader_a, EVENTS) as anon_stream, SseReader(reader_b, EVENTS, bob.headers) as bob_stream:
            post = await publish(writer, alice, title="Live mural", anonymous=True)
            pid = post["id"]
            await writer.put(f"/api/posts/{pid}/like", headers=alice.headers)
            await writer.post(f"/api/posts/{pid}/comments", json={"content": "first!"}, headers=alice.headers)
            await writer.patch(f"/api/posts/{pid}", json={"title": "Live mural, edited"}, headers=alice.headers)
            await writer.delete(f"/api/posts/{pid}", headers=alice.headers)

            for stream in (anon_stream, bob_stream):

                def mine(e: dict) -> bool:
                    return isinstance(e["data"], dict) and e["data"].get("id") == pid

                created = await stream.wait_for(lambda e: mine(e) and e["event"] == "post_created")
                liked = await stream.wait_for(
                    lambda e: mine(e) and e["event"] == "post_updated" and e["data"]["like_count"] == 1
                )
                commented = await stream.wait_for(
                    lambda e: mine(e) and e["event"] == "post_updated" and e["data"]["comment_count"] == 1
                )
                edited = await stream.wait_for(lambda e: mine(e) and e["data"].get("title") == "Live mural, edited")
                deleted = await stream.wait_for(lambda e: mine(e) and e["event"] == "post_deleted")
                assert deleted["data"] == {"id": pid}
                for event in (created, liked, commented, edited):
                    assert event["data"]["author"] is None and event["data"]["liked_by_me"] is False
                    assert "alice" not in str(event["data"]) and alice.id not in str(event["data"])
                ids = [int(e["id"]) for e in (created, liked, commented, edited, deleted)]
                assert ids == sorted(ids) and len(set(ids)) == 5
                assert {e["event"] for e in stream.events} <= {"post_created", "post_updated", "post_deleted"}

        # a reconnect with Last-Event-ID gets what happened after that id (from the bus history)
        async with SseReader(reader_a, EVENTS, {"last-event-id": created["id"]}) as resumed:
            again = await resumed.wait_for(lambda e: e["data"] == {"id": pid})
            replayed = [e for e in resumed.events if isinstance(e["data"], dict) and e["data"].get("id") == pid]
            assert [e["event"] for e in replayed][-1] == "post_deleted" and again["id"] == deleted["id"]
            assert all(int(e["id"]) > int(created["id"]) for e in resumed.events)


async def test_live_events_embedded(server: Server) -> None:
    await live_scenario(server.url, server.url)


async def test_page_stream_renders_fragments(client: httpx.AsyncClient) -> None:
    """The pages' stream: the same events as HTML fragments that swap themselves in by id."""
    alice = await new_user(client, "alice")
    post = await publish(client, alice, title="Fragments")
    pid = post["id"]
    async with SseReader(client, f"/board/events?post={pid}") as page, SseReader(client, "/board/events") as board:
        await client.put(f"/api/posts/{pid}/like", headers=alice.headers)
        await client.post(f"/api/posts/{pid}/comments", json={"content": "<b>hi</b>"}, headers=alice.headers)
        likes = await page.wait_for(lambda e: e["event"] == "post_updated" and ">1</span>" in e["data"])
        assert f'id="likes-{pid}"' in likes["data"] and 'hx-swap-oob="innerHTML"' in likes["data"]
        comment = await page.wait_for(lambda e: e["event"] == "comment_created")
        assert f"beforeend:#comment-list-{pid}" in comment["data"] and "&lt;b&gt;hi&lt;/b&gt;" in comment["data"]
        other = await publish(client, alice, title="Another one")
        card = await board.wait_for(lambda e: e["event"] == "post_created" and other["id"] in e["data"])
        assert f'id="card-{other["id"]}"' in card["data"] and "Another one" in card["data"]
        await asyncio.sleep(0.3)
        assert page.events[0]["event"] == "ready"
        assert all(pid in e["data"] for e in page.events[1:])  # ?post= keeps only that post's events


# ---------------------------------------------------------------- Redis mode: two API processes


@pytest.fixture(scope="module")
def redis_servers(server: Server, log_dir: Path) -> Iterator[tuple[Server, Server]]:
    """Two ``saekdam serve`` processes in Redis mode, each with its own var dir, sharing the session
    server's database (its SQLite file, or the test PostgreSQL) and stored files through links."""
    import redis

    url = os.environ.get("SAEKDAM_TEST_BOARD_REDIS_URL", "redis://127.0.0.1:6379/12")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis at {url} is required by the Redis-mode board test: {exc}", pytrace=False)
    shared = Path(os.environ["SAEKDAM_VAR_DIR"])
    servers = []
    try:
        for name in ("board-redis-a", "board-redis-b"):
            var = log_dir / name
            var.mkdir(exist_ok=True)
            for item in ("saekdam.sqlite", "storage"):
                if not (var / item).exists():
                    (var / item).symlink_to(shared / item)
            servers.append(start_server(log_dir, name=name, SAEKDAM_REDIS_URL=url, SAEKDAM_VAR_DIR=str(var)))
        yield servers[0], servers[1]
    finally:
        for srv in servers:
            srv.stop()


@pytest.mark.redis
async def test_live_events_across_processes_over_redis(redis_servers: tuple[Server, Server]) -> None:
    a, b = redis_servers
    await live_scenario(a.url, b.url)


@pytest.mark.redis
async def test_list_cache_follows_writes_in_other_processes(redis_servers: tuple[Server, Server]) -> None:
    a, b = redis_servers
    async with (
        httpx.AsyncClient(base_url=a.url, timeout=30) as on_a,
        httpx.AsyncClient(base_url=b.url, timeout=30) as on_b,
    ):
        alice = await new_user(on_a, "alice")
        post = await publish(on_a, alice, title="Cached on B", theme="redis-cache")
        first = (await on_b.get("/api/posts", params={"theme": "redis-cache"})).json()["items"]
        assert post["id"] in [p["id"] for p in first]  # B sees A's post (and caches this page)
        assert (await on_a.put(f"/api/posts/{post['id']}/like", headers=alice.headers)).status_code == 200
        for _ in range(50):  # B's cache is emptied by the event from A, well before its few seconds' TTL
            items = (await on_b.get("/api/posts", params={"theme": "redis-cache"})).json()["items"]
            if {p["id"]: p["like_count"] for p in items}[post["id"]] == 1:
                break
            await asyncio.sleep(0.02)
        else:
            pytest.fail("B kept serving a stale page")
