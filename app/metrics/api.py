"""``GET /metrics`` in Prometheus text format, for admins (a scraper uses an admin's API token)."""

from __future__ import annotations

from litestar import Controller, Request, Response, get
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from app.accounts.guards import requires_admin
from app.metrics.registry import QUEUE_DEPTH, TASKS


class MetricsController(Controller):
    path = "/metrics"
    include_in_schema = False

    @get("/", guards=[requires_admin])
    async def metrics(self, request: Request) -> Response[bytes]:
        services = request.app.state.services
        QUEUE_DEPTH.set(await services.queue.depth())
        for status, count in (await services.tasks.count_by_status()).items():
            TASKS.labels(status).set(count)
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
