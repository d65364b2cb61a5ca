"""Board logic: publish a task's result as a post, list and search posts, likes, comments, views, reports
and moderation. HTTP handlers (JSON and pages) and the admin call these methods; nothing else writes.

Counters live on the post row and change in the same write transaction as the rows they count. Every
change is published on the ``board`` channel; the same events empty the list caches of every process.
Anonymous posts keep their author in the row (so the author can edit and delete) and show ``author:
null`` everywhere else: lists, the post, events and ``?author=`` for other readers.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
import time
import uuid
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import msgspec
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from app.accounts.service import AccountService
from app.board import images
from app.board.cache import CachedPage, ListCache
from app.board.events import CHANNEL
from app.board.keys import copy_to_fresh_keys
from app.board.schemas import (
    Comment,
    CommentCreate,
    CommentDeleted,
    CommentList,
    LikeState,
    Post,
    PostCreate,
    PostDeleted,
    PostQuery,
    PostUpdate,
    ReportCreate,
    ReportReceipt,
    Viewer,
)
from app.board.tables import Comment as CommentRow
from app.board.tables import Post as PostRow
from app.board.tables import PostLike, PostView, Report, ReportStatus
from app.core import image_variants
from app.core.cpu import run_cpu
from app.core.db import point_read
from app.core.errors import AppError, Conflict, FieldError, Forbidden, InvalidInput, NotFound, RateLimited
from app.core.events import EventBus
from app.core.i18n import translate
from app.core.pagination import decode_cursor, encode_cursor
from app.core.ratelimit import RateLimiter
from app.core.settings import Settings
from app.core.storage import ObjectNotFound, Storage
from app.events.errors import SubscriptionLagged
from app.tasks.service import TaskService, held_from_board

log = logging.getLogger("saekdam.board")

POST_COLUMNS = (
    "id, author, anonymous, title, content, theme, before_key, after_key, thumb_key, display, like_count, "
    "comment_count, view_count, hidden, created_at, updated_at, sheet_colors, wish"
)
TERM_RE = re.compile(r"[^\W_]+")  # letters and digits of any script: search terms
MAX_TERMS = 8
CARD_CACHE_S = 60.0  # a presented card is reused this long at most (its URLs have ≥ half their life left)
CARD_CACHE_SIZE = 10_000
SHARE_URL_TTL_S = 6 * 24 * 3600  # + up to a day, aligned: S3 presigned URLs live at most 7 days


class BoardLimits(msgspec.Struct, kw_only=True, frozen=True):
    """Per-user write limits: (events, window in seconds)."""

    posts: tuple[int, int] = (10, 3600)
    comments: tuple[int, int] = (30, 600)
    likes: tuple[int, int] = (120, 60)
    reports: tuple[int, int] = (20, 3600)

    @classmethod
    def from_settings(cls, settings: Settings) -> BoardLimits:
        return cls(
            posts=(settings.board_posts_per_hour, 3600),
            comments=(settings.board_comments_per_10_min, 600),
            likes=(settings.board_likes_per_min, 60),
            reports=(settings.board_reports_per_hour, 3600),
        )


@dataclass(slots=True)
class LoadedPost:
    """A post as one reader sees it, plus what the pages need beside the API shape."""

    post: Post
    mine: bool
    hidden: bool
    after_key: str


def now() -> datetime:
    return datetime.now(UTC)


def _dt(value: Any) -> datetime:
    if not isinstance(value, datetime):
        value = datetime.fromisoformat(str(value))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _bool(value: Any) -> bool:
    return value in (True, 1, "1", "t", "true")


def _uuid(value: str | uuid.UUID | None) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def search_terms(q: str | None) -> tuple[str, ...]:
    """The words of a search box: letters and digits of any script, lower-cased, at most 8."""
    return tuple(dict.fromkeys(TERM_RE.findall((q or "").lower())))[:MAX_TERMS]


def searches_nothing(q: str | None) -> bool:
    """A search box with text but no letters or digits in it (``%``, ``_``): it can match no post."""
    return bool(q and q.strip()) and not search_terms(q)


def like_pattern(term: str) -> str:
    """``%term%`` for LIKE with ``\\``, ``%`` and ``_`` escaped (ESCAPE '\\')."""
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _bad_cursor(lang: str) -> InvalidInput:
    return InvalidInput(errors=[FieldError(field="cursor", message=translate(lang, "field_invalid"))])


class BoardService:
    def __init__(
        self,
        settings: Settings,
        storage: Storage,
        bus: EventBus,
        limiter: RateLimiter,
        tasks: TaskService,
        accounts: AccountService,
        *,
        limits: BoardLimits | None = None,
        cache_ttl_s: float = 5.0,
    ) -> None:
        self.settings = settings
        self.storage = storage
        self.bus = bus
        self.limiter = limiter
        self.tasks = tasks
        self.accounts = accounts
        self.limits = limits or BoardLimits.from_settings(settings)
        self.cache = ListCache(cache_ttl_s)
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self._seen_views: OrderedDict[tuple[str, str, date], None] = OrderedDict()
        self._author_ids: OrderedDict[str, int | None] = OrderedDict()
        # post id → (its row's values, author, kept until, card as an anonymous reader sees it): see present()
        self._cards: OrderedDict[str, tuple[tuple[Any, ...], Any, float, Post]] = OrderedDict()
        self._next_view_purge = 0.0

    # ------------------------------------------------------------------ plumbing
    @property
    def _postgres(self) -> bool:
        return PostRow._meta.db.engine_type == "postgres"

    def _atomic(self) -> Any:
        """A write transaction (SQLite: IMMEDIATE, so read-then-write never meets "database is locked")."""
        db = PostRow._meta.db
        if isinstance(db, SQLiteEngine):
            return db.transaction(transaction_type=TransactionType.immediate)
        return db.transaction()

    async def _limit(self, kind: str, viewer: Viewer) -> None:
        limit, window = getattr(self.limits, kind)
        wait = await self.limiter.acquire(f"board:{kind}:{viewer.id}", limit, window)
        if wait is not None:
            raise RateLimited(retry_after=int(wait) + 1)

    def _url_ttl(self) -> int:
        """Download URL lifetime aligned to 10 minutes, so a list's image URLs (and browser caches) hold."""
        base = self.settings.download_url_ttl_s
        return base + (600 - int(time.time()) % 600)

    async def _publish(self, event: str, data: Any) -> None:
        self.cache.bump()
        try:
            await self.bus.publish(CHANNEL, event, data)
        except Exception:  # the DB holds the truth; readers catch up on their next load
            log.exception("could not publish board event %s", event)

    async def _publish_post(self, post_id: uuid.UUID) -> None:
        """``post_updated`` with the row as it is now (serialised per post: the last event is the newest)."""
        key = str(post_id)
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        async with lock:
            row = await self._fetch(post_id)
            if row is None or _bool(row["hidden"]):
                return
            await self._publish("post_updated", (await self.present([row]))[0])

    async def watch(self) -> None:
        """Empty the list cache on every board event, from any process (runs for the process's life)."""
        while True:
            try:
                async with self.bus.subscribe(CHANNEL) as events:
                    self.cache.bump()  # whatever happened while we were not listening
                    async for _ in events:
                        self.cache.bump()
                return
            except SubscriptionLagged:
                continue
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("board cache watcher failed; retrying")
                self.cache.bump()
                await asyncio.sleep(1)

    # ------------------------------------------------------------------ presenting
    async def present(self, rows: list[dict[str, Any]], liked: set[str] | frozenset[str] = frozenset()) -> list[Post]:
        """API Posts for rows: one query for all authors (mostly cached), signed URLs without I/O.

        A card made from the very same row and author within ``CARD_CACHE_S`` is reused (pages reached by
        cursor that miss the list cache still show cards shown before): any change to the post changes its
        row, a rename drops the author from the accounts cache, so a reused card is never stale.
        """
        author_ids = {int(r["author"]) for r in rows if not _bool(r["anonymous"])}
        authors = await self.accounts.authors(author_ids) if author_ids else {}
        ttl = self._url_ttl()
        sign = self.storage.download_url
        out: list[Post] = []
        kept_until = time.monotonic() + CARD_CACHE_S
        cards = self._cards
        for r in rows:
            pid = str(r["id"])
            author = None if _bool(r["anonymous"]) else authors.get(int(r["author"]))
            state = tuple(v for k, v in r.items() if k != "score")  # popular's score moves with its time
            hit = cards.get(pid)
            if hit is not None and hit[0] == state and hit[1] == author and hit[2] > time.monotonic():
                post = hit[3]
            else:
                after = await sign(r["after_key"], ttl)
                post = Post(
                    id=pid,
                    title=r["title"],
                    content=r["content"],
                    theme=r["theme"],
                    author=author,
                    before_url=await sign(r["before_key"], ttl),
                    after_url=after,
                    thumbnail_url=await sign(r["thumb_key"], ttl) if r["thumb_key"] else after,
                    **await self._display(r, ttl),
                    like_count=int(r["like_count"]),
                    comment_count=int(r["comment_count"]),
                    view_count=int(r["view_count"]),
                    liked_by_me=False,
                    created_at=_dt(r["created_at"]),
                    updated_at=_dt(r["updated_at"]),
                    sheet_colors=int(r["sheet_colors"]) if r.get("sheet_colors") is not None else None,
                    wish=r.get("wish") or "",
                )
                cards[pid] = (state, author, kept_until, post)
                cards.move_to_end(pid)
                if len(cards) > CARD_CACHE_SIZE:
                    cards.popitem(last=False)
            out.append(msgspec.structs.replace(post, liked_by_me=True) if pid in liked else post)
        return out

    async def _display(self, row: dict[str, Any], ttl: int) -> dict[str, Any]:
        """The display copies' URLs and the pictures' size (posts from before them: the full-size copies)."""
        shown = row["display"] if isinstance(row["display"], dict) else msgspec.json.decode(row["display"] or "{}")
        keys = (shown["before"], shown["after"]) if shown.get("after") else (row["before_key"], row["after_key"])
        sign = self.storage.download_url
        return {
            "display_before_url": await sign(keys[0], ttl),
            "display_after_url": await sign(keys[1], ttl),
            "width": shown.get("width"),
            "height": shown.get("height"),
        }

    async def _fetch(self, post_id: uuid.UUID) -> dict[str, Any] | None:
        rows = await PostRow.raw(f"SELECT {POST_COLUMNS} FROM board_post WHERE id = {{}}", post_id)
        return rows[0] if rows else None

    @staticmethod
    def _can_see(row: dict[str, Any], viewer: Viewer | None) -> bool:
        if not _bool(row["hidden"]):
            return True
        return viewer is not None and (viewer.is_admin or viewer.id == int(row["author"]))

    async def _visible(self, post_id: str, viewer: Viewer | None) -> dict[str, Any]:
        pid = _uuid(post_id)
        row = await self._fetch(pid) if pid is not None else None
        if row is None or not self._can_see(row, viewer):
            raise NotFound()
        return row

    async def _liked(self, user_id: int, post_ids: list[str]) -> set[str]:
        if not post_ids:
            return set()
        rows = await PostLike.select(PostLike.post).where(
            (PostLike.user == user_id) & PostLike.post.is_in([uuid.UUID(p) for p in post_ids])
        )
        return {str(r["post"]) for r in rows}

    # ------------------------------------------------------------------ lists
    def forget_author(self, user_id: int) -> None:
        """Drop a deleted account from the ``?author=`` cache (SQLite may hand its id to the next account)."""
        for public_id in [k for k, v in self._author_ids.items() if v == user_id]:
            del self._author_ids[public_id]

    async def author_id(self, public_id: str) -> int:
        """The internal id behind a public user id (-1 when none: an empty list, not an error)."""
        if public_id in self._author_ids:
            found = self._author_ids[public_id]
        else:
            user = await self.accounts.get_by_public_id(public_id)
            found = int(user.id) if user is not None else None
            self._author_ids[public_id] = found
            while len(self._author_ids) > 4096:
                self._author_ids.popitem(last=False)
        return -1 if found is None else found

    def _list_sql(self, q: PostQuery, lang: str) -> tuple[str, list[Any], datetime | None]:
        where: list[str] = ["hidden = {}"]
        args: list[Any] = [False]
        if q.nothing:
            where.append("1 = 0")
        if q.theme:
            where.append("theme = {}")
            args.append(q.theme)
        if q.author is not None:
            where.append("author = {}")
            args.append(q.author)
            if not q.include_anonymous:
                where.append("anonymous = {}")
                args.append(False)
        if q.terms:
            if self._postgres:
                where.append("to_tsvector('simple', title || ' ' || content) @@ to_tsquery('simple', {})")
                args.append(" & ".join(f"'{t}':*" for t in q.terms))
            else:
                for term in q.terms:
                    where.append("(title LIKE {} ESCAPE '\\' OR content LIKE {} ESCAPE '\\')")
                    args += [like_pattern(term)] * 2
        limit = q.limit + 1
        if q.sort == "latest":
            after = decode_cursor(q.cursor, 3, lang)
            if after is not None:
                if after[0] != "l":
                    raise _bad_cursor(lang)
                try:
                    at, pid = datetime.fromisoformat(after[1]), uuid.UUID(after[2])
                except (TypeError, ValueError):
                    raise _bad_cursor(lang) from None
                # a row-value comparison: both SQLite and PostgreSQL seek the (hidden, created_at, id) index
                # to it (the equivalent OR form scans every newer post first: deep pages cost their depth)
                where.append("(created_at, id) < ({}, {})")
                args += [at, pid]
            sql = (
                f"SELECT {POST_COLUMNS} FROM board_post WHERE {' AND '.join(where)} "
                f"ORDER BY created_at DESC, id DESC LIMIT {limit}"
            )
            return sql, args, None
        # popular: the score is frozen at the first page's time, carried in the cursor with (score, id)
        after = decode_cursor(q.cursor, 4, lang)
        t_ref = now()
        keyset = ""
        extra: list[Any] = []
        if after is not None:
            if after[0] != "p" or isinstance(after[2], bool) or not isinstance(after[2], (int, float)):
                raise _bad_cursor(lang)
            try:
                t_ref, pid = datetime.fromisoformat(after[1]), uuid.UUID(after[3])
            except (TypeError, ValueError):
                raise _bad_cursor(lang) from None
            if t_ref.tzinfo is None:
                raise _bad_cursor(lang)
            keyset = "WHERE score < {} OR (score = {} AND id < {}) "
            extra = [float(after[2]), float(after[2]), pid]
        if self._postgres:
            score = (
                "(like_count + 2 * comment_count + 1) / power(extract(epoch from ({}::timestamptz - created_at))"
                "::float8 / 3600.0 + 2.0, 1.5)"
            )
        else:
            score = (
                "(like_count + 2 * comment_count + 1) / pow((julianday({}) - julianday(created_at)) * 24.0 + 2.0, 1.5)"
            )
        sql = (
            f"SELECT * FROM (SELECT {POST_COLUMNS}, {score} AS score FROM board_post "
            f"WHERE {' AND '.join(where)} AND created_at <= {{}}) AS ranked {keyset}"
            f"ORDER BY score DESC, id DESC LIMIT {limit}"
        )
        return sql, [t_ref, *args, t_ref, *extra], t_ref

    async def list_page(self, q: PostQuery, lang: str) -> CachedPage:
        """One page of a public list, as anyone who liked none of it sees it (cached a few seconds)."""
        page = self.cache.get(q)
        if page is not None:
            return page
        version = self.cache.version  # read before the query: a change meanwhile makes this page stale
        sql, args, t_ref = self._list_sql(q, lang)
        # latest: an index seek and at most 101 rows, cheaper run at once than handed to a thread (point_read);
        # popular ranks every candidate, so it waits its turn in the pool
        rows = await (point_read(PostRow, sql, *args) if t_ref is None and not q.terms else PostRow.raw(sql, *args))
        next_cursor = None
        if len(rows) > q.limit:
            rows = rows[: q.limit]
            last = rows[-1]
            if t_ref is None:
                next_cursor = encode_cursor("l", _dt(last["created_at"]).isoformat(), str(last["id"]))
            else:
                next_cursor = encode_cursor("p", t_ref.isoformat(), float(last["score"]), str(last["id"]))
        page = CachedPage(await self.present(rows), next_cursor)
        self.cache.put(q, version, page)
        return page

    async def with_likes(self, page: CachedPage, viewer: Viewer | None) -> list[Post]:
        """The page's posts with ``liked_by_me`` for this reader (one query, none for anonymous readers)."""
        if viewer is None or not page.items:
            return page.items
        liked = await self._liked(viewer.id, [p.id for p in page.items])
        if not liked:
            return page.items
        return [msgspec.structs.replace(p, liked_by_me=True) if p.id in liked else p for p in page.items]

    # ------------------------------------------------------------------ one post
    def view_key(self, viewer: Viewer | None, address: str) -> str:
        """Who counts as one viewer: the user, else a keyed hash of the address (never stored raw)."""
        if viewer is not None:
            return f"u:{viewer.id}"
        digest = hmac.new(self.settings.secret_key.encode(), b"board-view:" + address.encode(), hashlib.sha256)
        return "a:" + digest.hexdigest()[:32]

    async def count_view(self, post_id: uuid.UUID, viewer_key: str) -> bool:
        """Count one view per viewer per post per UTC day; True when this one counted."""
        day = now().date()
        seen = (str(post_id), viewer_key, day)
        if seen in self._seen_views:
            return False
        async with self._atomic():
            added = (
                await PostView.insert(PostView(post=post_id, viewer=viewer_key, day=day))
                .on_conflict(action="DO NOTHING")
                .returning(PostView.id)
            )
            if added:
                await PostRow.update({PostRow.view_count: PostRow.view_count + 1}).where(PostRow.id == post_id)
        self._seen_views[seen] = None
        while len(self._seen_views) > 20_000:
            self._seen_views.popitem(last=False)
        if time.monotonic() > self._next_view_purge:  # yesterday's rows still dedupe; older ones are done
            self._next_view_purge = time.monotonic() + 3600
            await PostView.delete().where(PostView.day < day - timedelta(days=2))
        return bool(added)

    async def get_post(self, post_id: str, viewer: Viewer | None, viewer_key: str | None = None) -> LoadedPost:
        """A post for its page or ``GET /api/posts/{id}``; counts a view when ``viewer_key`` is given."""
        row = await self._visible(post_id, viewer)
        pid = _uuid(row["id"])
        assert pid is not None
        if viewer_key is not None and await self.count_view(pid, viewer_key):
            row = dict(row, view_count=int(row["view_count"]) + 1)
        liked = await self._liked(viewer.id, [str(pid)]) if viewer is not None else set()
        post = (await self.present([row], liked))[0]
        mine = viewer is not None and viewer.id == int(row["author"])
        return LoadedPost(post=post, mine=mine, hidden=_bool(row["hidden"]), after_key=row["after_key"])

    async def sheet_source(self, post_id: str, viewer: Viewer | None) -> tuple[str, int, int] | None:
        """(task id, 1-based result, colours) of the sheet a visible post shows, or None when it shows none."""
        row = await self._visible(post_id, viewer)
        extra = await PostRow.select(PostRow.task_id, PostRow.result_index).where(PostRow.id == row["id"]).first()
        if row.get("sheet_colors") is None or extra is None or extra["task_id"] is None:
            return None
        return str(extra["task_id"]), int(extra["result_index"]) + 1, int(row["sheet_colors"])

    async def share_image_url(self, after_key: str) -> str:
        """A long-lived signed URL of the result for link previews (og:image), stable for a day."""
        ttl = SHARE_URL_TTL_S + (86400 - int(time.time()) % 86400)
        return await self.storage.download_url(after_key, ttl)

    # ------------------------------------------------------------------ publishing
    def _clean_text(self, title: str | None, content: str | None, lang: str) -> tuple[str | None, str | None]:
        errors: list[FieldError] = []
        if title is not None:
            title = title.strip()
            if not 5 <= len(title) <= 60:
                errors.append(FieldError(field="title", message=translate(lang, "field_length", min=5, max=60)))
        if content is not None:
            content = content.strip()
            if len(content) > 2000:
                errors.append(FieldError(field="content", message=translate(lang, "field_max_length", max=2000)))
        if errors:
            raise InvalidInput(errors=errors)
        return title, content

    async def published_tasks(self, author_id: int) -> set[str]:
        """The ids of the tasks this user has published a post from ("my murals": published or not)."""
        rows = await PostRow.select(PostRow.task_id).where(
            (PostRow.author == author_id) & PostRow.task_id.is_not_null()
        )
        return {str(r["task_id"]) for r in rows}

    async def published_results(self, task_id: str) -> set[int]:
        tid = _uuid(task_id)
        if tid is None:
            return set()
        rows = await PostRow.select(PostRow.result_index).where(PostRow.task_id == tid)
        return {int(r["result_index"]) for r in rows}

    async def publish(self, viewer: Viewer, data: PostCreate, lang: str) -> Post:
        """Publish one result of the viewer's own succeeded task, with the board's own image copies."""
        title, content = self._clean_text(data.title, data.content, lang)
        task = await self.tasks.get_owned(data.task_id, viewer.id)  # 404 for other users' tasks
        if task.status != "succeeded":
            raise Conflict("task_not_succeeded")
        keys = task.result_keys if isinstance(task.result_keys, list) else msgspec.json.decode(task.result_keys or "[]")
        if not keys:
            raise Conflict("task_files_expired")
        if data.result_index >= len(keys):
            raise InvalidInput(
                errors=[
                    FieldError(field="result_index", message=translate(lang, "field_range", min=0, max=len(keys) - 1))
                ]
            )
        if held_from_board(task, data.result_index):  # the content filter: stays private to its owner
            raise Conflict("content_held")
        source = f"{task.id}:{data.result_index}"
        if await PostRow.exists().where(PostRow.source == source):
            raise Conflict("already_published")
        await self._limit("posts", viewer)

        post_id = uuid.uuid4()
        result_key = keys[data.result_index]
        try:
            photo = await self.storage.get(task.input_key)
            result = await self.storage.get(result_key)
        except ObjectNotFound:
            raise Conflict("task_files_expired") from None
        try:
            before, before_ext, before_type = await run_cpu(images.clean_before, photo, result_key)
        except Exception:  # not decodable here: keep the bytes as uploaded
            before, (before_ext, before_type) = photo, images.kind_of(task.input_key)
        try:  # the task's own small copies (made once per result), copied like the images
            small: tuple[bytes, bytes, bytes] | None = await self.tasks.result_copies(task, data.result_index)
        except Exception:
            log.warning("post %s: no small copies", post_id, exc_info=True)
            small = None
        after_ext, after_type = images.kind_of(result_key)
        prefix = f"posts/{post_id}/"
        before_key, after_key = f"{prefix}before.{before_ext}", f"{prefix}after.{after_ext}"
        thumb_key: str | None = None
        display: dict[str, str | int | None] = {}
        await self.storage.put(before_key, before, before_type)
        await self.storage.put(after_key, result, after_type)
        if small is not None:
            thumb_key, ext, webp = (
                f"{prefix}thumb.{image_variants.EXTENSION}",
                image_variants.EXTENSION,
                image_variants.CONTENT_TYPE,
            )
            display_before, display_after = f"{prefix}display-before.{ext}", f"{prefix}display-after.{ext}"
            display = {"before": display_before, "after": display_after, "width": task.width, "height": task.height}
            for key, body in ((thumb_key, small[0]), (display_after, small[1]), (display_before, small[2])):
                await self.storage.put(key, body, webp)

        at = now()
        row = PostRow(
            id=post_id,
            author=viewer.id,
            anonymous=data.anonymous,
            task_id=task.id,
            result_index=data.result_index,
            source=source,
            title=title,
            content=content,
            theme=task.theme or "",
            before_key=before_key,
            after_key=after_key,
            thumb_key=thumb_key,
            display=msgspec.json.encode(display).decode(),
            sheet_colors=data.sheet_colors,
            wish=task.prompt or "",
            created_at=at,
            updated_at=at,
        )
        try:
            await PostRow.insert(row)
        except Exception:
            await self._delete_files(post_id)
            if await PostRow.exists().where(PostRow.source == source):  # the same result, published meanwhile
                raise Conflict("already_published") from None
            raise
        fetched = await self._fetch(post_id)
        assert fetched is not None
        post = (await self.present([fetched]))[0]
        await self._publish("post_created", post)
        return post

    async def update(self, viewer: Viewer, post_id: str, data: PostUpdate, lang: str) -> Post:
        row = await self._visible(post_id, viewer)
        if int(row["author"]) != viewer.id:
            raise Forbidden()
        title, content = self._clean_text(data.title, data.content, lang)
        values: dict[Any, Any] = {}
        if title is not None:
            values[PostRow.title] = title
        if content is not None:
            values[PostRow.content] = content
        if data.sheet_colors is not msgspec.UNSET:
            values[PostRow.sheet_colors] = data.sheet_colors
        pid = row["id"] if isinstance(row["id"], uuid.UUID) else uuid.UUID(str(row["id"]))
        if values:
            values[PostRow.updated_at] = now()
            await PostRow.update(values).where(PostRow.id == pid)
            await self._publish_post(pid)
        return (await self.get_post(str(pid), viewer)).post

    async def _delete_files(self, post_id: uuid.UUID) -> None:
        for key in await self.storage.list_keys(f"posts/{post_id}/"):
            try:
                await self.storage.delete(key)
            except Exception:
                log.exception("could not delete %s", key)

    async def delete(self, viewer: Viewer, post_id: str) -> None:
        row = await self._visible(post_id, viewer)
        if not (viewer.is_admin or int(row["author"]) == viewer.id):
            raise Forbidden()
        await self.remove(_uuid(row["id"]))  # type: ignore[arg-type]  # a stored row's id always parses

    async def remove(self, post_id: uuid.UUID) -> bool:
        """Delete a post with its likes, comments, views, reports and image copies (author or admin)."""
        deleted = await PostRow.delete().where(PostRow.id == post_id).returning(PostRow.id)
        await self._delete_files(post_id)
        if deleted:
            await self._publish("post_deleted", PostDeleted(id=str(post_id)))
        return bool(deleted)

    # ------------------------------------------------------------------ likes
    async def like(self, viewer: Viewer, post_id: str, on: bool) -> LikeState:
        """Like or unlike; repeating either changes nothing (idempotent)."""
        row = await self._visible(post_id, viewer)
        pid = _uuid(row["id"])
        assert pid is not None
        await self._limit("likes", viewer)
        try:
            async with self._atomic():
                if on:
                    changed = (
                        await PostLike.insert(PostLike(post=pid, user=viewer.id, created_at=now()))
                        .on_conflict(action="DO NOTHING")
                        .returning(PostLike.id)
                    )
                    delta = 1
                else:
                    changed = (
                        await PostLike.delete()
                        .where((PostLike.post == pid) & (PostLike.user == viewer.id))
                        .returning(PostLike.id)
                    )
                    delta = -1
                if changed:
                    await PostRow.update({PostRow.like_count: PostRow.like_count + delta}).where(PostRow.id == pid)
                count = await PostRow.select(PostRow.like_count).where(PostRow.id == pid).first()
        except AppError:
            raise
        except Exception:
            if not await PostRow.exists().where(PostRow.id == pid):  # deleted meanwhile
                raise NotFound() from None
            raise
        if count is None:
            raise NotFound()
        if changed:
            await self._publish_post(pid)
        return LikeState(like_count=int(count["like_count"]), liked_by_me=on)

    # ------------------------------------------------------------------ comments
    async def _present_comments(self, rows: list[dict[str, Any]]) -> list[Comment]:
        authors = await self.accounts.authors({int(r["author"]) for r in rows})
        out = []
        for r in rows:
            author = authors.get(int(r["author"]))
            if author is None:
                continue
            out.append(
                Comment(
                    id=str(r["id"]),
                    post_id=str(r["post"]),
                    author=author,
                    content=r["content"],
                    created_at=_dt(r["created_at"]),
                )
            )
        return out

    async def list_comments(
        self, post_id: str, viewer: Viewer | None, limit: int, cursor: str | None, lang: str
    ) -> CommentList:
        """A post's visible comments, oldest first."""
        row = await self._visible(post_id, viewer)
        where = ["post = {}", "hidden = {}"]
        args: list[Any] = [_uuid(row["id"]), False]
        after = decode_cursor(cursor, 2, lang)
        if after is not None:
            try:
                at, cid = datetime.fromisoformat(after[0]), uuid.UUID(after[1])
            except (TypeError, ValueError):
                raise _bad_cursor(lang) from None
            where.append("(created_at > {} OR (created_at = {} AND id > {}))")
            args += [at, at, cid]
        rows = await CommentRow.raw(
            f"SELECT id, post, author, content, created_at FROM board_comment WHERE {' AND '.join(where)} "
            f"ORDER BY created_at, id LIMIT {limit + 1}",
            *args,
        )
        next_cursor = None
        if len(rows) > limit:
            rows = rows[:limit]
            next_cursor = encode_cursor(_dt(rows[-1]["created_at"]).isoformat(), str(rows[-1]["id"]))
        return CommentList(items=await self._present_comments(rows), next_cursor=next_cursor)

    async def comment(self, viewer: Viewer, post_id: str, data: CommentCreate, lang: str) -> Comment:
        content = data.content.strip()
        if not 1 <= len(content) <= 500:
            raise InvalidInput(
                errors=[FieldError(field="content", message=translate(lang, "field_length", min=1, max=500))]
            )
        row = await self._visible(post_id, viewer)
        pid = _uuid(row["id"])
        assert pid is not None
        await self._limit("comments", viewer)
        cid, at = uuid.uuid4(), now()
        try:
            async with self._atomic():
                await CommentRow.insert(CommentRow(id=cid, post=pid, author=viewer.id, content=content, created_at=at))
                await PostRow.update({PostRow.comment_count: PostRow.comment_count + 1}).where(PostRow.id == pid)
        except Exception:
            if not await PostRow.exists().where(PostRow.id == pid):
                raise NotFound() from None
            raise
        comment = Comment(
            id=str(cid),
            post_id=str(pid),
            author=(await self.accounts.authors({viewer.id}))[viewer.id],
            content=content,
            created_at=at,
        )
        await self._publish("comment_created", comment)
        await self._publish_post(pid)
        return comment

    async def delete_comment(self, viewer: Viewer, comment_id: str) -> None:
        cid = _uuid(comment_id)
        if cid is None:
            raise NotFound()
        row = (
            await CommentRow.select(CommentRow.post, CommentRow.author, CommentRow.hidden)
            .where(CommentRow.id == cid)
            .first()
        )
        if row is None:
            raise NotFound()
        post = await self._fetch(row["post"])
        if post is None or not (viewer.is_admin or (not row["hidden"] and self._can_see(post, viewer))):
            raise NotFound()
        if not (viewer.is_admin or int(row["author"]) == viewer.id):
            raise Forbidden()
        await self.remove_comment(cid)

    async def remove_comment(self, comment_id: uuid.UUID) -> bool:
        async with self._atomic():
            gone = (
                await CommentRow.delete()
                .where(CommentRow.id == comment_id)
                .returning(CommentRow.post, CommentRow.hidden)
            )
            if gone and not gone[0]["hidden"]:
                await PostRow.update({PostRow.comment_count: PostRow.comment_count - 1}).where(
                    PostRow.id == gone[0]["post"]
                )
        if not gone:
            return False
        post_id = gone[0]["post"]
        await self._publish("comment_deleted", CommentDeleted(id=str(comment_id), post_id=str(post_id)))
        await self._publish_post(post_id)
        return True

    # ------------------------------------------------------------------ reports and moderation
    async def report(self, viewer: Viewer, post_id: str, data: ReportCreate) -> ReportReceipt:
        row = await self._visible(post_id, viewer)
        pid = _uuid(row["id"])
        cid = None
        if data.comment_id is not None:
            cid = _uuid(data.comment_id)
            found = (
                await CommentRow.exists().where(
                    (CommentRow.id == cid) & (CommentRow.post == pid) & CommentRow.hidden.eq(False)
                )
                if cid
                else False
            )
            if not found:
                raise NotFound()
        await self._limit("reports", viewer)
        target = (Report.comment == cid) if cid is not None else Report.comment.is_null()
        existing = (
            await Report.select(Report.id, Report.status)
            .where((Report.post == pid) & (Report.reporter == viewer.id) & target)
            .first()
        )
        if existing is not None:  # one report per person and thing, also once a moderator closed it
            return ReportReceipt(id=int(existing["id"]), status=str(existing["status"]))
        created = await Report.insert(
            Report(post=pid, comment=cid, reporter=viewer.id, reason=data.reason.strip(), created_at=now())
        ).returning(Report.id)
        return ReportReceipt(id=int(created[0]["id"]), status="open")

    async def has_reported(self, viewer: Viewer | None, post_id: str) -> bool:
        """Whether this viewer already reported the post itself (the post page then says so, no form)."""
        pid = _uuid(post_id)
        if viewer is None or pid is None:
            return False
        return bool(
            await Report.exists().where(
                (Report.post == pid) & (Report.reporter == viewer.id) & Report.comment.is_null()
            )
        )

    async def rekey(self, row: dict[str, Any]) -> None:
        """Move a post's stored copies to fresh keys: every URL signed before (share image, before, after,
        thumbnail, display copies) stops working at once; URLs signed from now on work."""
        values, old_keys = await copy_to_fresh_keys(self.storage, row)
        if not values:
            return
        columns = {getattr(PostRow, name): value for name, value in values.items()}
        await PostRow.update(columns).where(PostRow.id == row["id"])
        for key in old_keys:
            try:
                await self.storage.delete(key)
            except Exception:
                log.exception("could not delete %s", key)

    async def set_post_hidden(self, post_id: uuid.UUID | str, hidden: bool) -> bool:
        """Hide a post from everyone but its author and admins (or show it again). Hiding revokes every URL
        handed out for its images (they move to new keys); its author and admins get new ones."""
        pid = _uuid(post_id)
        if pid is None:
            return False
        changed = (
            await PostRow.update({PostRow.hidden: hidden})
            .where(PostRow.id == pid)
            .returning(PostRow.id, PostRow.before_key, PostRow.after_key, PostRow.thumb_key, PostRow.display)
        )
        if not changed:
            return False
        if hidden:
            await self.rekey(changed[0])
            await self._publish("post_deleted", PostDeleted(id=str(pid)))
        else:
            await self._publish_post(pid)
        return True

    async def set_comment_hidden(self, comment_id: uuid.UUID | str, hidden: bool) -> bool:
        cid = _uuid(comment_id)
        if cid is None:
            return False
        async with self._atomic():
            changed = (
                await CommentRow.update({CommentRow.hidden: hidden})
                .where(CommentRow.id == cid)
                .returning(CommentRow.post)
            )
            if changed:
                pid = changed[0]["post"]
                visible = await CommentRow.count().where((CommentRow.post == pid) & CommentRow.hidden.eq(False))
                await PostRow.update({PostRow.comment_count: visible}).where(PostRow.id == pid)
        if not changed:
            return False
        if hidden:
            await self._publish("comment_deleted", CommentDeleted(id=str(cid), post_id=str(pid)))
        await self._publish_post(pid)
        return True

    async def moderate_report(self, report_id: int, action: str, note: str = "") -> str:
        """``hide`` the reported post or comment and resolve the report, or ``dismiss`` it."""
        report = await Report.select(Report.post, Report.comment).where(Report.id == report_id).first()
        if report is None:
            raise NotFound()
        if action == "hide":
            if report["comment"] is not None:
                await self.set_comment_hidden(report["comment"], True)
            else:
                await self.set_post_hidden(report["post"], True)
        status = ReportStatus.resolved if action == "hide" else ReportStatus.dismissed
        await Report.update({Report.status: status, Report.note: note, Report.resolved_at: now()}).where(
            Report.id == report_id
        )
        return status.value
