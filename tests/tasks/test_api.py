"""Tasks API contract over real HTTP (embedded mode): states, errors, idempotency, lists, streams."""

from __future__ import annotations

import asyncio
import io
import time
import uuid
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import msgspec
import pytest
from PIL import Image

from app.actors.painter.tiny import make_no_wall_photo
from tests.support.flow import create_and_upload, png_bytes, read_sse, wait_terminal, wall_png
from tests.support.server import Server
from tests.support.users import ApiUser, new_user

pytestmark = pytest.mark.db

SUBMIT = {"theme": "ocean", "prompt": "고래와 파도", "region": {"mode": "auto"}, "steps": 4}


async def _submitted(client: httpx.AsyncClient, user: ApiUser, **options: object) -> dict:
    task = await create_and_upload(client, user.headers, wall_png())
    r = await client.post(f"/api/tasks/{task['id']}/submit", json={**SUBMIT, **options}, headers=user.headers)
    assert r.status_code == 202, r.text
    return r.json()


async def test_create_shape_and_limits(client: httpx.AsyncClient) -> None:
    user = await new_user(client)
    r = await client.post("/api/tasks", json={"content_type": "image/png", "size_bytes": 1234}, headers=user.headers)
    assert r.status_code == 201
    body = r.json()
    assert body["task"]["status"] == "created" and body["task"]["input_url"] is None
    assert body["upload"]["method"] == "PUT" and body["upload"]["headers"]["Content-Type"] == "image/png"
    assert "expires_at" in body["upload"]
    too_big = await client.post(
        "/api/tasks", json={"content_type": "image/png", "size_bytes": 26 * 1024 * 1024}, headers=user.headers
    )
    assert too_big.status_code == 413
    gif = await client.post("/api/tasks", json={"content_type": "image/gif", "size_bytes": 10}, headers=user.headers)
    assert gif.status_code == 400 and gif.json()["errors"][0]["field"] == "content_type"
    anon = await client.post("/api/tasks", json={"content_type": "image/png", "size_bytes": 10})
    assert anon.status_code == 401


async def test_submit_before_upload_is_409_and_leaves_task_created(client: httpx.AsyncClient) -> None:
    user = await new_user(client)
    r = await client.post("/api/tasks", json={"content_type": "image/png", "size_bytes": 100}, headers=user.headers)
    tid = r.json()["task"]["id"]
    sub = await client.post(f"/api/tasks/{tid}/submit", json=SUBMIT, headers=user.headers)
    assert sub.status_code == 409 and sub.json()["code"] == "photo_missing"
    assert (await client.get(f"/api/tasks/{tid}", headers=user.headers)).json()["status"] == "created"


async def test_upload_url_accepts_only_the_declared_bytes(client: httpx.AsyncClient) -> None:
    user = await new_user(client)
    photo = wall_png()
    r = await client.post(
        "/api/tasks", json={"content_type": "image/png", "size_bytes": len(photo)}, headers=user.headers
    )
    upload = r.json()["upload"]
    wrong_type = await client.put(
        upload["url"], content=photo, headers={**upload["headers"], "Content-Type": "image/jpeg"}
    )
    assert wrong_type.status_code in (400, 403, 415)
    wrong_size = await client.put(
        upload["url"], content=photo + b"x", headers={**upload["headers"], "Content-Length": str(len(photo) + 1)}
    )
    assert wrong_size.status_code in (400, 403, 413)
    not_png = await client.put(upload["url"], content=b"x" * len(photo), headers=upload["headers"])
    assert not_png.status_code == 415
    ok = await client.put(upload["url"], content=photo, headers=upload["headers"])
    assert ok.status_code in (200, 201)
    again = await client.put(upload["url"], content=photo, headers=upload["headers"])
    assert again.status_code == 409  # the original is never overwritten


