"""``GET /api/posts`` and ``GET /api/posts/{id}`` answer with an ETag, and 304 with no body while nothing
changed; an edit, a like or a comment changes the post's ETag and that of the lists that show it."""

from __future__ import annotations

import httpx
import pytest

from tests.board.helpers import publish
from tests.support.users import ApiUser

pytestmark = pytest.mark.db


async def _tag(http: httpx.AsyncClient, path: str, headers: dict[str, str] | None = None) -> str:
    """The current ETag of ``path``; asking again with it gets 304 and no body."""
    r = await http.get(path, headers=headers or {})
    assert r.status_code == 200, r.text
    etag = r.headers["etag"]
    again = await http.get(path, headers={**(headers or {}), "if-none-match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    return etag


async def test_an_edited_post_gets_a_new_etag(
    client: httpx.AsyncClient, alice: ApiUser, bob: ApiUser, anon: httpx.AsyncClient, theme: str
) -> None:
    post = await publish(client, alice, title="Tagged mural", theme=theme)
    one, lists = f"/api/posts/{post['id']}", f"/api/posts?theme={theme}"
    await anon.get(one)  # the first view counts (view_count changes): later reads are the same post
    post_tag, list_tag = await _tag(anon, one), await _tag(anon, lists)

    r = await client.patch(one, json={"title": "Tagged mural, edited"}, headers=alice.headers)
    assert r.status_code == 200, r.text
    edited = await anon.get(one, headers={"if-none-match": post_tag})
    assert edited.status_code == 200 and edited.json()["title"] == "Tagged mural, edited"
    assert edited.headers["etag"] != post_tag
    listed = await anon.get(lists, headers={"if-none-match": list_tag})  # the list cache was emptied too
    assert listed.status_code == 200 and listed.json()["items"][0]["title"] == "Tagged mural, edited"
    assert listed.headers["etag"] != list_tag

    post_tag, list_tag = await _tag(anon, one), await _tag(anon, lists)
    assert (await client.put(f"{one}/like", headers=bob.headers)).status_code == 200
    assert (await anon.get(one, headers={"if-none-match": post_tag})).status_code == 200
    assert (await anon.get(lists, headers={"if-none-match": list_tag})).status_code == 200
    # a reader's own likes are part of the body: bob's tag is not the anonymous one
    bob_tag = await _tag(client, lists, bob.headers)
    assert bob_tag != await _tag(anon, lists)
    assert (await client.post(f"{one}/comments", json={"content": "nice"}, headers=bob.headers)).status_code == 201
    assert (await client.get(lists, headers={**bob.headers, "if-none-match": bob_tag})).status_code == 200
