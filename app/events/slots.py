"""Open event streams (SSE, WebSocket) are capped per user and per client address, so that one client cannot
hold hundreds of them (each costs a subscription, a task and a socket).

The count lives in this API process: with several processes each one caps on its own (a client spread over
them gets the cap once per process). A stream holds its slot from the handler until its iterator ends, is
closed, fails or is dropped, so a client that disconnects gives the slot back at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from typing import Any, Generic, TypeVar

from litestar.connection import ASGIConnection

from app.core.errors import RateLimited
from app.web.request import client_ip

T = TypeVar("T")
RETRY_AFTER_S = 5


class StreamSlots:
    """How many streams each user and each address holds now; ``take`` refuses one over either cap."""

    def __init__(self, per_user: int, per_address: int) -> None:
        self.per_user = per_user
        self.per_address = per_address
        self.users: Counter[int] = Counter()
        self.addresses: Counter[str] = Counter()

    def take(self, user_id: int | None, address: str) -> Slot:
        """A slot for one stream, or 429 ``too_many_streams`` (with Retry-After)."""
        if self.addresses[address] >= self.per_address or (
            user_id is not None and self.users[user_id] >= self.per_user
        ):
            raise RateLimited(
                "too_many_streams",
                retry_after=RETRY_AFTER_S,
                params={"max": self.per_user if user_id is not None else self.per_address},
            )
        self.addresses[address] += 1
        if user_id is not None:
            self.users[user_id] += 1
        return Slot(self, user_id, address)

    def of(self, connection: ASGIConnection[Any, Any, Any, Any]) -> Slot:
        """A slot for the connection's user (when signed in) and address."""
        user = connection.scope.get("user")
        return self.take(int(user.id) if user is not None else None, client_ip(connection))

    def _give_back(self, user_id: int | None, address: str) -> None:
        for counter, key in ((self.addresses, address), (self.users, user_id)):
            if key is None:
                continue
            counter[key] -= 1  # type: ignore[index]  # the key belongs to the counter it is paired with
            if counter[key] <= 0:  # type: ignore[index]  # the key belongs to the counter it is paired with
                del counter[key]


class Slot:
    """One held stream; ``release`` is idempotent."""

    def __init__(self, slots: StreamSlots, user_id: int | None, address: str) -> None:
        self._slots: StreamSlots | None = slots
        self.user_id = user_id
        self.address = address

    def release(self) -> None:
        if self._slots is not None:
            self._slots._give_back(self.user_id, self.address)
            self._slots = None

    def hold(self, items: AsyncIterator[T]) -> HeldStream[T]:
        """``items``, giving the slot back when they end, fail, are cancelled, closed or dropped unread."""
        return HeldStream(items, self)

    def __del__(self) -> None:
        self.release()


class HeldStream(Generic[T]):
    """An async iterator that holds a slot while it is alive (a generator never started would not run its
    ``finally``: this one gives the slot back when it is dropped, too)."""

    def __init__(self, items: AsyncIterator[T], slot: Slot) -> None:
        self._items = items
        self._slot = slot

    def __aiter__(self) -> HeldStream[T]:
        return self

    async def __anext__(self) -> T:
        try:
            return await anext(self._items)
        except BaseException:  # the end (StopAsyncIteration), a failure, or the client gone (cancelled)
            self._slot.release()
            raise

    async def aclose(self) -> None:
        self._slot.release()
        closer = getattr(self._items, "aclose", None)
        if closer is not None:
            await closer()

    def __del__(self) -> None:
        self._slot.release()


def stream_slots(connection: ASGIConnection[Any, Any, Any, Any]) -> StreamSlots:
    """The process's stream counter (made on first use from the settings)."""
    state = connection.app.state
    slots = state.get("stream_slots")
    if slots is None:
        settings = state.settings
        slots = StreamSlots(settings.streams_per_user, settings.streams_per_address)
        state.stream_slots = slots
    return slots