async def test_submit_validation_all_fields_and_state(client: httpx.AsyncClient) -> None:
    user = await new_user(client)
    task = await create_and_upload(client, user.headers, wall_png())
    bad = await client.post(
        f"/api/tasks/{task['id']}/submit",
        headers=user.headers,
        json={
            "theme": "ocean",
            "prompt": "",
            "region": {"mode": "auto"},
            "steps": 99,
            "variations": 9,
            "strength": 0,
            "seed": -1,
        },
    )
    assert bad.status_code == 400
    assert {e["field"] for e in bad.json()["errors"]} >= {"prompt", "steps", "variations", "strength", "seed"}
    unknown = await client.post(
        f"/api/tasks/{task['id']}/submit", headers=user.headers, json={**SUBMIT, "theme": "disco"}
    )
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["field"] == "theme"
    outside = await client.post(
        f"/api/tasks/{task['id']}/submit",
        headers=user.headers,
        json={**SUBMIT, "region": {"mode": "box", "box": [100, 100, 200, 200]}},
    )
    assert outside.status_code == 400
    tiny_box = await client.post(
        f"/api/tasks/{task['id']}/submit",
        headers=user.headers,
        json={**SUBMIT, "region": {"mode": "box", "box": [0, 0, 10, 10]}},
    )
    assert tiny_box.status_code == 400
    no_mask = await client.post(
        f"/api/tasks/{task['id']}/submit", headers=user.headers, json={**SUBMIT, "region": {"mode": "mask"}}
    )
    assert no_mask.status_code == 409 and no_mask.json()["code"] == "mask_missing"
    assert (await client.get(f"/api/tasks/{task['id']}", headers=user.headers)).json()["status"] == "created"
    ok = await client.post(f"/api/tasks/{task['id']}/submit", json=SUBMIT, headers=user.headers)
    assert ok.status_code == 202 and ok.json()["status"] == "queued" and isinstance(ok.json()["seed"], int)
    twice = await client.post(f"/api/tasks/{task['id']}/submit", json=SUBMIT, headers=user.headers)
    assert twice.status_code == 409
    await wait_terminal(client, user.headers, task["id"])


async def test_non_image_bytes_are_refused_at_submit(client: httpx.AsyncClient) -> None:
    user = await new_user(client)
    fake = b"\x89PNG\r\n\x1a\n" + b"garbage" * 50  # passes the magic-byte check, does not decode
    task = await create_and_upload(client, user.headers, fake)
    r = await client.post(f"/api/tasks/{task['id']}/submit", json=SUBMIT, headers=user.headers)
    assert r.status_code == 415 and r.json()["code"] == "unsupported_image"
    assert (await client.get(f"/api/tasks/{task['id']}", headers=user.headers)).json()["status"] == "created"


async def test_idempotency_key_returns_the_first_answer(client: httpx.AsyncClient) -> None:
    user = await new_user(client)
    task = await create_and_upload(client, user.headers, wall_png())
    key = {"Idempotency-Key": uuid.uuid4().hex, **user.headers}
    first = await client.post(f"/api/tasks/{task['id']}/submit", json=SUBMIT, headers=key)
    second = await client.post(f"/api/tasks/{task['id']}/submit", json=SUBMIT, headers=key)
    assert first.status_code == second.status_code == 202
    assert first.json()["id"] == second.json()["id"] and first.json()["seed"] == second.json()["seed"]
    await wait_terminal(client, user.headers, task["id"])


async def test_mask_region(client: httpx.AsyncClient) -> None:
    user = await new_user(client)
    photo = wall_png(160, 120)
    task = await create_and_upload(client, user.headers, photo)
    mask = Image.new("L", (160, 120), 0)
    mask.paste(255, (20, 20, 100, 90))
    mask_png = png_bytes(mask)
    wrong = png_bytes(Image.new("L", (50, 50), 255))
    r = await client.post(
        f"/api/tasks/{task['id']}/mask",
        json={"content_type": "image/png", "size_bytes": len(wrong)},
        headers=user.headers,
    )
    up = r.json()["upload"]
    assert (await client.put(up["url"], content=wrong, headers=up["headers"])).status_code in (200, 201)
    bad = await client.post(
        f"/api/tasks/{task['id']}/submit", json={**SUBMIT, "region": {"mode": "mask"}}, headers=user.headers
    )
    assert bad.status_code == 400
    r = await client.post(
        f"/api/tasks/{task['id']}/mask",
        json={"content_type": "image/png", "size_bytes": len(mask_png)},
        headers=user.headers,
    )
    up = r.json()["upload"]
    assert (await client.put(up["url"], content=mask_png, headers=up["headers"])).status_code in (200, 201)
    ok = await client.post(
        f"/api/tasks/{task['id']}/submit", json={**SUBMIT, "region": {"mode": "mask"}}, headers=user.headers
    )
    assert ok.status_code == 202, ok.text
    final = await wait_terminal(client, user.headers, task["id"])
    assert final["status"] == "succeeded" and final["mask_url"]


async def test_no_wall_ends_failed_with_reason(client: httpx.AsyncClient) -> None:
    user = await new_user(client)
    task = await create_and_upload(client, user.headers, png_bytes(make_no_wall_photo(160, 120)))
    wall = await client.post(f"/api/tasks/{task['id']}/wall", headers=user.headers)
    assert wall.status_code == 422 and wall.json()["code"] == "no_wall_found"
    r = await client.post(f"/api/tasks/{task['id']}/submit", json=SUBMIT, headers=user.headers)
    assert r.status_code in (202, 422)
    if r.status_code == 202:
        final = await wait_terminal(client, user.headers, task["id"])
        assert final["status"] == "failed" and final["error"]["code"] == "no_wall_found"
        assert "벽" in final["error"]["detail"]


