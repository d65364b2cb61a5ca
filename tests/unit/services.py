"""The services the fast tests drive, built by ``tests/unit/conftest.py`` on each test's own database."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import msgspec

from app.accounts.schemas import SignupIn
from app.accounts.service import AccountService
from app.board.schemas import Viewer
from app.board.service import BoardService
from app.core.settings import Settings
from app.events.memory import MemoryEventBus
from app.limits.memory import MemoryRateLimiter
from app.storage.local import LocalStorage
from app.tasks.queue_memory import InProcessQueue
from app.tasks.service import TaskService


@dataclass
class Services:
    """What the fast tests drive: the real services on in-memory queue, bus and limiter and local storage."""

    settings: Settings
    bus: MemoryEventBus
    queue: InProcessQueue
    storage: LocalStorage
    accounts: AccountService
    tasks: TaskService
    board: BoardService
    _users: itertools.count[int]

    def with_settings(self, **changes: object) -> Services:
        """The same collaborators under changed settings (a quota of 2, a smaller cap …)."""
        settings = msgspec.structs.replace(self.settings, **changes)
        tasks = TaskService(settings, self.storage, self.bus, self.queue)
        board = BoardService(settings, self.storage, self.bus, MemoryRateLimiter(), tasks, self.accounts)
        return Services(settings, self.bus, self.queue, self.storage, self.accounts, tasks, board, self._users)

    async def user(self, nickname: str | None = None) -> Viewer:
        """A new account, as the board sees its reader."""
        n = next(self._users)
        nickname = nickname or f"user{n}"
        user = await self.accounts.signup(
            SignupIn(email=f"{nickname}@example.com", password="password-123", nickname=nickname), "en"
        )
        return Viewer(id=int(user.id), public_id=str(user.public_id), nickname=user.nickname)
