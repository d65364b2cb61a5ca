"""Count the SQL statements one request runs: the app in this process (Litestar's test client, the test
database, no painter), every statement through the engine Piccolo's tables use."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import msgspec
from litestar.testing import AsyncTestClient


class StatementLog:
    def __init__(self) -> None:
        self.statements: list[str] = []
        self.on = False

    def clear(self) -> None:
        self.statements.clear()


@contextlib.asynccontextmanager
async def counted_app() -> AsyncIterator[tuple[AsyncTestClient[Any], StatementLog]]:
    """A client of a fresh app whose engine records each statement while ``log.on``."""
    import piccolo_conf
    from app.asgi import create_app
    from app.core.settings import get_settings

    engine = piccolo_conf.DB
    log = StatementLog()
    original = engine.run_querystring

    async def recorded(querystring: Any, *args: Any, **kwargs: Any) -> Any:
        if log.on:
            log.statements.append(str(querystring))
        return await original(querystring, *args, **kwargs)

    engine.run_querystring = recorded  # type: ignore[method-assign]
    fetch_now = getattr(engine, "fetch_now", None)  # SQLite's point reads on the loop (app.core.db.point_read)
    if fetch_now is not None:

        def recorded_now(query: str, args: list[Any]) -> Any:
            if log.on:
                log.statements.append(query)
            return fetch_now(query, args)

        engine.fetch_now = recorded_now  # type: ignore[method-assign]
    try:
        settings = msgspec.structs.replace(get_settings(), run_painter_in_api=False)
        async with AsyncTestClient(create_app(settings)) as client:
            yield client, log
    finally:
        del engine.run_querystring  # the class's methods again
        if fetch_now is not None:
            del engine.fetch_now


async def statements_of(
    client: AsyncTestClient[Any], log: StatementLog, path: str, headers: dict[str, str] | None = None
) -> list[str]:
    """The statements of one GET (answered 200), with every per-process cache cold or warm as it is."""
    log.clear()
    log.on = True
    try:
        r = await client.get(path, headers=headers or {})
    finally:
        log.on = False
    assert r.status_code == 200, r.text
    return list(log.statements)
