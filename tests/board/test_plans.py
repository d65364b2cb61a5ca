"""The board's list queries seek their indexes (SQLite ``EXPLAIN QUERY PLAN``, PostgreSQL ``EXPLAIN`` with
scans and sorts priced out, on ``SAEKDAM_TEST_DATABASE=postgres``): a lost index or a keyset rewritten in a
form the planner cannot seek fails here, not as a slow deep page in production.

The SQL is the service's own (``BoardService._list_sql``) for the first and a deep page of each list the
app serves most: latest, a theme's latest, and popular (whose score is computed, so only its age filter
can seek; its order is a sort of the candidates).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from app.board.schemas import PostQuery
from app.board.service import BoardService
from app.board.tables import Post as PostRow
from app.core.pagination import encode_cursor
from app.core.settings import get_settings
from tests.support.server import Server

pytestmark = pytest.mark.db

AT = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
LATEST_CURSOR = encode_cursor("l", AT.isoformat(), str(uuid.UUID(int=7)))
POPULAR_CURSOR = encode_cursor("p", AT.isoformat(), 0.5, str(uuid.UUID(int=7)))


def _sql(query: PostQuery) -> tuple[str, list[Any]]:
    board = BoardService(get_settings(), None, None, None, None, None)  # type: ignore[arg-type]
    sql, args, _ = board._list_sql(query, "en")
    return sql, args


async def _plan(query: PostQuery) -> str:
    """The plan of the list query, one line per step."""
    sql, args = _sql(query)
    if PostRow._meta.db.engine_type == "postgres":
        import asyncpg
        from piccolo.querystring import QueryString

        compiled, values = QueryString(sql, *args).compile_string(engine_type="postgres")
        conn = await asyncpg.connect(get_settings().database_url)
        try:
            # a test table is tiny: price out what would win there (a scan, a bitmap, a sort) as on a big board
            await conn.execute("SET enable_seqscan = off; SET enable_bitmapscan = off; SET enable_sort = off")
            rows = await conn.fetch("EXPLAIN " + compiled, *values)
        finally:
            await conn.close()
        return "\n".join(r[0] for r in rows)
    rows = await PostRow.raw("EXPLAIN QUERY PLAN " + sql, *args)
    return "\n".join(r["detail"] for r in rows)


@pytest.mark.parametrize("cursor", [None, LATEST_CURSOR], ids=["first page", "deep page"])
@pytest.mark.parametrize("theme", [None, "ocean"], ids=["all", "theme"])
async def test_latest_lists_seek_their_keyset_index(server: Server, cursor: str | None, theme: str | None) -> None:
    plan = await _plan(PostQuery(sort="latest", theme=theme, cursor=cursor))
    index = "board_post_hidden_theme_created" if theme else "board_post_hidden_created"
    assert index in plan, plan
    if PostRow._meta.db.engine_type == "postgres":
        assert "Sort" not in plan and "Seq Scan" not in plan, plan  # rows come in index order
        if cursor:
            assert "ROW(created_at, id) < ROW(" in plan.replace('"', ""), plan  # the seek, not a filter
    else:
        assert "TEMP B-TREE" not in plan and "SCAN board_post" not in plan, plan
        if cursor:
            assert "(created_at,id)<(?,?)" in plan, plan  # the cursor is where the seek starts


@pytest.mark.parametrize("cursor", [None, POPULAR_CURSOR], ids=["first page", "deep page"])
async def test_popular_lists_seek_by_age(server: Server, cursor: str | None) -> None:
    plan = await _plan(PostQuery(sort="popular", cursor=cursor))
    assert "board_post_hidden_created" in plan, plan
    if PostRow._meta.db.engine_type == "postgres":
        assert "Seq Scan" not in plan, plan
    else:
        assert "SCAN board_post" not in plan and "created_at<?" in plan, plan
