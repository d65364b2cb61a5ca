"""In-process fixtures for the fast tests: a migrated SQLite database of each test's own and the services on it.

The migrations run once per session into a template file; each test gets a copy of it (milliseconds) and every
Piccolo table is pointed at the copy, so tests never see each other's rows and never touch the database of the
black-box tests' ``saekdam serve``. No server process, no models, no browser.
"""

from __future__ import annotations

import gc
import itertools
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import msgspec
import pytest
import pytest_asyncio
from litestar import Litestar
from litestar.testing import AsyncTestClient
from piccolo.conf.apps import Finder
from piccolo.engine.base import Engine
from piccolo.table import Table

from app.accounts.service import AccountService
from app.asgi import create_app
from app.board.service import BoardService
from app.core import db
from app.core.settings import Settings, ensure_secret, get_settings
from app.core.sqlite_pool import PooledSQLiteEngine
from app.events.memory import MemoryEventBus
from app.limits.memory import MemoryRateLimiter
from app.storage.local import LocalStorage
from app.tasks.queue_memory import InProcessQueue
from app.tasks.service import TaskService
from tests.unit.services import Services

Saved = tuple[Engine | None, list[tuple[type[Table], Engine | None]]]


def _tables() -> list[type[Table]]:
    """Every table Piccolo knows: the apps' and its own migration table."""
    from piccolo.apps.migrations.tables import Migration

    return [*Finder().get_table_classes(), Migration]


def use_engine(engine: Engine) -> Saved:
    """Point Piccolo (the conf module's ``DB``, which migrations use, and every table) at ``engine``."""
    import piccolo_conf

    saved: Saved = (piccolo_conf.DB, [(t, t._meta._db) for t in _tables()])
    piccolo_conf.DB = engine
    for table, _ in saved[1]:
        table._meta.db = engine
    return saved


def restore_engines(saved: Saved) -> None:
    import piccolo_conf

    piccolo_conf.DB = saved[0]
    for table, engine in saved[1]:
        table._meta._db = engine


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with every migration applied, copied for each test."""
    path = tmp_path_factory.mktemp("unit-db") / "template.sqlite"
    engine = PooledSQLiteEngine(path=str(path), timeout=30)
    saved = use_engine(engine)
    try:
        await db.run_migrations()
    finally:
        await db.close_pool(engine)  # closing every connection folds the WAL into the file
        restore_engines(saved)
    return path


@pytest_asyncio.fixture(loop_scope="session")
async def database(template_db: Path, tmp_path: Path) -> AsyncIterator[Engine]:
    """This test's own migrated database (every table points at it until the test ends)."""
    path = tmp_path / "saekdam.sqlite"
    shutil.copyfile(template_db, path)
    engine = PooledSQLiteEngine(path=str(path), timeout=30)
    saved = use_engine(engine)
    try:
        yield engine
    finally:
        await db.close_pool(engine)
        restore_engines(saved)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The test settings with this test's own var directory (storage under it); limits at their defaults."""
    return ensure_secret(msgspec.structs.replace(get_settings(), var_dir_path=str(tmp_path / "var")))


@pytest_asyncio.fixture(loop_scope="session")
async def services(database: Engine, settings: Settings) -> AsyncIterator[Services]:
    bus = MemoryEventBus()
    queue = InProcessQueue()  # not started: tests see what was enqueued and run nothing
    storage = LocalStorage(
        root=settings.storage_dir,
        secret_key=settings.secret_key,
        base_url=settings.base_url,
        max_upload_bytes=settings.max_upload_bytes,
    )
    await storage.start()
    limiter = MemoryRateLimiter()
    accounts = AccountService(settings, limiter)
    tasks = TaskService(settings, storage, bus, queue)
    board = BoardService(settings, storage, bus, limiter, tasks, accounts)
    yield Services(settings, bus, queue, storage, accounts, tasks, board, itertools.count(1))
    await bus.close()
    await storage.close()


@pytest_asyncio.fixture(loop_scope="session")
async def api(database: Engine, settings: Settings) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """The whole application in this process (Litestar's test client runs its lifespan), without a painter:
    submitted tasks wait in the line. ``api.app.state.services`` are its services, for setting things up."""
    thresholds = gc.get_threshold()
    app = create_app(msgspec.structs.replace(settings, run_painter_in_api=False))
    try:
        async with AsyncTestClient(app=app, base_url=settings.base_url) as client:
            yield client
    finally:  # the lifespan tunes the collector for a long-lived server; this process goes on with tests
        gc.unfreeze()
        gc.set_threshold(*thresholds)
