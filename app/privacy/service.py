"""A user's personal data across domains: what the export holds, and what deleting the account removes.

Deleting revokes every credential first (nothing the user holds works any more), then removes tasks with
their files, board data (posts deleted or anonymized, as chosen), and last the account row itself.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import msgspec

from app.accounts.oidc import OidcService
from app.accounts.service import AccountService, has_real_email, to_user_out
from app.accounts.tables import User
from app.board import personal
from app.board.service import BoardService
from app.privacy.export import README, ExportWriter
from app.tasks.service import TaskService

log = logging.getLogger("saekdam.privacy")
URL_FIELDS = ("input_url", "mask_url", "preview_url", "result_urls", "artwork_urls")


class PrivacyService:
    def __init__(self, accounts: AccountService, tasks: TaskService, board: BoardService, oidc: OidcService) -> None:
        self.accounts = accounts
        self.tasks = tasks
        self.board = board
        self.oidc = oidc

    async def _profile(self, user: User) -> dict[str, Any]:
        profile = msgspec.to_builtins(to_user_out(user))
        if not has_real_email(user):
            profile["email"] = None
        profile["terms_version"] = user.terms_version or None
        profile["terms_accepted_at"] = user.terms_accepted_at.isoformat() if user.terms_accepted_at else None
        profile["sign_in_providers"] = [
            {
                "provider": i.provider,
                "subject": i.subject,
                "email": i.email or None,
                "linked_at": i.created_at.isoformat(),
            }
            for i in await self.oidc.identities(user.id)
        ]
        return profile

    async def export(self, user: User, lang: str) -> Path:
        """A zip of everything the user has (see app/privacy/export.py); the caller deletes the file."""
        writer = ExportWriter(self.tasks.storage)
        try:
            tasks_out, keys = [], []
            for row in await self.tasks.all_owned(user.id):
                task = msgspec.to_builtins(await self.tasks.present(row, lang))
                for name in URL_FIELDS:  # signed URLs expire: the export points at its own files instead
                    task.pop(name, None)
                files = sorted(await self.tasks.storage.list_keys(f"tasks/{row.id}/"))
                task["files"] = [f"files/{k}" for k in files]
                tasks_out.append(task)
                keys += files
            board = await personal.export_user(self.board, user.id)
            for post in board["posts"]:
                keys += post["files"].values()
                post["files"] = {k: f"files/{v}" for k, v in post["files"].items()}
            await writer.add_text("README.txt", README)
            await writer.add_json("profile.json", await self._profile(user))
            await writer.add_json("tasks.json", tasks_out)
            await writer.add_json("posts.json", board["posts"])
            await writer.add_json("comments.json", board["comments"])
            await writer.add_json("likes.json", board["likes"])
            await writer.add_files(keys)
            if writer.missing:
                await writer.add_json("missing.json", writer.missing)
            return await writer.finish()
        except BaseException:
            writer.discard()
            raise

    async def delete_account(
        self,
        user: User,
        password: str | None,
        posts: personal.PostsChoice,
        token: str | None,
        client_ip: str,
        lang: str,
    ) -> None:
        await self.accounts.confirm_identity(user, password, token, client_ip, lang, "password")
        await self.accounts.revoke_user_tokens(user.id)
        tasks = await self.tasks.delete_all_owned(user.id)
        ghost = await self.accounts.ghost_id() if posts == "anonymize" else 0
        await personal.erase_user(self.board, user.id, posts, ghost)
        await self.accounts.delete_user(user.id)
        log.info("account %s deleted (%d tasks, posts %s)", user.public_id, tasks, posts)
