"""/metrics: admins only, Prometheus text with queue, jobs, steps, streams and HTTP latency."""

from __future__ import annotations

import re

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.support.flow import paint, wall_png
from tests.support.users import new_admin, new_user


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


async def test_metrics_are_for_admins_and_count_what_happened(client: httpx.AsyncClient) -> None:
    user = await new_user(client, "metrics-user")
    assert (await client.get("/metrics")).status_code == 401
    assert (await client.get("/metrics", headers=user.headers)).status_code == 403

    admin = await new_admin(client)
    photo = wall_png(160, 120)
    task = await paint(client, user.headers, photo, region={"mode": "box", "box": [16, 16, 96, 80]}, steps=4)
    assert task["task"]["status"] == "succeeded"
    await client.get("/api/posts")

    response = await client.get("/metrics", headers=admin.headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    got = samples(response.text)
    assert got[("saekdam_jobs_total", (("status", "succeeded"),))] >= 1
    assert got[("saekdam_job_duration_seconds_count", ())] >= 1
    assert got[("saekdam_step_seconds_count", ())] >= 3  # one observation per step after the first report
    assert got[("saekdam_tasks", (("status", "succeeded"),))] >= 1
    assert ("saekdam_queue_depth", ()) in got
    assert ("saekdam_stream_clients", (("channel", "task"),)) in got  # the stream paint() read, now closed
    assert got[("saekdam_stream_clients", (("channel", "task"),))] == 0
    board_calls = [
        k for k in got if k[0] == "saekdam_http_request_duration_seconds_count" and ("path", "/api/posts") in k[1]
    ]
    assert board_calls and got[board_calls[0]] >= 1, str(
        sorted({dict(k[1]).get("path") for k in got if k[0].startswith("saekdam_http")})
    )
    assert not re.search(r'path="/api/tasks/[0-9a-f-]{36}', response.text)  # route templates, not ids
