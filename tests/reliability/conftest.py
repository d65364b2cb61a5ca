"""Reliability tests run against their own ``saekdam serve`` process (own var dir, own database, small limits),
so that counting every database row and every stored object before and after a request sees only that request.

``state()`` is the whole persistent state: each table's row count and a digest of its rows, and every file under
the server's storage directory (objects, metadata and upload temporaries). A refused request must leave it equal.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from tests.support.oidc import OidcProvider
from tests.support.server import Server, start_server
from tests.support.users import ApiUser, new_user

# small limits make the "too large" cases cheap; everything else as in production
MAX_UPLOAD_BYTES = 300_000
RELIABILITY_ENV = {
    "SAEKDAM_MAX_UPLOAD_BYTES": str(MAX_UPLOAD_BYTES),
    "SAEKDAM_MAX_CONCURRENT_TASKS": "50",
    "SAEKDAM_MAX_TASKS_PER_DAY": "500",
    "SAEKDAM_LOGIN_IP_MAX_FAILURES": "1000",
    # the catalogue leaves many tasks waiting for their photo (test_limits.py checks the caps themselves)
    "SAEKDAM_MAX_OPEN_TASKS": "1000",
    "SAEKDAM_MAX_OPEN_UPLOAD_BYTES": str(1000 * MAX_UPLOAD_BYTES),
    "SAEKDAM_UPLOAD_IDLE_TIMEOUT_S": "3",  # a stalled upload case waits this long
}


@dataclass
class Deployed:
    server: Server
    var_dir: Path
    database_url: str  # "" = SQLite under var_dir
    oidc: OidcProvider | None = None  # the Kakao preset signs in against it (the bad-input catalogue's server)

    @property
    def storage_dir(self) -> Path:
        return self.var_dir / "storage"

    @property
    def secret_key(self) -> str:
        return os.environ["SAEKDAM_SECRET_KEY"]


def database_for_this_run(prefix: str) -> str:
    """A fresh PostgreSQL database in the PostgreSQL pass of ``make test``; "" (SQLite) otherwise."""
    if os.environ.get("SAEKDAM_TEST_DATABASE") == "postgres":
        from tests.support.postgres import create_database

        return create_database(prefix)
    return ""


def start_own_server(log_dir: Path, var_dir: Path, name: str, **env: str) -> Deployed:
    database_url = database_for_this_run("saekdam_rel")
    server = start_server(
        log_dir,
        name=name,
        SAEKDAM_VAR_DIR=str(var_dir),
        SAEKDAM_DATABASE_URL=database_url,
        **{**RELIABILITY_ENV, **env},
    )
    return Deployed(server, var_dir, database_url)


KAKAO_CLIENT = {"client_id": "reliability-app", "client_secret": "reliability-secret"}


@pytest.fixture(scope="module")
def deployed(log_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployed]:
    oidc = OidcProvider(
        tmp_path_factory.mktemp("rel-oidc"), [{**KAKAO_CLIENT, "redirect_uris": ["http://127.0.0.1:9/cb"]}]
    )
    try:
        d = start_own_server(
            log_dir,
            tmp_path_factory.mktemp("rel-var"),
            "reliability",
            SAEKDAM_KAKAO_CLIENT_ID=KAKAO_CLIENT["client_id"],
            SAEKDAM_KAKAO_CLIENT_SECRET=KAKAO_CLIENT["client_secret"],
            SAEKDAM_KAKAO_ISSUER=oidc.issuer,
        )
        d.oidc = oidc
        yield d
        d.server.stop()
    finally:
        oidc.stop()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def http(deployed: Deployed) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=deployed.server.url, timeout=60) as client:
        yield client


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def alice(http: httpx.AsyncClient) -> ApiUser:
    return await new_user(http, "alice")


# ------------------------------------------------------------------------------------------------ state
def _sqlite_tables(path: Path) -> dict[str, tuple[int, str]]:
    out: dict[str, tuple[int, str]] = {}
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        for name in names:
            rows = sorted(repr(r) for r in conn.execute(f'SELECT * FROM "{name}"'))
            out[name] = (len(rows), hashlib.sha1("\n".join(rows).encode()).hexdigest())
    finally:
        conn.close()
    return out


async def _postgres_tables(url: str) -> dict[str, tuple[int, str]]:
    import asyncpg

    conn = await asyncpg.connect(url, timeout=10)
    try:
        names = [
            r["tablename"]
            for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        ]
        out: dict[str, tuple[int, str]] = {}
        for name in names:
            row = await conn.fetchrow(
                f"SELECT count(*) AS n, md5(coalesce(string_agg(t::text, chr(10) ORDER BY t::text), '')) AS h "
                f'FROM "{name}" t'
            )
            out[name] = (int(row["n"]), str(row["h"]))
        return out
    finally:
        await conn.close()


def storage_files(root: Path) -> dict[str, int]:
    """Every file under the storage directory (objects, metadata, temporaries) with its size."""
    if not root.exists():
        return {}
    return {str(p.relative_to(root)): p.stat().st_size for p in sorted(root.rglob("*")) if p.is_file()}


@dataclass(frozen=True)
class State:
    tables: dict[str, tuple[int, str]]
    files: dict[str, int]

    def counts(self) -> dict[str, int]:
        return {name: n for name, (n, _) in self.tables.items()}

    def diff(self, other: State) -> str:
        """Human summary of what changed (empty when nothing did)."""
        lines = []
        for name in sorted(set(self.tables) | set(other.tables)):
            a, b = self.tables.get(name), other.tables.get(name)
            if a != b:
                lines.append(
                    f"table {name}: rows {a[0] if a else None} -> {b[0] if b else None}"
                    + (" (contents changed)" if a and b and a[0] == b[0] else "")
                )
        added = sorted(set(other.files) - set(self.files))
        removed = sorted(set(self.files) - set(other.files))
        resized = sorted(k for k in set(self.files) & set(other.files) if self.files[k] != other.files[k])
        for label, keys in (("added", added), ("removed", removed), ("changed", resized)):
            if keys:
                lines.append(f"storage {label}: {keys[:10]}")
        return "\n".join(lines)


async def state(d: Deployed) -> State:
    tables = await _postgres_tables(d.database_url) if d.database_url else _sqlite_tables(d.var_dir / "saekdam.sqlite")
    return State(tables, storage_files(d.storage_dir))
