"""Like and comment counts: idempotent likes and unlikes, comments and their moderation, what lists and posts
show after them, and the board events."""

from __future__ import annotations

import pytest

from app.board.events import CHANNEL
from app.board.schemas import CommentCreate, PostQuery
from app.core.errors import AppError
from tests.unit.board.helpers import listed, published
from tests.unit.services import Services


async def counts(services: Services) -> dict[str, int]:
    services.board.cache.bump()
    page = await services.board.list_page(PostQuery(limit=50), "en")
    return {p.id: p.like_count for p in page.items}


async def test_like_and_unlike_keep_the_count_right(services: Services) -> None:
    author, one, two = await services.user(), await services.user(), await services.user()
    post = await published(services, author)
    other = await published(services, author, "Another painted wall")
    board = services.board

    assert (await board.like(one, post.id, True)).like_count == 1
    again = await board.like(one, post.id, True)  # a repeated like changes nothing
    assert (again.like_count, again.liked_by_me) == (1, True)
    assert (await board.like(two, post.id, True)).like_count == 2
    assert await counts(services) == {post.id: 2, other.id: 0}

    gone = await board.like(one, post.id, False)
    assert (gone.like_count, gone.liked_by_me) == (1, False)
    assert (await board.like(one, post.id, False)).like_count == 1  # a repeated unlike neither
    assert (await board.like(one, other.id, False)).like_count == 0  # never below zero
    assert await counts(services) == {post.id: 1, other.id: 0}
    assert (await board.get_post(post.id, None)).post.like_count == 1


async def test_liked_by_me_is_per_reader(services: Services) -> None:
    author, fan, stranger = await services.user(), await services.user(), await services.user()
    post = await published(services, author)
    await services.board.like(fan, post.id, True)
    page = await services.board.list_page(PostQuery(limit=10), "en")

    assert [p.liked_by_me for p in await services.board.with_likes(page, fan)] == [True]
    assert [p.liked_by_me for p in await services.board.with_likes(page, stranger)] == [False]
    assert [p.liked_by_me for p in await services.board.with_likes(page, None)] == [False]
    assert (await services.board.get_post(post.id, fan)).post.liked_by_me


async def test_a_like_publishes_the_new_count_once(services: Services) -> None:
    author, fan = await services.user(), await services.user()
    post = await published(services, author)
    start = await services.bus.last_id(CHANNEL)

    await services.board.like(fan, post.id, True)
    await services.board.like(fan, post.id, True)  # no change: no event

    events = await services.bus.history(CHANNEL, start)
    assert events is not None
    assert [(e.event, e.data["id"], e.data["like_count"]) for e in events] == [("post_updated", post.id, 1)]


async def test_popular_follows_likes(services: Services) -> None:
    author, fan = await services.user(), await services.user()
    older = await published(services, author, "The first wall")
    newer = await published(services, author, "The second wall")
    assert await listed(services, "popular") == [newer.id, older.id]

    await services.board.like(fan, older.id, True)

    assert await listed(services, "popular") == [older.id, newer.id]
    assert await listed(services, "latest") == [newer.id, older.id]


async def test_hidden_post_cannot_be_liked_by_others(services: Services) -> None:
    author, fan = await services.user(), await services.user()
    post = await published(services, author)
    await services.board.like(fan, post.id, True)
    assert await services.board.set_post_hidden(post.id, True)

    with pytest.raises(AppError) as refused:
        await services.board.like(fan, post.id, False)

    assert refused.value.status == 404
    assert (await services.board.get_post(post.id, author)).post.like_count == 1


async def test_comment_counts_follow_comments_and_moderation(services: Services) -> None:
    """A comment counts twice as much as a like in the popular score; a hidden one stops counting."""
    author, talker, fan = await services.user(), await services.user(), await services.user()
    older = await published(services, author, "The talked-about wall")
    newer = await published(services, author, "The liked wall")
    board = services.board
    await board.like(fan, newer.id, True)
    first = await board.comment(talker, older.id, CommentCreate(content="Lovely colours"), "en")
    assert await listed(services, "popular") == [older.id, newer.id]  # (0 + 2 + 1) beats (1 + 0 + 1)

    await board.comment(fan, older.id, CommentCreate(content="Where is this?"), "en")
    assert (await board.get_post(older.id, None)).post.comment_count == 2
    assert await board.set_comment_hidden(first.id, True)
    shown = await board.list_comments(older.id, None, 10, None, "en")

    assert [c.content for c in shown.items] == ["Where is this?"]
    assert (await board.get_post(older.id, None)).post.comment_count == 1
