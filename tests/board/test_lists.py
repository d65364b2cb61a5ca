"""Listing posts: latest and popular order, keyset pages that stay stable while posts arrive, filters,
search (PostgreSQL full-text search or SQLite LIKE, same answers) and parameter validation."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.board.helpers import Writers, publish
from tests.support.users import ApiUser, new_user

pytestmark = pytest.mark.db


async def set_age(post_id: str, minutes: float) -> None:
    """Move a post back in time (the API cannot)."""
    from app.board.tables import Post

    at = datetime.now(UTC) - timedelta(minutes=minutes)
    await Post.update({Post.created_at: at, Post.updated_at: at}).where(Post.id == uuid.UUID(post_id))


async def walk(http: httpx.AsyncClient, params: dict, between=None) -> list[list[str]]:
    """Every page of a list; ``between(n)`` runs after page n (e.g. to publish more posts)."""
    pages, cursor = [], None
    while True:
        r = await http.get("/api/posts", params={**params, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, r.text
        body = r.json()
        pages.append([p["id"] for p in body["items"]])
        cursor = body["next_cursor"]
        if between is not None:
            await between(len(pages))
        if cursor is None:
            return pages


async def test_latest_pages_stay_stable_while_posts_arrive(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, theme: str
) -> None:
    writers = Writers(client)
    original = [
        (await publish(client, await writers.next(), title=f"Latest {i:02d}", theme=theme))["id"] for i in range(7)
    ]
    arrived: list[str] = []

    async def more(_: int) -> None:
        for _ in range(2):
            arrived.append((await publish(client, await writers.next(), title="Arrived later", theme=theme))["id"])

    pages = await walk(anon, {"theme": theme, "limit": 3}, more)
    assert [len(p) for p in pages] == [3, 3, 1]
    seen = [pid for page in pages for pid in page]
    assert seen == list(reversed(original))  # newest first, none skipped, none repeated, none of the new ones
    assert not set(arrived) & set(seen)
    fresh = (await anon.get("/api/posts", params={"theme": theme, "limit": 100})).json()["items"]
    assert [p["id"] for p in fresh] == list(reversed(original + arrived))
    default = (await anon.get("/api/posts", params={"theme": theme})).json()  # default sort is latest, limit 20
    assert [p["id"] for p in default["items"]] == [p["id"] for p in fresh][:20]


async def test_popular_pages_stay_stable_while_posts_arrive(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, theme: str
) -> None:
    writers = Writers(client)
    fans = [await new_user(client, f"fan{i}") for i in range(3)]
    original = []
    for i in range(7):
        post = await publish(client, await writers.next(), title=f"Popular {i:02d}", theme=theme)
        for fan in fans[: i % 4]:
            await client.put(f"/api/posts/{post['id']}/like", headers=fan.headers)
        original.append(post["id"])
    expected = [
        p["id"]
        for p in (await anon.get("/api/posts", params={"theme": theme, "sort": "popular", "limit": 100})).json()[
            "items"
        ]
    ]
    assert sorted(expected) == sorted(original)
    arrived: list[str] = []

    async def more(_: int) -> None:
        post = await publish(client, await writers.next(), title="Hot newcomer", theme=theme)
        for fan in fans:  # would rank first in a fresh list
            await client.put(f"/api/posts/{post['id']}/like", headers=fan.headers)
        arrived.append(post["id"])

    pages = await walk(anon, {"theme": theme, "sort": "popular", "limit": 3}, more)
    seen = [pid for page in pages for pid in page]
    assert seen == expected and len(set(seen)) == 7
    fresh = (await anon.get("/api/posts", params={"theme": theme, "sort": "popular", "limit": 3})).json()
    assert fresh["items"][0]["id"] in arrived


async def test_popular_ranks_by_likes_and_comments_decaying_with_age(
    client: httpx.AsyncClient, alice: ApiUser, anon: httpx.AsyncClient, theme: str
) -> None:
    fans = [await new_user(client, f"fan{i}") for i in range(3)]

    async def post_with(likes: int, comments: int, minutes_old: float) -> str:
        post = await publish(client, alice, title="Ranked mural", theme=theme)
        for fan in fans[:likes]:
            await client.put(f"/api/posts/{post['id']}/like", headers=fan.headers)
        for _ in range(comments):
            await client.post(f"/api/posts/{post['id']}/comments", json={"content": "nice"}, headers=fans[0].headers)
        await set_age(post["id"], minutes_old)
        return post["id"]

    older_more_likes = await post_with(3, 0, 6)
    newer_fewer_likes = await post_with(1, 0, 1)
    old_but_loved = await post_with(3, 1, 3 * 24 * 60)  # three days old: decayed below today's posts
    fresh_nothing = await post_with(0, 0, 0)
    commented = await post_with(0, 2, 2)  # 2 comments (×2) outweigh 3 likes of a same-aged post
    liked = await post_with(3, 0, 2)
    order = [
        p["id"] for p in (await anon.get("/api/posts", params={"theme": theme, "sort": "popular"})).json()["items"]
    ]
    assert order.index(older_more_likes) < order.index(newer_fewer_likes)
    assert order.index(commented) < order.index(liked)
    assert order[-1] == old_but_loved and order.index(fresh_nothing) < order.index(old_but_loved)


async def test_filters_and_search(
    client: httpx.AsyncClient, alice: ApiUser, bob: ApiUser, anon: httpx.AsyncClient, theme: str
) -> None:
    whales = await publish(client, alice, title="Whales at dawn", content="바다 고래가 춤춰요", theme=theme)
    deer = await publish(client, bob, title="Forest deer", content="숲 속 사슴 가족", theme=theme)
    odd = await publish(client, alice, title="100% fun_wall", content="Under the BRIDGE", theme=theme)
    elsewhere = await publish(client, alice, title="Whales elsewhere", theme=theme + "x")

    async def search(**params: str) -> list[str]:
        r = await anon.get("/api/posts", params={"theme": theme, **params})
        assert r.status_code == 200, r.text
        return [p["id"] for p in r.json()["items"]]

    assert await search(q="whale") == [whales["id"]]  # title, word prefix
    assert await search(q="WHALES") == [whales["id"]]  # case-insensitive
    assert await search(q="고래") == [whales["id"]]  # Korean word with a particle attached ("고래가")
    assert await search(q="사슴 가족") == [deer["id"]]  # content, every word must match
    assert await search(q="whales deer") == []
    assert await search(q="bridge") == [odd["id"]]
    assert await search(q="fun_wall") == [odd["id"]]
    assert await search(q="%") == [] and await search(q="_") == [] and await search(q="'\\") == []
    assert await search(q="  ") == [p for p in await search()]  # blank: no search
    assert sorted(await search()) == sorted([whales["id"], deer["id"], odd["id"]])
    allwhales = (await anon.get("/api/posts", params={"q": "Whales", "limit": 100})).json()["items"]
    assert {whales["id"], elsewhere["id"]} <= {p["id"] for p in allwhales}
    assert await search(author=bob.id) == [deer["id"]]
    assert await search(author=str(uuid.uuid4())) == []
    assert await search(q="whale", sort="popular") == [whales["id"]]


@pytest.mark.parametrize(
    "params, fields",
    [
        ({"limit": "0"}, {"limit"}),
        ({"limit": "101"}, {"limit"}),
        ({"sort": "oldest"}, {"sort"}),
        ({"cursor": "not a cursor"}, {"cursor"}),
        ({"author": "nobody"}, {"author"}),
        ({"q": "x" * 101}, {"q"}),
        ({"limit": "0", "sort": "best", "author": "x"}, {"limit", "sort", "author"}),
    ],
)
async def test_bad_list_parameters(anon: httpx.AsyncClient, params: dict, fields: set) -> None:
    r = await anon.get("/api/posts", params=params)
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["code"] == "invalid_input" and {e["field"] for e in body["errors"]} == fields


async def test_cursors_belong_to_their_sort(
    client: httpx.AsyncClient, bob: ApiUser, anon: httpx.AsyncClient, theme: str
) -> None:
    for i in range(3):
        await publish(client, bob, title=f"Cursor test {i}", theme=theme)
    latest = (await anon.get("/api/posts", params={"theme": theme, "limit": 1})).json()["next_cursor"]
    popular = (await anon.get("/api/posts", params={"theme": theme, "limit": 1, "sort": "popular"})).json()[
        "next_cursor"
    ]
    assert latest and popular
    assert (
        await anon.get("/api/posts", params={"theme": theme, "sort": "popular", "cursor": latest})
    ).status_code == 400
    assert (await anon.get("/api/posts", params={"theme": theme, "cursor": popular})).status_code == 400
    assert (await anon.get("/api/posts", params={"limit": "abc"})).status_code == 400
