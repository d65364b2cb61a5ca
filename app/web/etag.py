"""ETags and conditional GETs (RFC 9110 §8.8.3, §13.1.2) for JSON answers that clients poll.

The tag is a hash of the JSON body as this process serves it (signed URLs included: a client whose copy
holds URLs that were re-signed gets the new body), weak because compression may re-encode the bytes. A
GET whose ``If-None-Match`` lists the tag (or ``*``) gets 304 with the tag and no body.
"""

from __future__ import annotations

import hashlib
from typing import Any

from litestar import Request, Response
from litestar.datastructures import ResponseHeader
from litestar.openapi.datastructures import ResponseSpec

CACHE_CONTROL = "private, no-cache"  # keep it, but ask again every time (URLs and state change)
# documented in the OpenAPI schema of the handlers that answer conditionally
ETAG_HEADERS = [
    ResponseHeader(name="ETag", documentation_only=True, description="Send it back in If-None-Match"),
    ResponseHeader(name="Cache-Control", documentation_only=True, description="private, no-cache"),
]
NOT_MODIFIED = {304: ResponseSpec(None, description="Not modified: the `If-None-Match` ETag is current (no body)")}


def etag_of(body: bytes) -> str:
    return 'W/"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def matches(if_none_match: str | None, etag: str) -> bool:
    """Whether ``If-None-Match`` names ``etag`` (weak comparison: the ``W/`` prefix is ignored)."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    tag = etag.removeprefix("W/")
    return any(t.strip().removeprefix("W/") == tag for t in if_none_match.split(","))


def conditional_json(
    request: Request[Any, Any, Any], body: bytes, etag: str | None = None, cache_control: str = CACHE_CONTROL
) -> Response[bytes]:
    """``body`` as JSON with its ETag, or 304 with no body when the client holds it already."""
    etag = etag or etag_of(body)
    headers = {"ETag": etag, "Cache-Control": cache_control}
    if matches(request.headers.get("if-none-match"), etag):
        return Response(content=b"", status_code=304, headers=headers)
    return Response(content=body, media_type="application/json", headers=headers)
