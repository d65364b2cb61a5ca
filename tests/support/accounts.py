"""The accounts and privacy tests' own ``saekdam serve`` (a session fixture, ``accounts``).

Mail goes through a real SMTP server on loopback (aiosmtpd), sign-in
with a real OpenID Connect provider on loopback (npm ``oidc-provider``) configured both as the Kakao preset
and as a generic provider, streams that re-check their credential every second."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from tests.support.oidc import OidcProvider
from tests.support.server import Server, free_port
from tests.support.smtp import SmtpServer

KAKAO = {"client_id": "kakao-rest-key", "client_secret": "kakao-secret-123"}
CORP = {"client_id": "corp-web", "client_secret": "corp-secret-123"}
CORP_NATIVE = "corp-ios"  # a native app's own client id, accepted as an id_token audience
ELSEWHERE = {"client_id": "other-site", "client_secret": "other-secret-123"}  # tokens for someone else
NOWHERE = "http://127.0.0.1:9/callback"
RESET_PER_EMAIL = 20


@dataclass
class AccountsDeployment:
    server: Server
    var_dir: Path
    database_url: str
    smtp: SmtpServer
    oidc: OidcProvider

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def storage_dir(self) -> Path:
        return self.var_dir / "storage" / "objects"

    def stored_keys(self) -> set[str]:
        """Every object key in the local store."""
        root = self.storage_dir
        return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()

    async def sql(self, statement: str, *args: Any) -> list[dict[str, Any]]:
        """Run one statement on the server's database ($1-style placeholders)."""
        if self.database_url:
            import asyncpg

            conn = await asyncpg.connect(self.database_url)
            try:
                return [dict(r) for r in await conn.fetch(statement, *args)]
            finally:
                await conn.close()
        conn2 = sqlite3.connect(self.var_dir / "saekdam.sqlite", timeout=30)
        conn2.row_factory = sqlite3.Row
        try:
            import re

            rows = conn2.execute(re.sub(r"\$\d+", "?", statement), args).fetchall()
            conn2.commit()
            return [dict(r) for r in rows]
        finally:
            conn2.close()


def _database() -> str:
    if os.environ.get("SAEKDAM_TEST_DATABASE") == "postgres":
        from tests.support.postgres import create_database

        return create_database("saekdam_acc")
    return ""


@pytest.fixture(scope="session")
def accounts(log_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AccountsDeployment]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    smtp = SmtpServer()
    smtp.start()
    clients = [
        {
            **KAKAO,
            "redirect_uris": [f"{url}/auth/oidc/kakao/callback"],
            "token_endpoint_auth_method": "client_secret_post",
        },
        {**CORP, "redirect_uris": [f"{url}/auth/oidc/corp/callback", NOWHERE]},
        {"client_id": CORP_NATIVE, "client_secret": "ios-secret-123", "redirect_uris": [NOWHERE]},
        {**ELSEWHERE, "redirect_uris": [NOWHERE]},
    ]
    for client in clients:
        client.setdefault("token_endpoint_auth_method", "client_secret_basic")
    oidc = OidcProvider(tmp_path_factory.mktemp("oidc"), clients)
    var_dir = tmp_path_factory.mktemp("accounts-var")
    database_url = _database()
    env = {
        **os.environ,
        **smtp.settings,
        "SAEKDAM_VAR_DIR": str(var_dir),
        "SAEKDAM_DATABASE_URL": database_url,
        "SAEKDAM_KAKAO_CLIENT_ID": KAKAO["client_id"],
        "SAEKDAM_KAKAO_CLIENT_SECRET": KAKAO["client_secret"],
        "SAEKDAM_KAKAO_ISSUER": oidc.issuer,
        "SAEKDAM_OIDC_PROVIDERS": json.dumps(
            [
                {
                    "name": "corp",
                    "issuer": oidc.issuer,
                    **CORP,
                    "label": "회사 계정|Company account",
                    "audiences": [CORP_NATIVE],
                }
            ]
        ),
        "SAEKDAM_STREAM_AUTH_RECHECK_S": "1",
        "SAEKDAM_PASSWORD_RESET_PER_EMAIL_PER_HOUR": str(RESET_PER_EMAIL),
        "SAEKDAM_PASSWORD_RESET_PER_ADDRESS_PER_HOUR": "1000",
        "SAEKDAM_LOGIN_IP_MAX_FAILURES": "1000",
        "SAEKDAM_MAX_CONCURRENT_TASKS": "20",
        "SAEKDAM_MAX_TASKS_PER_DAY": "200",
        "SAEKDAM_OPERATOR_NAME": "색담 운영팀",
        "SAEKDAM_OPERATOR_CONTACT": "privacy@saekdam.test",
    }
    server = Server(env, log_dir / "accounts.log", port=port)
    try:
        server.wait_ready()
        yield AccountsDeployment(server, var_dir, database_url, smtp, oidc)
    finally:
        server.stop()
        oidc.stop()
        smtp.stop()


@pytest_asyncio.fixture(loop_scope="session")
async def accounts_http(accounts: AccountsDeployment) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=accounts.url, timeout=60) as client:
        yield client
