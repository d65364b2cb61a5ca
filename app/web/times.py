"""Times on pages, one way everywhere: ``<time datetime="UTC ISO">`` with the text in the default zone.

The server writes the time in Asia/Seoul (the service's home; right for Korean viewers and readable without
JavaScript); app.js then rewrites the text in the viewer's own zone and language with Intl.DateTimeFormat
(``data-local``), or as a relative time for recent board items (``data-relative``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any

from markupsafe import Markup, escape

try:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    DEFAULT_ZONE: tzinfo = ZoneInfo("Asia/Seoul")
except (ImportError, ZoneInfoNotFoundError):  # no tz database on the machine: Korea has no DST
    DEFAULT_ZONE = timezone(timedelta(hours=9), "KST")


def as_datetime(value: Any) -> datetime:
    """A datetime from a datetime or an RFC 3339 string; naive values are UTC (how the database keeps them)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def iso_utc(value: Any) -> str:
    return as_datetime(value).astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def local_text(value: Any) -> str:
    """The time as the server shows it: ``2026.12.02 04:01`` in the default zone."""
    return as_datetime(value).astimezone(DEFAULT_ZONE).strftime("%Y.%m.%d %H:%M")


def local_time(value: Any, relative: bool = False) -> Markup:
    """The ``<time>`` element every page uses for a moment in time."""
    if value is None:
        return Markup("")
    kind = "data-relative" if relative else "data-local"
    return Markup(f'<time datetime="{escape(iso_utc(value))}" {kind}>{escape(local_text(value))}</time>')
