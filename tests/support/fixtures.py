"""Shared fixtures for tests that need real servers: moto (S3) and Redis.

Import the ones you use into your conftest (``from tests.support.fixtures import redis_url``).
A Redis that cannot be reached FAILS the test, never skips it: a green run must mean the code ran.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import redis

from tests.support.moto import moto_server
from tests.support.redis_server import RedisServer

# db 15 of the shared Redis; tests only touch keys under their own prefix, so nobody flushes anything
DEFAULT_TEST_REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """Endpoint URL of a moto_server started for this test session."""
    with moto_server() as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The shared test Redis (``SAEKDAM_TEST_REDIS_URL``, default db 15 on 127.0.0.1:6379)."""
    url = os.environ.get("SAEKDAM_TEST_REDIS_URL", DEFAULT_TEST_REDIS_URL)
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(
            f"Redis at {url} is required by these tests and is unreachable ({exc}). Start it with: "
            "redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no",
            pytrace=False,
        )
    finally:
        client.close()
    return url


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix of this test alone; its keys are deleted afterwards."""
    prefix = f"test:{uuid.uuid4().hex[:12]}:"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=prefix + "*", count=500))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture
def private_redis() -> Iterator[RedisServer]:
    """An own redis-server on a free port that the test may stop and restart."""
    server = RedisServer()
    server.start()
    yield server
    server.close()
