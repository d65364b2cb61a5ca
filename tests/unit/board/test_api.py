"""The board API in process: the public list, likes over HTTP, the counts the list shows after them and a
bad cursor's error."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.unit.board.helpers import painted
from tests.unit.http import bearer, viewer


async def test_publish_list_like_and_unlike_over_http(api: AsyncTestClient[Litestar]) -> None:
    author, fan = await bearer(api, "painter"), await bearer(api, "fan")
    services = api.app.state.services
    task_id = await painted(services, await viewer("painter"))

    r = await api.post(
        "/api/posts", headers=author, json={"task_id": task_id, "result_index": 0, "title": "Our painted wall"}
    )
    assert r.status_code == 201, r.text
    post = r.json()
    r = await api.get("/api/posts", params={"sort": "latest"})  # public: no credentials
    assert r.status_code == 200
    assert [(p["id"], p["like_count"]) for p in r.json()["items"]] == [(post["id"], 0)]
    assert r.json()["next_cursor"] is None

    r = await api.put(f"/api/posts/{post['id']}/like", headers=fan)
    assert (r.status_code, r.json()) == (200, {"like_count": 1, "liked_by_me": True})
    r = await api.put(f"/api/posts/{post['id']}/like", headers=fan)
    assert r.json() == {"like_count": 1, "liked_by_me": True}
    r = await api.get("/api/posts", params={"sort": "popular"}, headers=fan)
    assert [(p["like_count"], p["liked_by_me"]) for p in r.json()["items"]] == [(1, True)]

    r = await api.delete(f"/api/posts/{post['id']}/like", headers=fan)
    assert (r.status_code, r.json()) == (200, {"like_count": 0, "liked_by_me": False})
    r = await api.get(f"/api/posts/{post['id']}")
    assert r.json()["like_count"] == 0

    r = await api.get("/api/posts", params={"cursor": "not-a-cursor"}, headers={"Accept-Language": "en"})
    assert (r.status_code, r.json()["code"]) == (400, "invalid_input")
    assert [e["field"] for e in r.json()["errors"]] == ["cursor"]
