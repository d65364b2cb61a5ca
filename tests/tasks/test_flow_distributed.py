"""The same client flow against the distributed mode: API process + `saekdam worker` processes + Redis +
PostgreSQL + a real S3-compatible server on loopback."""

from __future__ import annotations

import httpx
import pytest

from tests.support.distributed import Deployment, distributed  # noqa: F401  (fixture)
from tests.support.flow import outside_unchanged, paint, wall_png
from tests.support.users import new_user


async def test_distributed_box_flow(distributed: Deployment) -> None:  # noqa: F811
    api = distributed.apis[0]
    async with httpx.AsyncClient(base_url=api.url, timeout=60) as http:
        ready = (await http.get("/readyz")).json()
        assert ready["status"] == "ok" and "painter" not in ready["checks"], ready
        user = await new_user(http)
        photo = wall_png(320, 240)
        out = await paint(http, user.headers, photo, region={"mode": "box", "box": [10, 10, 100, 90]}, seed=3,
                          variations=2)
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
