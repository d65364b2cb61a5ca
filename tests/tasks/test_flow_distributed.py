"""The same client flow against the distributed mode: API process + `saekdam worker` processes + Redis +
PostgreSQL + a real S3-compatible server on loopback."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.support.distributed import Deployment, deployment, distributed  # noqa: F401  (fixture)
from tests.support.flow import create_and_upload, outside_unchanged, paint, wall_png
from tests.support.users import new_user


async def test_distributed_box_flow(distributed: Deployment) -> None:  # noqa: F811
    api = distributed.apis[0]
    async with httpx.AsyncClient(base_url=api.url, timeout=60) as http:
        ready = (await http.get("/readyz")).json()
        assert ready["status"] == "ok" and "painter" not in ready["checks"], ready
        user = await new_user(http)
        photo = wall_png(320, 240)
        out = await paint(
            http, user.headers, photo, region={"mode": "box", "box": [10, 10, 100, 90]}, seed=3, variations=2
        )
        task = out["task"]
        assert task["status"] == "succeeded", (task, distributed.logs())
        assert task["input_url"].startswith(distributed.env["SAEKDAM_S3_ENDPOINT_URL"])
        assert len(task["result_urls"]) == 2
        assert any(e["event"] == "progress" for e in out["events"])
        for url in task["result_urls"]:
            result = await http.get(url)
            assert result.status_code == 200
            assert outside_unchanged(photo, result.content, (10, 10, 110, 100))
        assert (await http.get(task["input_url"])).content == photo
        # the worker that painted it counts the job on its own metrics port
        painted = 0.0
        for worker in distributed.workers:
            text = (await http.get(worker.metrics_url)).text  # type: ignore[attr-defined]
            for line in text.splitlines():
                if line.startswith('saekdam_jobs_total{status="succeeded"}'):
                    painted += float(line.split()[-1])
        assert painted >= 1


async def test_distributed_wall_overlay_by_storage_key(distributed: Deployment) -> None:  # noqa: F811
    """POST /wall in distributed mode: the job names the photo's key on the wall queue and a worker answers."""
    async with httpx.AsyncClient(base_url=distributed.apis[0].url, timeout=60) as http:
        user = await new_user(http)
        warm = await paint(http, user.headers, wall_png(160, 120), region={"mode": "box", "box": [10, 10, 100, 90]})
        assert warm["task"]["status"] == "succeeded"  # the workers are up (they load models first)
        task = await create_and_upload(http, user.headers, wall_png(320, 240))
        r = await http.post(f"/api/tasks/{task['id']}/wall", headers=user.headers)
        assert r.status_code == 200, (r.text, distributed.logs())
        found = r.json()
        assert 0 < found["coverage"] <= 1 and (await http.get(found["mask_url"])).status_code == 200


async def test_wall_without_any_worker_is_503_with_retry_after(
    log_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """No worker answers the wall job in time: 503 ``unavailable`` with ``Retry-After`` (it used to be a 500
    after 120 s), and the job expires unstarted."""
    with deployment(log_dir, tmp_path_factory.mktemp("no-worker"), workers=0, SAEKDAM_WALL_TIMEOUT_S="2") as alone:
        async with httpx.AsyncClient(base_url=alone.apis[0].url, timeout=60) as http:
            user = await new_user(http)
            task = await create_and_upload(http, user.headers, wall_png(320, 240))
            r = await http.post(f"/api/tasks/{task['id']}/wall", headers=user.headers)
            assert r.status_code == 503 and r.json()["code"] == "unavailable", r.text
            assert int(r.headers["retry-after"]) > 0
