"""``GET /api/me/export``: a zip with profile, tasks, posts, comments and likes as JSON and every photo, mask
and result of the user byte for byte under ``files/`` (api.md: Accounts v1.1)."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import httpx
import pytest

from tests.privacy.conftest import paint_with_mask, publish
from tests.support.accounts import AccountsDeployment
from tests.support.users import ApiUser, new_user

pytestmark = pytest.mark.db


async def test_export_holds_everything_byte_for_byte(
    accounts: AccountsDeployment, accounts_http: httpx.AsyncClient, neighbour: tuple[ApiUser, dict[str, Any]]
) -> None:
    http = accounts_http
    other, theirs = neighbour
    user = await new_user(http, "내보내기")
    task = await paint_with_mask(http, user)
    post = await publish(http, user, task["id"], "숲 벽화입니다", content="새", anonymous=True)
    comment = (
        await http.post(f"/api/posts/{theirs['id']}/comments", json={"content": "멋져요"}, headers=user.headers)
    ).json()
    assert (await http.put(f"/api/posts/{theirs['id']}/like", headers=user.headers)).status_code == 200

    r = await http.get("/api/me/export", headers=user.headers)
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    assert r.headers["content-disposition"].startswith("attachment;") and "no-store" in r.headers["cache-control"]
    archive = zipfile.ZipFile(io.BytesIO(r.content))
    assert archive.testzip() is None
    names = set(archive.namelist())
    assert {"profile.json", "tasks.json", "posts.json", "comments.json", "likes.json", "README.txt"} <= names

    profile = json.loads(archive.read("profile.json"))
    assert profile["id"] == user.id and profile["email"] == user.email and profile["nickname"] == "내보내기"
    assert profile["terms_version"] and profile["terms_accepted_at"]
    tasks = json.loads(archive.read("tasks.json"))
    assert [t["id"] for t in tasks] == [task["id"]] and tasks[0]["prompt"] == "숲과 새"
    assert "input_url" not in tasks[0] and "result_urls" not in tasks[0]  # signed URLs expire: files instead
    posts = json.loads(archive.read("posts.json"))
    assert [p["id"] for p in posts] == [post["id"]] and posts[0]["anonymous"] is True  # anonymous: still theirs
    assert [c["id"] for c in json.loads(archive.read("comments.json"))] == [comment["id"]]
    assert [like["post_id"] for like in json.loads(archive.read("likes.json"))] == [theirs["id"]]

    # every object of the user's task and post is under files/, byte for byte, and nothing of anyone else
    mine = {k for k in accounts.stored_keys() if k.startswith((f"tasks/{task['id']}/", f"posts/{post['id']}/"))}
    exported = {n.removeprefix("files/") for n in names if n.startswith("files/")}
    assert exported == mine, exported ^ mine
    for key in mine:
        assert archive.read(f"files/{key}") == (accounts.storage_dir / key).read_bytes(), key
    assert any("/mask" in k for k in exported) and sum("/result" in k for k in exported) == 2
    assert {f for t in tasks for f in t["files"]} | {f for p in posts for f in p["files"].values()} <= names
    # and they are the very bytes the API serves
    served = [(await http.get(u)).content for u in [task["input_url"], task["mask_url"], *task["result_urls"]]]
    assert set(served) <= {archive.read(f"files/{k}") for k in exported}
    assert (await http.get("/api/me/export")).status_code == 401
    theirs_zip = zipfile.ZipFile(io.BytesIO((await http.get("/api/me/export", headers=other.headers)).content))
    assert not any(task["id"] in n or post["id"] in n for n in theirs_zip.namelist())
