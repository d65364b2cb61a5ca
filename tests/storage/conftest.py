"""Both stores behind one fixture: the same behavioural tests run on local disk and on S3 (moto).

``moto_endpoint``, ``redis_url`` and friends come from tests/support/fixtures.py (a plugin of tests/conftest.py).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest
from litestar import Litestar
from litestar.di import Provide

from app.storage.http import FilesController
from app.storage.local import LocalStorage
from app.storage.s3 import S3Storage
from tests.support.moto import free_port
from tests.support.uvicorn_server import serve_in_thread

SECRET = "storage-test-secret"
MAX_UPLOAD = 64 * 1024


def files_app(storage: object) -> Litestar:
    """The way the app mounts the endpoint: FilesController plus a ``storage`` dependency."""
    return Litestar([FilesController], dependencies={"storage": Provide(lambda: storage, sync_to_thread=False)})


@dataclass
class LocalServer:
    storage: LocalStorage
    url: str


@pytest.fixture(scope="session")
def local_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    """A LocalStorage served by uvicorn at its own base URL."""
    port = free_port()
    storage = LocalStorage(tmp_path_factory.mktemp("objects"), SECRET, f"http://127.0.0.1:{port}", MAX_UPLOAD)
    with serve_in_thread(files_app(storage), port=port) as url:
        yield LocalServer(storage, url)


@pytest.fixture(scope="session")
async def s3_storage(moto_endpoint: str) -> AsyncIterator[S3Storage]:
    storage = S3Storage(
        "saekdam-test", moto_endpoint, "us-east-1", "test", "test", path_style=True, max_upload_bytes=MAX_UPLOAD
    )
    await storage.start()
    await storage.ensure_bucket()
    yield storage
    await storage.close()


@dataclass
class Store:
    kind: str
    storage: LocalStorage | S3Storage
    prefix: str  # keys of this test live under it

    def key(self, name: str) -> str:
        return self.prefix + name


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest) -> Store:
    storage = (
        request.getfixturevalue("local_server").storage
        if request.param == "local"
        else (request.getfixturevalue("s3_storage"))
    )
    return Store(request.param, storage, f"t-{uuid.uuid4().hex[:10]}/")


@pytest.fixture
def prefix() -> str:
    """Keys of one test live under a prefix of their own (the servers are shared by the session)."""
    return f"t-{uuid.uuid4().hex[:10]}/"
