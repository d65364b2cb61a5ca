"""Board list queries: both sorts' order, cursor pagination without duplicates or gaps, hidden posts."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from app.board.schemas import PostQuery, Sort
from app.core.errors import AppError
from app.tasks.service import now
from tests.unit.board.helpers import all_pages, listed, post_row, published
from tests.unit.services import Services


async def test_latest_is_newest_first(services: Services) -> None:
    author = await services.user()
    t = now()
    old = await post_row(author, t - timedelta(days=3))
    new = await post_row(author, t - timedelta(minutes=1))
    mid = await post_row(author, t - timedelta(hours=5))

    assert await listed(services, "latest") == [str(new), str(mid), str(old)]


async def test_popular_weighs_likes_comments_and_age(services: Services) -> None:
    """score = (likes + 2 × comments + 1) / (hours + 2)^1.5: fresh attention beats old fame."""
    author = await services.user()
    t = now()
    fresh_quiet = await post_row(author, t - timedelta(minutes=1))  # 1 / 2^1.5 ≈ 0.35
    old_famous = await post_row(author, t - timedelta(hours=10), likes=20)  # 21 / 12^1.5 ≈ 0.51
    fresh_liked = await post_row(author, t - timedelta(hours=1), likes=2)  # 3 / 3^1.5 ≈ 0.58
    talked_about = await post_row(author, t - timedelta(minutes=61), comments=2)  # 5 / 3.02^1.5 ≈ 0.95
    ancient = await post_row(author, t - timedelta(hours=50), likes=5)  # 6 / 52^1.5 ≈ 0.02

    assert await listed(services, "popular") == [
        str(talked_about),
        str(fresh_liked),
        str(old_famous),
        str(fresh_quiet),
        str(ancient),
    ]
    assert await listed(services, "latest") == [
        str(fresh_quiet),
        str(fresh_liked),
        str(talked_about),
        str(old_famous),
        str(ancient),
    ]


@pytest.mark.parametrize("sort", ["latest", "popular"])
async def test_pages_have_no_duplicates_or_gaps(services: Services, sort: Sort) -> None:
    author = await services.user()
    t = now() - timedelta(minutes=1)
    ids: list[uuid.UUID] = []
    for i in range(23):
        # pairs share a time and a score: the id breaks the tie, across page boundaries too
        ids.append(await post_row(author, t - timedelta(hours=i // 2), likes=(i // 2) % 3))

    pages = await all_pages(services, sort, 5)

    assert [len(p) for p in pages] == [5, 5, 5, 5, 3]
    flat = [i for p in pages for i in p]
    assert len(flat) == len(set(flat)) == 23
    assert set(flat) == {str(i) for i in ids}
    assert flat == await listed(services, sort)  # paging gives the one-page order


async def test_latest_pages_hold_when_posts_arrive_between_them(services: Services) -> None:
    author = await services.user()
    t = now() - timedelta(hours=1)
    ids = [str(await post_row(author, t - timedelta(minutes=i))) for i in range(6)]
    first = await services.board.list_page(PostQuery(sort="latest", limit=3), "en")
    await post_row(author, now())  # newer than everything: it belongs before page one

    second = await services.board.list_page(PostQuery(sort="latest", limit=3, cursor=first.next_cursor), "en")

    assert [p.id for p in first.items] + [p.id for p in second.items] == ids
    assert second.next_cursor is None


async def test_popular_pages_freeze_the_clock_of_the_first_page(services: Services) -> None:
    """Scores fall with age; the cursor carries the first page's time, so later pages rank alike and new
    posts (younger than that time) wait for the next first page."""
    author = await services.user()
    t = now() - timedelta(hours=2)
    ids = [await post_row(author, t - timedelta(hours=i), likes=10 - i) for i in range(6)]
    first = await services.board.list_page(PostQuery(sort="popular", limit=3), "en")
    newcomer = await post_row(author, now() + timedelta(seconds=5), likes=100)

    second = await services.board.list_page(PostQuery(sort="popular", limit=3, cursor=first.next_cursor), "en")

    shown = [p.id for p in first.items] + [p.id for p in second.items]
    assert shown == [str(i) for i in ids]
    assert str(newcomer) not in shown


async def test_hidden_posts_are_not_listed(services: Services) -> None:
    author, reader = await services.user(), await services.user()
    kept = await published(services, author, "Kept on the board")
    gone = await published(services, author, "Hidden by a moderator")
    assert await listed(services) == [gone.id, kept.id]

    assert await services.board.set_post_hidden(gone.id, True)

    for sort in ("latest", "popular"):
        assert await listed(services, sort) == [kept.id]
    with pytest.raises(AppError) as refused:
        await services.board.get_post(gone.id, reader)
    assert refused.value.status == 404
    assert (await services.board.get_post(gone.id, author)).hidden  # its author still sees it

    assert await services.board.set_post_hidden(gone.id, False)
    assert await listed(services) == [gone.id, kept.id]


async def test_a_bad_cursor_is_refused(services: Services) -> None:
    author = await services.user()
    for i in range(3):
        await post_row(author, now() - timedelta(minutes=i))
    latest = await services.board.list_page(PostQuery(sort="latest", limit=1), "en")
    with pytest.raises(AppError) as refused:  # a latest cursor on the popular list
        await services.board.list_page(PostQuery(sort="popular", limit=1, cursor=latest.next_cursor), "en")
    assert (refused.value.status, refused.value.code) == (400, "invalid_input")
    assert [e.field for e in refused.value.errors] == ["cursor"]
