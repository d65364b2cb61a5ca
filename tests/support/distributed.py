"""A distributed deployment on loopback: API process(es), `saekdam worker` processes, a private Redis,
a fresh PostgreSQL database and a real S3-compatible server (moto in server mode)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from tests.support.moto import moto_server
from tests.support.postgres import create_database
from tests.support.redis_server import RedisServer
from tests.support.server import Process, Server, free_port, start_server, start_worker

BUCKET = "saekdam-test"


class Deployment:
    def __init__(self, env: dict[str, str], log_dir: Path, redis: RedisServer) -> None:
        self.env = env
        self.log_dir = log_dir
        self.redis = redis
        self.apis: list[Server] = []
        self.workers: list[Process] = []

    def add_api(self, name: str) -> Server:
        server = start_server(self.log_dir, name=name, **self.env)
        self.apis.append(server)
        return server

    def add_worker(self, name: str) -> Process:
        """A `saekdam worker`; its Prometheus metrics are at ``worker.metrics_url``."""
        port = free_port()
        worker = start_worker(self.log_dir, name=name, **{**self.env, "SAEKDAM_WORKER_METRICS_PORT": str(port)})
        worker.metrics_url = f"http://127.0.0.1:{port}/metrics"  # type: ignore[attr-defined]
        self.workers.append(worker)
        return worker

    def logs(self) -> str:
        return "\n".join(f"--- {p.log_path.name}\n{p.log()}" for p in [*self.apis, *self.workers])

    def stop(self) -> None:
        for process in [*self.workers, *self.apis]:
            process.stop()


@contextlib.contextmanager
def deployment(log_dir: Path, var_dir: Path, apis: int = 1, workers: int = 2, **extra: str) -> Iterator[Deployment]:
    log_dir = log_dir / var_dir.name  # each deployment keeps its own api*/worker* logs
    log_dir.mkdir(parents=True, exist_ok=True)
    redis = RedisServer()
    redis.start()
    try:
        with moto_server() as s3:
            boto3.client(
                "s3", endpoint_url=s3, aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
            ).create_bucket(Bucket=BUCKET)
            env = {
                "SAEKDAM_REDIS_URL": redis.url,
                "SAEKDAM_DATABASE_URL": create_database("saekdam_dist"),
                "SAEKDAM_S3_BUCKET": BUCKET,
                "SAEKDAM_S3_ENDPOINT_URL": s3,
                "SAEKDAM_S3_PATH_STYLE": "true",
                "SAEKDAM_S3_ACCESS_KEY_ID": "test",
                "SAEKDAM_S3_SECRET_ACCESS_KEY": "test",
                "SAEKDAM_VAR_DIR": str(var_dir),
                "SAEKDAM_JOB_TIMEOUT_S": "20",
                # the tests stand where the proxy would: their X-Forwarded-For is the client's address
                "SAEKDAM_FORWARDED_ALLOW_IPS": "127.0.0.1",
                **extra,
            }
            deployed = Deployment(env, log_dir, redis)
            try:
                for i in range(apis):
                    deployed.add_api(f"api{i + 1}")
                for i in range(workers):
                    deployed.add_worker(f"worker{i + 1}")
                yield deployed
            finally:
                deployed.stop()
    finally:
        redis.close()


@pytest.fixture(scope="module")
def distributed(log_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    with deployment(log_dir, tmp_path_factory.mktemp("dist-var")) as deployed:
        yield deployed
