"""The ``saekdam`` command: serve, worker, migrate, createsuperuser, paint, models, train, sheet."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import importlib
import os
import sys
from typing import TypedDict

from app.core.settings import Settings, SettingsError, get_settings


def _settings_or_exit() -> None:
    try:
        get_settings()
    except SettingsError as exc:
        print(f"saekdam: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


async def _migrate() -> None:
    from app.core.db import run_migrations

    await run_migrations()


def cmd_migrate(_: argparse.Namespace) -> int:
    asyncio.run(_migrate())
    print("migrations applied")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = get_settings()
    asyncio.run(_migrate())
    host = args.host or settings.host
    port = args.port or settings.port
    if args.workers > 1 and settings.embedded:
        print(
            "saekdam: --workers > 1 needs SAEKDAM_REDIS_URL (processes must share queue, events and limits)",
            file=sys.stderr,
        )
        return 2
    os.environ.setdefault("SAEKDAM_PORT", str(port))
    from app.web.protocol import DeadlineHttpProtocol

    uvicorn.run(
        "app.asgi:create_app",
        factory=True,
        host=host,
        port=port,
        workers=args.workers,
        log_level="info",
        timeout_graceful_shutdown=10,
        access_log=False,  # the app writes its own, cheaper line per request (app/web/access_log.py)
        http=DeadlineHttpProtocol,
        timeout_keep_alive=settings.http_keep_alive_s,
        **proxy_options(settings),
    )
    return 0


class ProxyOptions(TypedDict):
    proxy_headers: bool
    forwarded_allow_ips: str | None


def proxy_options(settings: Settings) -> ProxyOptions:
    """uvicorn believes X-Forwarded-For/-Proto only from ``SAEKDAM_FORWARDED_ALLOW_IPS`` (default: from nobody;
    uvicorn's own default would trust every loopback client, so a local client could spoof its address)."""
    trusted = settings.forwarded_allow_ips.strip()
    return ProxyOptions(proxy_headers=bool(trusted), forwarded_allow_ips=trusted or None)


def cmd_worker(args: argparse.Namespace) -> int:
    from app.worker import run_worker

    return run_worker(name=args.name)


def cmd_createsuperuser(args: argparse.Namespace) -> int:
    email = args.email or input("Email: ")
    nickname = args.nickname or input("Nickname: ")
    password = args.password or os.environ.get("SAEKDAM_SUPERUSER_PASSWORD") or getpass.getpass("Password: ")

    async def create() -> None:
        from app.accounts.service import AccountService
        from app.core.errors import AppError
        from app.core.i18n import translate
        from app.limits.memory import MemoryRateLimiter

        await _migrate()
        try:
            user = await AccountService(get_settings(), MemoryRateLimiter()).create_superuser(email, password, nickname)
        except AppError as exc:
            details = "; ".join(f"{e.field}: {e.message}" for e in exc.errors) or translate("en", exc.code)
            raise SystemExit(f"saekdam: {details}") from None
        print(f"superuser {user.username} created")

    asyncio.run(create())
    return 0


# sub-commands with their own argument parsers: everything after the name is theirs (``--help`` included)
DELEGATED: dict[str, tuple[str, str, str]] = {
    "paint": ("app.actors.painter.cli", "paint_command", "paint a mural onto a photo from the command line"),
    "models": ("app.actors.painter.cli", "models_command", "pull the real models or make tiny test models"),
    "train": ("lora_training.__main__", "main", "prepare data, train, export and register theme LoRAs"),
    "sheet": ("app.sheets.cli", "sheet_command", "make a painter's sheet (paint-by-numbers PDF/PNG) from a mural"),
}


def _run_delegated(name: str, rest: list[str]) -> int:
    module, function, _ = DELEGATED[name]
    return int(getattr(importlib.import_module(module), function)(rest))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="saekdam", description="Saekdam (색담): AI murals on old walls")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="run the web app and API (embedded mode runs everything in one process)")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument("--workers", type=int, default=1, help="API processes (needs Redis)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("worker", help="run an arq worker that hosts the painter (distributed mode)")
    p.add_argument("--name", default=None, help="worker name shown to admins (default host:pid)")
    p.set_defaults(func=cmd_worker)

    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate)

    p = sub.add_parser("createsuperuser", help="create an admin user")
    p.add_argument("--email")
    p.add_argument("--nickname")
    p.add_argument("--password", help="or SAEKDAM_SUPERUSER_PASSWORD, or asked interactively")
    p.set_defaults(func=cmd_createsuperuser)

    for name, (_, _, text) in DELEGATED.items():  # listed in --help; parsed by their own modules
        sub.add_parser(name, help=text, add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in DELEGATED:
        _settings_or_exit()
        return _run_delegated(argv[0], argv[1:])
    args = build_parser().parse_args(argv)
    _settings_or_exit()
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