async def test_wall_overlay_endpoint(client: httpx.AsyncClient) -> None:
    user = await new_user(client)
    task = await create_and_upload(client, user.headers, wall_png())
    r = await client.post(f"/api/tasks/{task['id']}/wall", headers=user.headers)
    assert r.status_code == 200 and 0 < r.json()["coverage"] <= 1
    mask = Image.open(io.BytesIO((await client.get(r.json()["mask_url"])).content))
    assert mask.size == (160, 120)


async def test_list_newest_first_with_cursor_and_filters(client: httpx.AsyncClient) -> None:
    user = await new_user(client)
    ids = []
    for _ in range(5):
        r = await client.post("/api/tasks", json={"content_type": "image/png", "size_bytes": 10}, headers=user.headers)
        ids.append(r.json()["task"]["id"])
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/api/tasks", params=params, headers=user.headers)).json()
        seen += [t["id"] for t in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == list(reversed(ids))
    assert (await client.get("/api/tasks", params={"status": "created"}, headers=user.headers)).json()["items"]
    for params in ({"limit": 0}, {"limit": 101}, {"cursor": "not-a-cursor"}, {"status": "bogus"}):
        assert (await client.get("/api/tasks", params=params, headers=user.headers)).status_code == 400, params


async def test_cancel_queued_and_running_then_retry_and_delete(client: httpx.AsyncClient) -> None:
    user = await new_user(client)
    running = await _submitted(client, user, steps=40)
    queued = await _submitted(client, user, steps=4)
    events: list[dict] = []

    async def watch() -> None:
        await read_sse(client, f"/api/tasks/{running['id']}/events", user.headers, into=events)

    watcher = asyncio.create_task(watch())
    deadline = time.monotonic() + 60
    while not any(e["event"] == "progress" and e["data"]["step"] >= 2 for e in events):
        assert time.monotonic() < deadline, "no progress seen"
        await asyncio.sleep(0.05)
    r = await client.post(f"/api/tasks/{queued['id']}/cancel", headers=user.headers)
    assert r.status_code == 202 and r.json()["status"] == "canceled"
    r = await client.post(f"/api/tasks/{running['id']}/cancel", headers=user.headers)
    assert r.status_code == 202 and r.json()["status"] == "canceled"
    steps_at_cancel = max(e["data"]["step"] for e in events if e["event"] == "progress")
    await asyncio.wait_for(watcher, 30)
    assert events[-1]["event"] == "status" and events[-1]["data"]["status"] == "canceled"
    final = await wait_terminal(client, user.headers, running["id"])
    assert final["status"] == "canceled" and final["result_urls"] == []
    later = [e["data"]["step"] for e in events if e["event"] == "progress" and e["data"]["step"] > steps_at_cancel]
    assert len(later) <= 1  # stopped within one step
    again = await client.post(f"/api/tasks/{running['id']}/cancel", headers=user.headers)
    assert again.status_code == 409

    retry = await client.post(f"/api/tasks/{running['id']}/retry", json={"seed": 99}, headers=user.headers)
    assert retry.status_code == 201
    new = retry.json()
    assert new["id"] != running["id"] and new["seed"] == 99 and new["retry_of"] == running["id"]
    assert new["prompt"] == running["prompt"] and new["steps"] == 40
    r = await client.delete(f"/api/tasks/{new['id']}", headers=user.headers)
    assert r.status_code == 204
    assert (await client.get(f"/api/tasks/{new['id']}", headers=user.headers)).status_code == 404
    not_terminal = await _submitted(client, user)
    assert (await client.post(f"/api/tasks/{not_terminal['id']}/retry", headers=user.headers)).status_code in (201, 409)
    await wait_terminal(client, user.headers, not_terminal["id"])


async def test_delete_stops_urls_at_once(client: httpx.AsyncClient) -> None:
    user = await new_user(client)
    task = await _submitted(client, user)
    final = await wait_terminal(client, user.headers, task["id"])
    urls = [final["input_url"], *final["result_urls"]]
    for url in urls:
        assert (await client.get(url)).status_code == 200
    assert (await client.delete(f"/api/tasks/{task['id']}", headers=user.headers)).status_code == 204
    for url in urls:
        assert (await client.get(url)).status_code == 404


async def test_last_event_id_resumes_without_loss_or_duplicates(client: httpx.AsyncClient) -> None:
    user = await new_user(client)
    task = await _submitted(client, user, steps=12)
    first = await read_sse(client, f"/api/tasks/{task['id']}/events", user.headers, stop_after=4)
    last_id = first[-1]["id"]
    rest = await read_sse(client, f"/api/tasks/{task['id']}/events", user.headers, last_event_id=last_id)
    full = await read_sse(client, f"/api/tasks/{task['id']}/events", user.headers, last_event_id=first[0]["id"])
    resumed = [e for e in rest if e["event"] != "task"]
    ids = [int(e["id"]) for e in resumed]
    assert all(i > int(last_id) for i in ids) and len(ids) == len(set(ids))
    assert rest[-1]["data"]["status"] == "succeeded"
    steps = [e["data"]["step"] for e in first + resumed if e["event"] == "progress"]
    assert steps == sorted(set(steps)) and steps[-1] == 12  # every step once, in order
    assert [e["id"] for e in full if e["event"] != "task"] == [e["id"] for e in first[1:] + resumed]
    unknown = await read_sse(client, f"/api/tasks/{task['id']}/events", user.headers, last_event_id="1")
    assert unknown[0]["event"] == "task" and unknown[-1]["data"]["status"] == "succeeded"


async def test_websocket_sends_the_same_events(server: Server, client: httpx.AsyncClient) -> None:
    import websockets

    user = await new_user(client)
    task = await _submitted(client, user, steps=6)
    ws_url = server.url.replace("http", "ws") + f"/api/tasks/{task['id']}/ws"
    frames = []
    async with websockets.connect(ws_url, additional_headers=user.headers) as ws:
        async for message in ws:
            frames.append(msgspec.json.decode(message))
    assert frames[0]["event"] == "task" and frames[-1]["data"]["status"] == "succeeded"
    assert {f["event"] for f in frames} >= {"task", "status"}
    assert all(isinstance(f["id"], str) for f in frames)
    async with websockets.connect(ws_url + f"?access_token={user.token}") as ws:
        replay = [msgspec.json.decode(m) async for m in ws]
    assert replay[0]["data"]["status"] == "succeeded"
    for bad in (ws_url, ws_url + "?access_token=forged"):
        async with websockets.connect(bad) as ws:
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await ws.recv()
            assert closed.value.rcvd.code == 4401


async def test_authorization_matrix_other_users_get_404(server: Server, client: httpx.AsyncClient) -> None:
    import websockets

    alice, bob = await new_user(client), await new_user(client)
    task = await _submitted(client, alice)
    final = await wait_terminal(client, alice.headers, task["id"])
    tid = task["id"]
    h = bob.headers
    for method, path in (
        ("GET", f"/api/tasks/{tid}"),
        ("GET", f"/api/tasks/{tid}/events"),
        ("POST", f"/api/tasks/{tid}/cancel"),
        ("POST", f"/api/tasks/{tid}/retry"),
        ("POST", f"/api/tasks/{tid}/wall"),
        ("DELETE", f"/api/tasks/{tid}"),
        ("POST", f"/api/tasks/{tid}/mask"),
        ("POST", f"/api/tasks/{tid}/submit"),
    ):
        body = {"content_type": "image/png", "size_bytes": 10} if path.endswith("mask") else SUBMIT
        r = await client.request(method, path, headers=h, json=body if method == "POST" else None)
        assert r.status_code == 404, (method, path, r.status_code)
        assert r.json()["code"] == "not_found"
    assert tid not in [t["id"] for t in (await client.get("/api/tasks", headers=h)).json()["items"]]
    async with websockets.connect(
        server.url.replace("http", "ws") + f"/api/tasks/{tid}/ws", additional_headers=h
    ) as ws:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await ws.recv()
        assert closed.value.rcvd.code == 4404
    # still Alice's and intact
    assert (await client.get(f"/api/tasks/{tid}", headers=alice.headers)).json()["status"] == final["status"]


def _tamper(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


async def test_signed_urls_refuse_alteration_and_expiry(client: httpx.AsyncClient) -> None:
    user = await new_user(client)
    task = await _submitted(client, user)
    final = await wait_terminal(client, user.headers, task["id"])
    url = final["result_urls"][0]
    assert (await client.get(url)).status_code == 200
    query = dict(parse_qsl(urlsplit(url).query))
    assert (await client.get(_tamper(url, sig="0" * len(query["sig"])))).status_code == 403
    assert (await client.get(_tamper(url, exp=str(int(query["exp"]) + 3600)))).status_code == 403
    other_key = url.replace("result-1", "input").rsplit(".", 1)
    assert (await client.get(url.replace("result-1", "input"))).status_code == 403
    assert (await client.get(_tamper(url, exp=str(int(time.time()) - 10)))).status_code == 403
    assert other_key  # (the key is part of the signature: swapping it is refused above)
