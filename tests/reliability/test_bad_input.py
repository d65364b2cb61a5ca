"""A catalogue of bad input over every endpoint family, each refused with a clear 4xx and no trace left behind.

Every ``Case`` sends one bad request to a real server and checks:
- the status (and the error ``code`` and invalid ``fields`` where the contract names them);
- the body: api.md's error shape ``{status, code, detail, errors?}`` with a human ``detail`` in Korean (the
  default) or in English (``Accept-Language: en``) under /api, a friendly HTML page elsewhere;
- the server's whole persistent state is unchanged: each table's row count and contents, and every file under
  its storage directory (objects, metadata and upload temporaries).

Cases whose input is valid text that merely looks dangerous (``<script>`` in a title) are accepted by design;
``XSS_CASES`` check that pages render such text escaped. They change the database, so they are counted apart.
"""

from __future__ import annotations

import asyncio
import html
import io
import json
import re
import struct
import time
import uuid
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import pytest
import pytest_asyncio
from PIL import Image

from app.core.i18n import translate
from app.storage import signing
from tests.reliability.conftest import MAX_UPLOAD_BYTES, Deployed, state
from tests.support.flow import create_and_upload, wall_png
from tests.support.users import ApiUser, new_user

pytestmark = pytest.mark.db

HANGUL = re.compile(r"[\uac00-\ud7a3]")
EMOJI_10K = "\U0001f3a8" * 10_000
BOX = {"mode": "box", "box": [10, 10, 100, 80]}
SUBMIT = {"theme": "ocean", "prompt": "고래와 파도", "region": BOX, "steps": 2}


# ------------------------------------------------------------------------------------------------ payloads
def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_declaring(width: int, height: int) -> bytes:
    """A PNG header that declares ``width``×``height`` pixels followed by one tiny IDAT (a "pixel flood")."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", zlib.compress(b"\0" * 64)) + _chunk(b"IEND", b"")
    )


def compressed_bomb_png() -> bytes:
    """A real, fully decodable 7000×6000 (42 MP) 1-bit PNG of a few KB: a decompression bomb over the limit."""
    buf = io.BytesIO()
    Image.new("1", (7000, 6000)).save(buf, format="PNG", optimize=True)
    return buf.getvalue()


SVG_BOMB = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
    + b']>\n<svg xmlns="http://www.w3.org/2000/svg"><text>&lol9;</text></svg>\n'
)
FAKE_JPEG = b"\xff\xd8\xff\xe0" + b"not really a jpeg " * 40  # passes the magic-byte check, does not decode


# ------------------------------------------------------------------------------------------------ the world
@dataclass
class World:
    """What the cases act on: users, a task with its photo, a published post, a browser session."""

    d: Deployed
    http: httpx.AsyncClient
    alice: ApiUser
    bob: ApiUser
    browser: httpx.AsyncClient  # alice's session cookie + CSRF cookie
    ids: dict[str, str] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)

    def who(self, name: str | None) -> dict[str, str]:
        if name is None:
            return {}
        if name == "forged":
            return {"authorization": "Bearer " + "A" * 43}
        return dict(getattr(self, name).headers)


async def _csrf(browser: httpx.AsyncClient) -> str:
    if "saekdam_csrf" not in browser.cookies:
        await browser.get("/login")
    return str(browser.cookies["saekdam_csrf"])


async def browser_login(base_url: str, user: ApiUser) -> httpx.AsyncClient:
    browser = httpx.AsyncClient(base_url=base_url, timeout=60)
    token = await _csrf(browser)
    r = await browser.post(
        "/login", data={"email": user.email, "password": user.password, "next": "/", "_csrf_token": token}
    )
    assert r.status_code in (302, 303), r.text
    assert "saekdam_session" in browser.cookies
    return browser


async def upload_task(w: World, content: bytes, content_type: str = "image/png", user: str = "alice") -> str:
    task = await create_and_upload(w.http, w.who(user), content, content_type)
    return str(task["id"])


async def new_task(w: World, size: int = 1000, content_type: str = "image/png") -> dict[str, Any]:
    r = await w.http.post("/api/tasks", json={"content_type": content_type, "size_bytes": size}, headers=w.who("alice"))
    assert r.status_code == 201, r.text
    return dict(r.json())


async def wait_terminal(w: World, task_id: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        task = (await w.http.get(f"/api/tasks/{task_id}", headers=w.who("alice"))).json()
        if task["status"] in ("succeeded", "failed", "canceled"):
            return dict(task)
        await asyncio.sleep(0.2)
    raise AssertionError(f"task {task_id} did not end")


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def world(deployed: Deployed, http: httpx.AsyncClient, alice: ApiUser) -> Any:
    bob = await new_user(http, "bob")
    browser = await browser_login(deployed.server.url, alice)
    w = World(deployed, http, alice, bob, browser)
    photo = wall_png()
    # a task with its photo uploaded, left in `created` (every bad submit must leave it so)
    created = await new_task(w, len(photo))
    w.ids["task"] = created["task"]["id"]
    w.urls["upload"] = created["upload"]["url"]
    put = await http.put(created["upload"]["url"], content=photo, headers=created["upload"]["headers"])
    assert put.status_code == 201, put.text
    w.urls["input"] = (await http.get(f"/api/tasks/{w.ids['task']}", headers=alice.headers)).json()["input_url"]
    # a painted task, published, with one comment
    painted = await upload_task(w, photo)
    r = await http.post(f"/api/tasks/{painted}/submit", json=SUBMIT, headers=alice.headers)
    assert r.status_code == 202, r.text
    assert (await wait_terminal(w, painted))["status"] == "succeeded"
    w.ids["painted"] = painted
    r = await http.post(
        "/api/posts",
        json={"task_id": painted, "result_index": 0, "title": "Ocean mural", "content": "Whales"},
        headers=alice.headers,
    )
    assert r.status_code == 201, r.text
    w.ids["post"] = r.json()["id"]
    r = await http.post(f"/api/posts/{w.ids['post']}/comments", json={"content": "nice"}, headers=alice.headers)
    assert r.status_code == 201, r.text
    w.ids["comment"] = r.json()["id"]
    yield w
    await browser.aclose()


# ------------------------------------------------------------------------------------------------ requests
Send = Callable[[World], Awaitable[httpx.Response]]
Setup = Callable[[World], Awaitable[None]]


def api(method: str, path: str, who: str | None = "alice", headers: dict[str, str] | None = None, **kw: Any) -> Send:
    """A request to ``path`` (``{task}``-style fields come from ``World.ids``) as user ``who``."""

    async def send(w: World) -> httpx.Response:
        filled = {k: _fill(v, w.ids) if k in ("json", "params") else v for k, v in kw.items()}
        return await w.http.request(method, path.format(**w.ids), headers={**w.who(who), **(headers or {})}, **filled)

    return send


def raw_json(
    method: str, path: str, body: bytes, who: str | None = "alice", content_type: str = "application/json"
) -> Send:
    return api(method, path, who, headers={"content-type": content_type}, content=body)


def page(method: str, path: str, csrf: bool = True, htmx: bool = False, **kw: Any) -> Send:
    """A browser request with alice's session cookie; ``csrf`` sends the form's token."""

    async def send(w: World) -> httpx.Response:
        data = dict(kw.pop("data", {}) or {})
        headers = {"hx-request": "true"} if htmx else {}
        if csrf and method != "GET":
            data["_csrf_token"] = await _csrf(w.browser)
        return await w.browser.request(method, path.format(**w.ids), data=data or None, headers=headers, **kw)

    return send


def anonymous_page_post(path: str, data: dict[str, str]) -> Send:
    """A form post from a fresh browser that has the CSRF cookie but sends no token."""

    async def send(w: World) -> httpx.Response:
        async with httpx.AsyncClient(base_url=w.d.server.url, timeout=30) as fresh:
            await fresh.get("/login")
            assert "saekdam_csrf" in fresh.cookies
            return await fresh.post(path, data=data)

    return send


def cookie_api(method: str, path: str, csrf_header: str | None, **kw: Any) -> Send:
    """An /api call authenticated by the session cookie, with a given (or no) X-CSRFToken."""

    async def send(w: World) -> httpx.Response:
        headers = {} if csrf_header is None else {"x-csrftoken": csrf_header}
        return await w.browser.request(method, path.format(**w.ids), headers=headers, **kw)

    return send


def cookie_stream(path: str, origin: str) -> Send:
    """Alice's session cookie sent to an event stream by a page on ``origin`` (EventSource asks for SSE)."""

    async def send(w: World) -> httpx.Response:
        return await w.browser.get(path.format(**w.ids), headers={"origin": origin, "accept": "text/event-stream"})

    return send


async def raw_http(
    w: World, method: str, target: str, headers: dict[str, str] | None = None, body: bytes = b""
) -> httpx.Response:
    """Send a request line exactly as given (no client-side normalisation of ``..`` or ``%2e``)."""
    host, port = urlsplit(w.d.server.url).hostname, urlsplit(w.d.server.url).port
    reader, writer = await asyncio.open_connection(host, port)
    head = {"host": f"{host}:{port}", "connection": "close", "content-length": str(len(body)), **(headers or {})}
    writer.write(
        f"{method} {target} HTTP/1.1\r\n".encode()
        + "".join(f"{k}: {v}\r\n" for k, v in head.items()).encode()
        + b"\r\n"
        + body
    )
    await writer.drain()
    data = await asyncio.wait_for(reader.read(), 30)
    writer.close()
    head_raw, _, content = data.partition(b"\r\n\r\n")
    lines = head_raw.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    hdrs = [tuple(h.split(": ", 1)) for h in lines[1:] if ": " in h]
    if any(k.lower() == "transfer-encoding" and "chunked" in v for k, v in hdrs):
        out, rest = b"", content
        while rest:
            size_line, _, rest = rest.partition(b"\r\n")
            size = int(size_line.split(b";")[0] or b"0", 16)
            if size == 0:
                break
            out, rest = out + rest[:size], rest[size + 2 :]
        content = out
    return httpx.Response(status, headers=[h for h in hdrs if h[0].lower() != "transfer-encoding"], content=content)


def raw_target(method: str, target: str, **kw: Any) -> Send:
    async def send(w: World) -> httpx.Response:
        return await raw_http(w, method, target.format(**w.ids), **kw)

    return send


def resigned(url: str, **change: str) -> str:
    """``url`` with some query parameters replaced (the signature is NOT recomputed)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update(change)
    return urlunsplit(parts._replace(query=urlencode(query)))


def signed_url(kind: str, key: str, expired: bool = False, **extra: Any) -> Send:
    """A URL signed with the server's real secret (a valid signature) for ``key``."""

    async def send(w: World) -> httpx.Response:
        exp = int(time.time()) + (-60 if expired else 600)
        if kind == "GET":
            params = signing.sign_download(w.d.secret_key, key, exp)
            return await raw_http(w, "GET", f"/files/{key}?{urlencode(params)}")
        body = extra.get("body", wall_png())
        params = signing.sign_upload(w.d.secret_key, key, "image/png", len(body), exp)
        return await raw_http(
            w, "PUT", f"/files/{key}?{urlencode(params)}", headers={"content-type": "image/png"}, body=body
        )

    return send


def put_url(
    url_name: str, content: bytes | Callable[[], bytes], content_type: str = "image/png", **change: str
) -> Send:
    async def send(w: World) -> httpx.Response:
        body = content() if callable(content) else content
        url = resigned(w.urls[url_name], **change) if change else w.urls[url_name]
        return await w.http.put(url, content=body, headers={"content-type": content_type})

    return send


def stalled_put(url_name: str, declared: int) -> Send:
    """A PUT to a signed upload URL that declares ``declared`` bytes, sends a few and then stalls."""

    async def send(w: World) -> httpx.Response:
        target = w.urls[url_name].split(w.d.server.url, 1)[1]
        return await raw_http(
            w,
            "PUT",
            target,
            headers={"content-type": "image/png", "content-length": str(declared)},
            body=wall_png()[:64],
        )

    return send


def get_url(url_name: str, **change: str) -> Send:
    async def send(w: World) -> httpx.Response:
        return await w.http.get(resigned(w.urls[url_name], **change))

    return send


# ------------------------------------------------------------------------------------------------ setups
def with_upload_url(name: str, content_type: str, size: int) -> Setup:
    async def setup(w: World) -> None:
        created = await new_task(w, size, content_type)
        w.urls[name] = created["upload"]["url"]

    return setup


def with_uploaded(name: str, content: bytes | Callable[[], bytes], content_type: str = "image/png") -> Setup:
    async def setup(w: World) -> None:
        body = content() if callable(content) else content
        w.ids[name] = await upload_task(w, body, content_type)

    return setup


def with_mask(name: str, mask: Callable[[], bytes]) -> Setup:
    """A task with its photo and a mask (of the wrong kind) uploaded."""

    async def setup(w: World) -> None:
        tid = await upload_task(w, wall_png())
        body = mask()
        r = await w.http.post(
            f"/api/tasks/{tid}/mask",
            json={"content_type": "image/png", "size_bytes": len(body)},
            headers=w.who("alice"),
        )
        assert r.status_code == 201, r.text
        up = r.json()["upload"]
        assert (await w.http.put(up["url"], content=body, headers=up["headers"])).status_code == 201
        w.ids[name] = tid

    return setup


def with_deleted_task_url(name: str) -> Setup:
    """The upload URL of a task deleted before its photo came (the URL's signature is still valid)."""

    async def setup(w: World) -> None:
        created = await new_task(w, len(wall_png()))
        w.urls[name] = created["upload"]["url"]
        r = await w.http.delete(f"/api/tasks/{created['task']['id']}", headers=w.who("alice"))
        assert r.status_code == 204, r.text

    return setup


def with_replaced_mask_url(name: str) -> Setup:
    """A mask upload URL that a later mask request of the same task replaced."""

    async def setup(w: World) -> None:
        tid = (await new_task(w))["task"]["id"]
        body = {"content_type": "image/png", "size_bytes": len(wall_png())}
        first = await w.http.post(f"/api/tasks/{tid}/mask", json=body, headers=w.who("alice"))
        second = await w.http.post(f"/api/tasks/{tid}/mask", json=body, headers=w.who("alice"))
        assert first.status_code == second.status_code == 201, (first.text, second.text)
        w.urls[name] = first.json()["upload"]["url"]

    return setup


def with_held_task(name: str) -> Setup:
    """A succeeded task whose result the content filter held (the tiny checker flags a mostly red photo)."""

    async def setup(w: World) -> None:
        from app.actors.painter.tiny import make_red_photo
        from tests.support.flow import png_bytes

        tid = await upload_task(w, png_bytes(make_red_photo(320, 240)))  # the painted box: a small part
        r = await w.http.post(f"/api/tasks/{tid}/submit", json=SUBMIT, headers=w.who("alice"))
        assert r.status_code == 202, r.text
        done = await wait_terminal(w, tid)
        assert done["status"] == "succeeded" and done["held_results"] == [True], done
        w.ids[name] = tid

    return setup


def with_created_task(name: str) -> Setup:
    async def setup(w: World) -> None:
        w.ids[name] = (await new_task(w))["task"]["id"]

    return setup


def with_expired_token(w_name: str = "expired") -> Setup:
    """A user whose bearer token has passed its expiry (set in the database)."""

    async def setup(w: World) -> None:
        user = await new_user(w.http, "carol")
        await execute(
            w.d,
            'UPDATE accounts_token SET expires_at = created_at WHERE "user" = '
            f"(SELECT id FROM accounts_user WHERE email = '{user.email}')",
        )
        setattr(w, w_name, user)

    return setup


def with_revoked_token() -> Setup:
    async def setup(w: World) -> None:
        user = await new_user(w.http, "dave")
        assert (await w.http.post("/api/auth/logout", headers=user.headers)).status_code == 204
        w.revoked = user  # type: ignore[attr-defined]

    return setup


def with_reset_token(name: str, used: bool = False, expired: bool = False) -> Setup:
    """A reset link mailed (to the outbox: this server has no SMTP) to a user of its own; used once or expired."""

    async def setup(w: World) -> None:
        user = await new_user(w.http, "erin")
        assert (await w.http.post("/api/auth/password-reset", json={"email": user.email})).status_code == 202
        token = await _outbox_token(w.d, user.email)
        if used:
            r = await w.http.post(
                "/api/auth/password-reset/confirm", json={"token": token, "new_password": "used up now"}
            )
            assert r.status_code == 204, r.text
        if expired:
            past = "now() - interval '1 minute'" if w.d.database_url else "datetime('now', '-1 minute')"
            await execute(
                w.d,
                f'UPDATE accounts_password_reset SET expires_at = {past} WHERE "user" = '
                f"(SELECT id FROM accounts_user WHERE email = '{user.email}')",
            )
        w.ids[name] = token

    return setup


async def _outbox_token(d: Deployed, email: str, timeout: float = 15) -> str:
    from email import message_from_bytes, policy

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted((d.var_dir / "outbox").glob("*.eml")):
            message = message_from_bytes(path.read_bytes(), policy=policy.default)
            if message["To"] == email:
                body = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
                found = re.search(r"/reset\?token=([\w-]+)", body)
                assert found, body
                return found.group(1)
        await asyncio.sleep(0.05)
    raise AssertionError(f"no reset mail to {email} in the outbox")


def id_token(kind: str, headers: dict[str, str] | None = None) -> Send:
    """``POST /api/auth/oidc/kakao/token`` with an id_token that must be refused (the provider's key signs
    the wrong audience, expired and other-issuer ones: only the claims are wrong)."""

    async def send(w: World) -> httpx.Response:
        oidc = w.d.oidc
        assert oidc is not None
        from tests.reliability.conftest import KAKAO_CLIENT

        now = int(time.time())
        claims = oidc.claims(KAKAO_CLIENT["client_id"], "reliability-sub")
        token = {
            "forged": lambda: oidc.forge(claims),
            "audience": lambda: oidc.sign({**claims, "aud": "somebody-else"}),
            "expired": lambda: oidc.sign({**claims, "iat": now - 7200, "exp": now - 3600}),
            "issuer": lambda: oidc.sign({**claims, "iss": "https://kauth.kakao.com"}),
            "none": lambda: "eyJhbGciOiJub25lIn0." + oidc.sign(claims).split(".")[1] + ".",
        }[kind]()
        return await w.http.post("/api/auth/oidc/kakao/token", json={"id_token": token}, headers=headers or {})

    return send


def anonymous_form(path: str, data: dict[str, str]) -> Send:
    """A form post from a fresh browser with its CSRF token (valid), e.g. the forgotten-password pages."""

    async def send(w: World) -> httpx.Response:
        async with httpx.AsyncClient(base_url=w.d.server.url, timeout=30) as fresh:
            await fresh.get("/login")
            return await fresh.post(path, data={**data, "_csrf_token": fresh.cookies["saekdam_csrf"]})

    return send


async def execute(d: Deployed, sql: str) -> None:
    if d.database_url:
        import asyncpg

        conn = await asyncpg.connect(d.database_url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()
    else:
        import sqlite3

        conn = sqlite3.connect(d.var_dir / "saekdam.sqlite", timeout=30)
        try:
            conn.execute(sql)
            conn.commit()
        finally:
            conn.close()


# ------------------------------------------------------------------------------------------------ the catalogue
@dataclass(frozen=True)
class Case:
    id: str
    send: Send
    status: int | tuple[int, ...]
    code: str | None = None  # the error code the contract names (None: any snake_case code)
    fields: frozenset[str] = frozenset()  # fields that must be listed in `errors`
    lang: str = "ko"
    kind: str = "json"  # json (api.md error) | html (error page) | files (signed-URL endpoint)
    setup: Setup | None = None


def C(
    id: str, send: Send, status: int | tuple[int, ...], code: str | None = None, fields: tuple[str, ...] = (), **kw: Any
) -> Case:
    return Case(id, send, status, code, frozenset(fields), **kw)


EN = {"accept-language": "en-US,en;q=0.9"}


def signup(name: str, **change: str) -> dict[str, str]:
    """A sign-up body that would be valid apart from ``change``, with an address of its own."""
    return {"email": f"{name}@example.com", "password": "correct horse battery", "nickname": "newbie", **change}


CASES: list[Case] = [
    # --- accounts / auth
    C(
        "signup-wrong-types",
        api("POST", "/api/auth/signup", None, json={"email": 1, "password": [], "nickname": None}),
        400,
        "invalid_input",
        ("email", "password", "nickname"),
    ),
    C(
        "signup-missing-fields",
        api("POST", "/api/auth/signup", None, json={}),
        400,
        "invalid_input",
        ("email", "password", "nickname"),
    ),
    C(
        "signup-missing-fields-en",
        api("POST", "/api/auth/signup", None, json={}, headers=EN),
        400,
        "invalid_input",
        ("email", "password", "nickname"),
        lang="en",
    ),
    C("signup-broken-json", raw_json("POST", "/api/auth/signup", b'{"email": "x@', None), 400),
    C("signup-json-array", api("POST", "/api/auth/signup", None, json=[signup("array")]), 400),
    # 1,200 levels of nesting made the decoder raise RecursionError: a 500 with a traceback
    C(
        "signup-json-1200-deep",
        raw_json("POST", "/api/auth/signup", b'{"email": ' + b"[" * 1200 + b"]" * 1200 + b"}", None),
        400,
        "invalid_json",
    ),
    C(
        "task-create-json-1200-deep-objects",
        raw_json("POST", "/api/tasks", b'{"a":' * 1200 + b"1" + b"}" * 1200),
        400,
        "invalid_json",
    ),
    C(
        "signup-json-deep-brackets-in-strings",
        raw_json(
            "POST",
            "/api/auth/signup",
            json.dumps(signup("brackets", nickname="[" * 21, password="{" * 100)).encode(),
            None,
        ),
        400,
        "invalid_input",
        ("nickname",),
    ),
    C("signup-huge-body", api("POST", "/api/auth/signup", None, json=signup("huge", password="p" * 11_000_000)), 413),
    C("signup-form-encoded", api("POST", "/api/auth/signup", None, data=signup("form")), 415, "unsupported_media_type"),
    C(
        "signup-json-as-text-plain",
        raw_json("POST", "/api/auth/signup", json.dumps(signup("plain")).encode(), None, content_type="text/plain"),
        415,
        "unsupported_media_type",
    ),
    C("signup-nul-in-nickname", api("POST", "/api/auth/signup", None, json=signup("nul", nickname="ab\u0000c")), 400),
    C("signup-nul-in-email", api("POST", "/api/auth/signup", None, json=signup("x\u0000")), 400),
    C(
        "signup-lone-surrogate",
        raw_json(
            "POST",
            "/api/auth/signup",
            b'{"email": "s@example.com", "password": "correct horse", "nickname": "a\\ud800b"}',
            None,
        ),
        400,
    ),
    C(
        "signup-invalid-utf8",
        raw_json(
            "POST",
            "/api/auth/signup",
            b'{"email": "s\xff@example.com", "password": "correct horse", "nickname": "ab"}',
            None,
        ),
        400,
    ),
    C(
        "signup-10k-emoji-nickname",
        api("POST", "/api/auth/signup", None, json=signup("emoji", nickname=EMOJI_10K)),
        400,
        "invalid_input",
        ("nickname",),
    ),
    C(
        "signup-taken-email-other-case",
        api("POST", "/api/auth/signup", None, json=signup("ALICE")),
        409,
        "email_taken",
        setup=lambda w: _signup_alice_address(w),
    ),
    C(
        "token-wrong-password",
        api("POST", "/api/auth/token", None, json={"email": "nobody@example.com", "password": "wrong wrong"}),
        401,
        "invalid_credentials",
    ),
    C(
        "token-nul-in-email",
        api("POST", "/api/auth/token", None, json={"email": "a\u0000@example.com", "password": "whatever1"}),
        400,
    ),
    C(
        "token-wrong-types",
        api("POST", "/api/auth/token", None, json={"email": ["a"], "password": 5}),
        400,
        "invalid_input",
        ("email", "password"),
    ),
    C("bearer-forged", api("GET", "/api/me", "forged"), 401, "invalid_token"),
    C("bearer-forged-en", api("GET", "/api/me", "forged", headers=EN), 401, "invalid_token", lang="en"),
    C(
        "bearer-forged-on-write",
        api("POST", "/api/tasks", "forged", json={"content_type": "image/png", "size_bytes": 10}),
        401,
        "invalid_token",
    ),
    C("bearer-expired", api("GET", "/api/me", "expired"), 401, "invalid_token", setup=with_expired_token()),
    C(
        "bearer-expired-on-write",
        api("POST", "/api/tasks", "expired", json={"content_type": "image/png", "size_bytes": 10}),
        401,
        "invalid_token",
        setup=with_expired_token(),
    ),
    C(
        "bearer-revoked",
        api("POST", "/api/tasks", "revoked", json={"content_type": "image/png", "size_bytes": 10}),
        401,
        "invalid_token",
        setup=with_revoked_token(),
    ),
    C(
        "bearer-empty-scheme",
        raw_target("GET", "/api/me", headers={"authorization": "Bearer"}),
        401,
        "not_authenticated",
    ),
    C(
        "bearer-basic-scheme",
        api("GET", "/api/me", None, headers={"authorization": "Basic YWxpY2U6cHc="}),
        401,
        "not_authenticated",
    ),
    C("logout-anonymous", api("POST", "/api/auth/logout", None), 401, "not_authenticated"),
    C("logout-all-anonymous", api("POST", "/api/auth/logout-all", None), 401, "not_authenticated"),
    C("logout-all-forged", api("POST", "/api/auth/logout-all", "forged"), 401, "invalid_token"),
    C("logout-all-cookie-no-csrf", cookie_api("POST", "/api/auth/logout-all", None), 403, "csrf_failed"),
    # --- accounts v1.1: profile, password, reset, export, deletion, provider sign-in
    C("me-nickname-too-short", api("PATCH", "/api/me", json={"nickname": "x"}), 400, "invalid_input", ("nickname",)),
    C(
        "me-nickname-blank-after-trim",
        api("PATCH", "/api/me", json={"nickname": "   a   "}),
        400,
        "invalid_input",
        ("nickname",),
    ),
    C("me-nickname-wrong-type", api("PATCH", "/api/me", json={"nickname": ["x"]}), 400, "invalid_input", ("nickname",)),
    C(
        "me-nickname-10k-emoji",
        api("PATCH", "/api/me", json={"nickname": EMOJI_10K}),
        400,
        "invalid_input",
        ("nickname",),
    ),
    C("me-nickname-nul", api("PATCH", "/api/me", json={"nickname": "ab\u0000c"}), 400),
    C("me-patch-anonymous", api("PATCH", "/api/me", None, json={"nickname": "mallory"}), 401, "not_authenticated"),
    C("me-patch-cookie-no-csrf", cookie_api("PATCH", "/api/me", None, json={"nickname": "csrfed"}), 403, "csrf_failed"),
    C(
        "password-wrong-current",
        api(
            "POST", "/api/me/password", json={"current_password": "not the password", "new_password": "a brand new one"}
        ),
        400,
        "wrong_password",
        ("current_password",),
    ),
    C(
        "password-wrong-current-en",
        api(
            "POST",
            "/api/me/password",
            headers=EN,
            json={"current_password": "still not it", "new_password": "a brand new one"},
        ),
        400,
        "wrong_password",
        ("current_password",),
        lang="en",
    ),
    C(
        "password-new-too-short",
        api("POST", "/api/me/password", json={"current_password": "x", "new_password": "short"}),
        400,
        "invalid_input",
        ("new_password",),
    ),
    C("password-missing-fields", api("POST", "/api/me/password", json={}), 400, "invalid_input", ("new_password",)),
    C(
        "password-anonymous",
        api("POST", "/api/me/password", None, json={"current_password": "a", "new_password": "b" * 9}),
        401,
        "not_authenticated",
    ),
    C(
        "password-revoked-token",
        api("POST", "/api/me/password", "revoked", json={"current_password": "a", "new_password": "b" * 9}),
        401,
        "invalid_token",
        setup=with_revoked_token(),
    ),
    C(
        "reset-bad-email",
        api("POST", "/api/auth/password-reset", None, json={"email": "not-an-email"}),
        400,
        "invalid_input",
        ("email",),
    ),
    C("reset-missing-email", api("POST", "/api/auth/password-reset", None, json={}), 400, "invalid_input", ("email",)),
    C("reset-email-nul", api("POST", "/api/auth/password-reset", None, json={"email": "a\u0000@example.com"}), 400),
    C(
        "reset-confirm-unknown-token",
        api(
            "POST",
            "/api/auth/password-reset/confirm",
            None,
            json={"token": "A" * 43, "new_password": "a brand new one"},
        ),
        400,
        "invalid_token",
        ("token",),
    ),
    C(
        "reset-confirm-unknown-token-en",
        api(
            "POST",
            "/api/auth/password-reset/confirm",
            None,
            headers=EN,
            json={"token": "A" * 43, "new_password": "a brand new one"},
        ),
        400,
        "invalid_token",
        ("token",),
        lang="en",
    ),
    C(
        "reset-confirm-reused-token",
        api(
            "POST",
            "/api/auth/password-reset/confirm",
            None,
            json={"token": "{reset_used}", "new_password": "once more please"},
        ),
        400,
        "invalid_token",
        ("token",),
        setup=with_reset_token("reset_used", used=True),
    ),
    C(
        "reset-confirm-expired-token",
        api(
            "POST",
            "/api/auth/password-reset/confirm",
            None,
            json={"token": "{reset_expired}", "new_password": "too late for this"},
        ),
        400,
        "invalid_token",
        ("token",),
        setup=with_reset_token("reset_expired", expired=True),
    ),
    C(
        "reset-confirm-short-password",
        api("POST", "/api/auth/password-reset/confirm", None, json={"token": "{reset_fresh}", "new_password": "short"}),
        400,
        "invalid_input",
        ("new_password",),
        setup=with_reset_token("reset_fresh"),
    ),
    C(
        "reset-confirm-missing-fields",
        api("POST", "/api/auth/password-reset/confirm", None, json={}),
        400,
        "invalid_input",
        ("token", "new_password"),
    ),
    C("export-anonymous", api("GET", "/api/me/export", None), 401, "not_authenticated"),
    C("export-forged", api("GET", "/api/me/export", "forged"), 401, "invalid_token"),
    C(
        "delete-me-wrong-password",
        api("DELETE", "/api/me", json={"password": "not the password", "posts": "delete"}),
        400,
        "wrong_password",
        ("password",),
    ),
    C(
        "delete-me-unknown-posts-choice",
        api("DELETE", "/api/me", json={"password": "x", "posts": "keep"}),
        400,
        "invalid_input",
        ("posts",),
    ),
    C("delete-me-no-body", api("DELETE", "/api/me"), 400),
    C(
        "delete-me-anonymous",
        api("DELETE", "/api/me", None, json={"password": "x", "posts": "delete"}),
        401,
        "not_authenticated",
    ),
    C(
        "delete-me-cookie-no-csrf",
        cookie_api("DELETE", "/api/me", None, json={"password": "x", "posts": "delete"}),
        403,
        "csrf_failed",
    ),
    C(
        "oidc-unknown-provider",
        api("POST", "/api/auth/oidc/naver/token", None, json={"id_token": "a.b.c"}),
        404,
        "not_found",
    ),
    C("oidc-forged-id-token", id_token("forged"), 401, "invalid_id_token"),
    C("oidc-wrong-audience", id_token("audience"), 401, "invalid_id_token"),
    C("oidc-expired", id_token("expired"), 401, "invalid_id_token"),
    C("oidc-expired-en", id_token("expired", EN), 401, "invalid_id_token", lang="en"),
    C("oidc-other-issuer", id_token("issuer"), 401, "invalid_id_token"),
    C("oidc-alg-none", id_token("none"), 401, "invalid_id_token"),
    C(
        "oidc-not-a-jwt",
        api("POST", "/api/auth/oidc/kakao/token", None, json={"id_token": "abc"}),
        401,
        "invalid_id_token",
    ),
    C(
        "oidc-missing-id-token",
        api("POST", "/api/auth/oidc/kakao/token", None, json={}),
        400,
        "invalid_input",
        ("id_token",),
    ),
    # --- themes
    C("themes-wrong-method", api("POST", "/api/themes", json={"slug": "x"}), 405),
    C("themes-unknown-path", api("GET", "/api/themes/..%2F..%2Fsecret_key"), 404),
    # --- tasks: create, list, read
    C(
        "task-create-gif",
        api("POST", "/api/tasks", json={"content_type": "image/gif", "size_bytes": 10}),
        400,
        "invalid_input",
        ("content_type",),
    ),
    C(
        "task-create-svg",
        api("POST", "/api/tasks", json={"content_type": "image/svg+xml", "size_bytes": 10}),
        400,
        "invalid_input",
        ("content_type",),
    ),
    C(
        "task-create-negative-size",
        api("POST", "/api/tasks", json={"content_type": "image/png", "size_bytes": -1}),
        400,
        "invalid_input",
        ("size_bytes",),
    ),
    C(
        "task-create-object-size",
        api("POST", "/api/tasks", json={"content_type": "image/png", "size_bytes": {"n": 1}}),
        400,
        "invalid_input",
        ("size_bytes",),
    ),
    C(
        "task-create-over-limit",
        api("POST", "/api/tasks", json={"content_type": "image/png", "size_bytes": MAX_UPLOAD_BYTES + 1}),
        413,
    ),
    C(
        "task-create-huge-int",
        api("POST", "/api/tasks", json={"content_type": "image/png", "size_bytes": 10**30}),
        (400, 413),
    ),
    C(
        "task-create-anonymous",
        api("POST", "/api/tasks", None, json={"content_type": "image/png", "size_bytes": 10}),
        401,
        "not_authenticated",
    ),
    C("task-read-traversal-id", api("GET", "/api/tasks/..%2F..%2Fsecret_key"), 404),
    C("task-read-other-users", api("GET", "/api/tasks/{task}", "bob"), 404, "not_found"),
    C(
        "task-list-bad-cursor",
        api("GET", "/api/tasks", params={"cursor": "%%%not-a-cursor"}),
        400,
        "invalid_input",
        ("cursor",),
    ),
    C("task-list-limit-zero", api("GET", "/api/tasks", params={"limit": 0}), 400, "invalid_input", ("limit",)),
    C("task-list-limit-text", api("GET", "/api/tasks", params={"limit": "many"}), 400, "invalid_input", ("limit",)),
    C("task-list-bad-status", api("GET", "/api/tasks", params={"status": "done"}), 400, "invalid_input", ("status",)),
    # --- tasks: submit
    C(
        "submit-negative-box",
        api(
            "POST", "/api/tasks/{task}/submit", json={**SUBMIT, "region": {"mode": "box", "box": [-10, -10, 100, 100]}}
        ),
        400,
    ),
    C(
        "submit-huge-box",
        api(
            "POST", "/api/tasks/{task}/submit", json={**SUBMIT, "region": {"mode": "box", "box": [0, 0, 2**40, 2**40]}}
        ),
        400,
    ),
    C(
        "submit-box-beyond-int64",
        api(
            "POST",
            "/api/tasks/{task}/submit",
            json={**SUBMIT, "region": {"mode": "box", "box": [0, 0, 10**30, 10**30]}},
        ),
        400,
    ),
    C(
        "submit-box-floats",
        api(
            "POST",
            "/api/tasks/{task}/submit",
            json={**SUBMIT, "region": {"mode": "box", "box": [0.5, 1.5, 100.25, 80.75]}},
        ),
        400,
    ),
    C(
        "submit-box-three-numbers",
        api("POST", "/api/tasks/{task}/submit", json={**SUBMIT, "region": {"mode": "box", "box": [1, 2, 100]}}),
        400,
    ),
    C(
        "submit-box-missing",
        api("POST", "/api/tasks/{task}/submit", json={**SUBMIT, "region": {"mode": "box"}}),
        400,
        "invalid_input",
        ("region",),
    ),
    C(
        "submit-unknown-region-mode",
        api("POST", "/api/tasks/{task}/submit", json={**SUBMIT, "region": {"mode": "lasso"}}),
        400,
        "invalid_input",
        ("region",),
    ),
    C(
        "submit-unknown-theme",
        api("POST", "/api/tasks/{task}/submit", json={**SUBMIT, "theme": "../../etc"}),
        400,
        "invalid_input",
        ("theme",),
    ),
    C(
        "submit-wrong-types",
        api(
            "POST",
            "/api/tasks/{task}/submit",
            json={**SUBMIT, "prompt": 42, "steps": "many", "seed": -1, "variations": 9, "strength": "max"},
        ),
        400,
        "invalid_input",
        ("prompt", "steps", "seed", "variations", "strength"),
    ),
    C(
        "submit-wrong-types-en",
        api("POST", "/api/tasks/{task}/submit", headers=EN, json={**SUBMIT, "seed": 2**33}),
        400,
        "invalid_input",
        ("seed",),
        lang="en",
    ),
    C(
        "submit-nul-in-prompt",
        api("POST", "/api/tasks/{task}/submit", json={**SUBMIT, "prompt": "고래\u0000파도"}),
        400,
    ),
    C(
        "submit-10k-emoji-prompt",
        api("POST", "/api/tasks/{task}/submit", json={**SUBMIT, "prompt": EMOJI_10K}),
        400,
        "invalid_input",
        ("prompt",),
    ),
    C("submit-other-users-task", api("POST", "/api/tasks/{task}/submit", "bob", json=SUBMIT), 404, "not_found"),
    C(
        "submit-photo-missing",
        api("POST", "/api/tasks/{bare}/submit", json=SUBMIT),
        409,
        "photo_missing",
        setup=with_created_task("bare"),
    ),
    C(
        "submit-mask-missing",
        api("POST", "/api/tasks/{task}/submit", json={**SUBMIT, "region": {"mode": "mask"}}),
        409,
        "mask_missing",
    ),
    C(
        "submit-pixel-flood-png",
        api("POST", "/api/tasks/{flood}/submit", json=SUBMIT),
        413,
        "too_many_pixels",
        setup=with_uploaded("flood", png_declaring(30000, 30000)),
    ),
    C(
        "submit-compressed-bomb-png",
        api("POST", "/api/tasks/{bomb}/submit", json=SUBMIT),
        413,
        "too_many_pixels",
        setup=with_uploaded("bomb", compressed_bomb_png),
    ),
    C(
        "wall-pixel-flood-png",
        api("POST", "/api/tasks/{flood2}/wall"),
        413,
        "too_many_pixels",
        setup=with_uploaded("flood2", png_declaring(30000, 30000)),
    ),
    C(
        "submit-jpeg-magic-garbage",
        api("POST", "/api/tasks/{fakejpg}/submit", json=SUBMIT),
        415,
        "unsupported_image",
        setup=with_uploaded("fakejpg", FAKE_JPEG, "image/jpeg"),
    ),
    C(
        "submit-mask-pixel-flood",
        api("POST", "/api/tasks/{maskbomb}/submit", json={**SUBMIT, "region": {"mode": "mask"}}),
        400,
        "invalid_mask",
        setup=with_mask("maskbomb", lambda: png_declaring(30000, 30000)),
    ),
    C(
        "submit-mask-wrong-size",
        api("POST", "/api/tasks/{masksmall}/submit", json={**SUBMIT, "region": {"mode": "mask"}}),
        400,
        "invalid_mask",
        setup=with_mask("masksmall", lambda: wall_png(40, 30)),
    ),
    C(
        "mask-create-jpeg",
        api("POST", "/api/tasks/{task}/mask", json={"content_type": "image/jpeg", "size_bytes": 10}),
        400,
        "invalid_input",
        ("content_type",),
    ),
    C("cancel-created-task", api("POST", "/api/tasks/{task}/cancel"), 409),
    C("retry-created-task", api("POST", "/api/tasks/{task}/retry", json={"seed": 1}), 409),
    C("retry-bad-seed", api("POST", "/api/tasks/{painted}/retry", json={"seed": -5}), 400, "invalid_input", ("seed",)),
    # --- signed file URLs (uploads and downloads)
    C(
        "upload-svg-bomb-as-png",
        put_url("svg", SVG_BOMB),
        415,
        "unsupported_image",
        kind="files",
        setup=with_upload_url("svg", "image/png", len(SVG_BOMB)),
    ),
    C(
        "upload-text-named-jpg",
        put_url("txt", b"hello, not a photo" * 10, "image/jpeg"),
        415,
        "unsupported_image",
        kind="files",
        setup=with_upload_url("txt", "image/jpeg", 180),
    ),
    C(
        "upload-wrong-content-type",
        put_url("ct", lambda: wall_png(), "image/jpeg"),
        (400, 403, 415),
        kind="files",
        setup=with_upload_url("ct", "image/png", len(wall_png())),
    ),
    C(
        "upload-more-than-declared",
        put_url("more", lambda: wall_png() + b"x" * 1000),
        (400, 413),
        kind="files",
        setup=with_upload_url("more", "image/png", len(wall_png())),
    ),
    C(
        "upload-huge-body",
        put_url("huge", lambda: wall_png() + b"\0" * (MAX_UPLOAD_BYTES + 1)),
        (400, 413),
        kind="files",
        setup=with_upload_url("huge", "image/png", len(wall_png())),
    ),
    C(
        "upload-forged-signature",
        put_url("forge", lambda: wall_png(), sig="A" * 43),
        403,
        "invalid_signature",
        kind="files",
        setup=with_upload_url("forge", "image/png", len(wall_png())),
    ),
    C(
        "upload-tampered-length",
        put_url("tamper", lambda: wall_png() + b"!", len=str(len(wall_png()) + 1)),
        403,
        "invalid_signature",
        kind="files",
        setup=with_upload_url("tamper", "image/png", len(wall_png())),
    ),
    C(
        "upload-expired-url",
        signed_url("PUT", "tasks/expired-upload/input.png", expired=True),
        403,
        "url_expired",
        kind="files",
    ),
    C("upload-twice", put_url("upload", lambda: wall_png()), 409, "already_uploaded", kind="files"),
    C("upload-signed-traversal-key", signed_url("PUT", "tasks/../../evil.png"), (400, 404), kind="files"),
    C(
        "upload-stalled-body",
        stalled_put("stall", len(wall_png())),
        408,
        "request_timeout",
        kind="files",
        setup=with_upload_url("stall", "image/png", len(wall_png())),
    ),
    C(
        "upload-to-deleted-task",
        put_url("gone", lambda: wall_png()),
        404,
        "not_found",
        kind="files",
        setup=with_deleted_task_url("gone"),
    ),
    C(
        "upload-replaced-mask-url",
        put_url("oldmask", lambda: wall_png()),
        409,
        "invalid_state",
        kind="files",
        setup=with_replaced_mask_url("oldmask"),
    ),
    C(
        "upload-signed-key-of-no-task",
        signed_url("PUT", f"tasks/{uuid.uuid4()}/input.png"),
        404,
        "not_found",
        kind="files",
    ),
    C("download-forged-signature", get_url("input", sig="B" * 43), 403, "invalid_signature", kind="files"),
    C(
        "download-extended-expiry",
        get_url("input", exp=str(int(time.time()) + 10**6)),
        403,
        "invalid_signature",
        kind="files",
    ),
    C("download-expired-url", signed_url("GET", "tasks/any/input.png", expired=True), 403, "url_expired", kind="files"),
    C("download-raw-dotdot", raw_target("GET", "/files/../secret_key"), (400, 404), kind="files"),
    C("download-encoded-dotdot", raw_target("GET", "/files/tasks/%2e%2e/%2e%2e/secret_key"), (400, 404), kind="files"),
    C("download-encoded-slashes", raw_target("GET", "/files/..%2f..%2fsaekdam.sqlite"), (400, 404), kind="files"),
    C("download-signed-traversal-key", signed_url("GET", "../secret_key"), (400, 404), kind="files"),
    C("download-signed-absolute-key", signed_url("GET", "/etc/passwd"), (400, 403, 404), kind="files"),
    # --- board
    C(
        "posts-bad-cursor",
        api("GET", "/api/posts", None, params={"cursor": "!!not-a-cursor!!"}),
        400,
        "invalid_input",
        ("cursor",),
    ),
    C("posts-limit-1000", api("GET", "/api/posts", None, params={"limit": 1000}), 400, "invalid_input", ("limit",)),
    C(
        "posts-every-param-bad",
        api("GET", "/api/posts", None, params={"sort": "best", "limit": -1, "author": "me"}),
        400,
        "invalid_input",
        ("sort", "limit", "author"),
    ),
    C("posts-nul-in-theme", api("GET", "/api/posts", None, params={"theme": "ocean\u0000"}), 400),
    C("posts-query-too-long", api("GET", "/api/posts", None, params={"q": "가" * 101}), 400, "invalid_input", ("q",)),
    C(
        "post-held-result",
        api("POST", "/api/posts", json={"task_id": "{held}", "result_index": 0, "title": "Held by the filter"}),
        409,
        "content_held",
        setup=with_held_task("held"),
    ),
    C(
        "post-held-result-en",
        api(
            "POST",
            "/api/posts",
            json={"task_id": "{held}", "result_index": 0, "title": "Held by the filter"},
            headers=EN,
        ),
        409,
        "content_held",
        lang="en",
        setup=with_held_task("held"),
    ),
    C(
        "post-create-title-short",
        api("POST", "/api/posts", json={"task_id": "{painted}", "result_index": 0, "title": "abc"}),
        400,
        "invalid_input",
        ("title",),
    ),
    C(
        "post-create-10k-emoji-title",
        api("POST", "/api/posts", json={"task_id": "x", "result_index": 0, "title": EMOJI_10K}),
        400,
        "invalid_input",
        ("title",),
    ),
    C(
        "post-create-wrong-types",
        api("POST", "/api/posts", json={"task_id": 5, "result_index": "first", "title": [], "anonymous": "yes"}),
        400,
        "invalid_input",
        ("task_id", "result_index", "title", "anonymous"),
    ),
    C(
        "post-create-nul-in-content",
        api(
            "POST",
            "/api/posts",
            json={"task_id": "x", "result_index": 0, "title": "Ocean mural", "content": "a\u0000b"},
        ),
        400,
    ),
    C(
        "post-create-unfinished-task",
        api("POST", "/api/posts", json={"task_id": "{unfinished}", "result_index": 0, "title": "Ocean mural"}),
        409,
        "task_not_succeeded",
        setup=with_created_task("unfinished"),
    ),
    C(
        "post-create-other-users-task",
        api("POST", "/api/posts", "bob", json={"task_id": "{painted}", "result_index": 0, "title": "Stolen mural"}),
        (403, 404),
    ),
    C(
        "post-create-missing-result",
        api("POST", "/api/posts", json={"task_id": "{painted}", "result_index": 3, "title": "Ocean mural"}),
        400,
        "invalid_input",
        ("result_index",),
    ),
    C(
        "post-create-twice",
        api("POST", "/api/posts", json={"task_id": "{painted}", "result_index": 0, "title": "Ocean mural"}),
        409,
        "already_published",
    ),
    C("post-read-missing", api("GET", "/api/posts/{task}", None), 404, "not_found"),
    C("post-update-by-other", api("PATCH", "/api/posts/{post}", "bob", json={"title": "Defaced!!"}), (403, 404)),
    C(
        "post-update-empty-title",
        api("PATCH", "/api/posts/{post}", json={"title": ""}),
        400,
        "invalid_input",
        ("title",),
    ),
    C("post-delete-by-other", api("DELETE", "/api/posts/{post}", "bob"), (403, 404)),
    C("like-anonymous", api("PUT", "/api/posts/{post}/like", None), 401, "not_authenticated"),
    C("like-missing-post", api("PUT", "/api/posts/{task}/like"), 404, "not_found"),
    C(
        "comment-empty",
        api("POST", "/api/posts/{post}/comments", json={"content": ""}),
        400,
        "invalid_input",
        ("content",),
    ),
    C(
        "comment-10k-emoji",
        api("POST", "/api/posts/{post}/comments", json={"content": EMOJI_10K}),
        400,
        "invalid_input",
        ("content",),
    ),
    C("comment-nul", api("POST", "/api/posts/{post}/comments", json={"content": "hi\u0000there"}), 400),
    C(
        "comment-wrong-type",
        api("POST", "/api/posts/{post}/comments", json={"content": {"$gt": ""}}),
        400,
        "invalid_input",
        ("content",),
    ),
    C("comment-missing-post", api("POST", "/api/posts/{task}/comments", json={"content": "hello"}), 404),
    C("comments-bad-cursor", api("GET", "/api/posts/{post}/comments", None, params={"cursor": "@@@"}), 400),
    C("comment-delete-by-other", api("DELETE", "/api/comments/{comment}", "bob"), (403, 404)),
    C(
        "report-empty-reason",
        api("POST", "/api/posts/{post}/report", json={"reason": ""}),
        400,
        "invalid_input",
        ("reason",),
    ),
    C(
        "report-foreign-comment",
        api("POST", "/api/posts/{post}/report", json={"reason": "spam", "comment_id": "{task}"}),
        (400, 404),
    ),
    # --- CSRF: cookie sessions must echo the token (API header, page form field)
    C(
        "api-cookie-no-csrf-create-task",
        cookie_api("POST", "/api/tasks", None, json={"content_type": "image/png", "size_bytes": 10}),
        403,
        "csrf_failed",
    ),
    C("api-cookie-wrong-csrf-like", cookie_api("PUT", "/api/posts/{post}/like", "forged-token"), 403, "csrf_failed"),
    C(
        "api-cookie-no-csrf-comment",
        cookie_api("POST", "/api/posts/{post}/comments", None, json={"content": "hi"}),
        403,
        "csrf_failed",
    ),
    C(
        "page-comment-no-csrf",
        page("POST", "/board/{post}/comments", csrf=False, data={"content": "hi"}),
        403,
        "csrf_failed",
        kind="html",
    ),
    C(
        "page-like-no-csrf",
        page("POST", "/board/{post}/like", csrf=False, data={"on": "1"}),
        403,
        "csrf_failed",
        kind="html",
    ),
    C("page-cancel-no-csrf", page("POST", "/tasks/{task}/cancel", csrf=False), 403, "csrf_failed", kind="html"),
    C("page-signup-no-csrf", anonymous_page_post("/signup", signup("csrf")), 403, "csrf_failed", kind="html"),
    # --- streams opened with the session cookie by another site's page (cross-site WebSocket/SSE hijacking)
    C(
        "task-events-cookie-other-origin",
        cookie_stream("/api/tasks/{task}/events", "http://evil.example"),
        403,
        "cross_origin",
    ),
    C("task-events-cookie-null-origin", cookie_stream("/api/tasks/{task}/events", "null"), 403, "cross_origin"),
    C(
        "page-task-stream-other-origin",
        cookie_stream("/tasks/{task}/stream", "https://evil.example"),
        403,
        "cross_origin",
        kind="html",
    ),
    C(
        "page-account-password-no-csrf",
        page("POST", "/account/password", csrf=False, data={"current_password": "x", "new_password": "y" * 9}),
        403,
        "csrf_failed",
        kind="html",
    ),
    C(
        "page-account-password-wrong",
        page(
            "POST",
            "/account/password",
            data={"current_password": "not the password", "new_password": "a brand new one"},
        ),
        400,
        "wrong_password",
        kind="html",
    ),
    C("page-account-nickname-short", page("POST", "/account/nickname", data={"nickname": "x"}), 400, kind="html"),
    C(
        "page-account-logout-all-no-csrf",
        page("POST", "/account/logout-all", csrf=False),
        403,
        "csrf_failed",
        kind="html",
    ),
    C(
        "page-account-delete-no-csrf",
        page("POST", "/account/delete", csrf=False, data={"password": "x", "posts": "delete", "confirm": "yes"}),
        403,
        "csrf_failed",
        kind="html",
    ),
    C(
        "page-account-delete-unconfirmed",
        page("POST", "/account/delete", data={"password": "x", "posts": "delete"}),
        400,
        kind="html",
    ),
    C(
        "page-account-delete-wrong-password",
        page("POST", "/account/delete", data={"password": "not the password", "posts": "anonymize", "confirm": "yes"}),
        400,
        "wrong_password",
        kind="html",
    ),
    C("page-forgot-bad-email", anonymous_form("/forgot", {"email": "nope"}), 400, kind="html"),
    C(
        "page-reset-unknown-token",
        anonymous_form("/reset", {"token": "A" * 43, "new_password": "a brand new one"}),
        400,
        "reset_link_invalid",
        kind="html",
    ),
    C(
        "page-reset-no-csrf",
        anonymous_page_post("/reset", {"token": "A" * 43, "new_password": "a brand new one"}),
        403,
        "csrf_failed",
        kind="html",
    ),
    C(
        "page-oidc-callback-forged-state",
        page("GET", "/auth/oidc/kakao/callback", params={"code": "x", "state": "y"}),
        400,
        "oidc_failed",
        kind="html",
    ),
    C("page-oidc-unknown-provider", page("GET", "/auth/oidc/naver/login"), 404, kind="html"),
    C(
        "page-login-no-csrf",
        anonymous_page_post("/login", {"email": "a@example.com", "password": "whatever1"}),
        403,
        "csrf_failed",
        kind="html",
    ),
    # the exclusions (/api/, /admin, /files/) hold at the start of the path only (they matched anywhere in it)
    C(
        "page-csrf-exclusion-anchored-admin",
        page("POST", "/board/admin/comments", csrf=False, data={"content": "hi"}),
        403,
        "csrf_failed",
        kind="html",
    ),
    C(
        "page-csrf-exclusion-anchored-api",
        page("POST", "/board/api/like", csrf=False, data={"on": "1"}),
        403,
        "csrf_failed",
        kind="html",
    ),
    C(
        "page-csrf-exclusion-anchored-files",
        page("POST", "/tasks/files/cancel", csrf=False),
        403,
        "csrf_failed",
        kind="html",
    ),
    # --- pages with bad input (valid CSRF token)
    C("page-comment-10k-emoji", page("POST", "/board/{post}/comments", data={"content": EMOJI_10K}), 400, kind="html"),
    C(
        "page-comment-10k-emoji-htmx",
        page("POST", "/board/{post}/comments", htmx=True, data={"content": EMOJI_10K}),
        (200, 400),
        kind="htmx",
    ),
    C("page-report-empty", page("POST", "/board/{post}/report", data={"reason": "  "}), 400, kind="html"),
    C("page-board-nul-theme", page("GET", "/board", params={"theme": "a\u0000"}), 400, kind="html"),
    # a stale or edited cursor on the page starts the list over (by design) instead of an error page
    C("page-board-bad-cursor", page("GET", "/board", params={"cursor": "!!!", "sort": "latest"}), 302, kind="redirect"),
    C("page-task-of-other-user", api("GET", "/tasks/{painted}", "bob"), 404, kind="html"),
    C("page-post-missing", page("GET", "/board/{task}"), 404, kind="html"),
]


async def _signup_alice_address(w: World) -> None:
    """Make sure an account with alice's lower-case address at example.com exists for the duplicate case."""
    r = await w.http.post("/api/auth/signup", json=signup("alice"))
    assert r.status_code in (201, 409), r.text


def check_error_body(case: Case, r: httpx.Response) -> None:
    ctype = r.headers.get("content-type", "")
    if case.kind == "redirect":
        location = r.headers["location"]
        assert location.startswith("/") and "cursor" not in location, location
        return
    if case.kind == "htmx":  # an htmx fragment that shows the message in place, or an error
        assert "text/html" in ctype, (ctype, r.text[:300])
        assert HANGUL.search(r.text), r.text[:300]
        return
    if case.kind == "html":
        assert "text/html" in ctype, (ctype, r.text[:300])
        text = html.unescape(r.text)
        assert HANGUL.search(text)
        if case.code:
            assert translate("ko", case.code) in text, text[:2000]
        return
    assert ctype.startswith("application/json"), (ctype, r.text[:300])
    body = r.json()
    assert isinstance(body, dict) and body.get("status") == r.status_code, body
    assert isinstance(body.get("code"), str) and re.fullmatch(r"[a-z][a-z0-9_]*", body["code"]), body
    if case.code:
        assert body["code"] == case.code, body
    detail = body.get("detail")
    assert isinstance(detail, str) and detail.strip() and detail != body["code"], body
    if case.kind == "json":
        if case.lang == "ko":
            assert HANGUL.search(detail), body
        else:
            assert not HANGUL.search(detail) and re.search(r"[A-Za-z]{3}", detail), body
    errors = body.get("errors")
    if errors is not None:
        assert isinstance(errors, list) and errors, body
        for e in errors:
            assert set(e) == {"field", "message"} and e["message"].strip(), body
            if case.kind == "json" and case.lang == "ko":
                assert HANGUL.search(e["message"]), body
    if case.fields:
        assert errors, body
        assert case.fields <= {e["field"] for e in errors}, body


def _ids(cases: list[Case]) -> list[str]:
    assert len({c.id for c in cases}) == len(cases), "case ids must be unique"
    return [c.id for c in cases]


def _fill(value: Any, ids: dict[str, str]) -> Any:
    """Replace placeholder strings such as ``"{painted}"`` (a whole value) with the world's ids."""
    if isinstance(value, str):
        m = re.fullmatch(r"\{(\w+)\}", value)
        return ids[m.group(1)] if m else value
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
async def test_bad_input_is_refused_and_leaves_no_trace(case: Case, world: World) -> None:
    if case.setup is not None:
        await case.setup(world)
    before = await state(world.d)
    r = await case.send(world)
    after = await state(world.d)
    expected = case.status if isinstance(case.status, tuple) else (case.status,)
    assert r.status_code in expected, f"{case.id}: {r.status_code} {r.text[:500]}"
    check_error_body(case, r)
    assert not (world.d.var_dir / "evil.png").exists() and not (world.d.var_dir.parent / "evil.png").exists()
    assert before == after, f"{case.id} changed the server's state:\n{before.diff(after)}"


def test_catalogue_size() -> None:
    """The catalogue covers every endpoint family with at least 30 cases."""
    assert len(CASES) >= 30
    families = {c.id.split("-")[0] for c in CASES}
    assert {
        "signup",
        "token",
        "bearer",
        "themes",
        "task",
        "submit",
        "mask",
        "upload",
        "download",
        "posts",
        "post",
        "comment",
        "like",
        "report",
        "page",
        "api",
        "me",
        "password",
        "reset",
        "export",
        "delete",
        "oidc",
        "logout",
    } <= families, families


# ------------------------------------------------------------------------------------------------ XSS, accepted
XSS = '<script>alert("{m}")</script><img src=x onerror=alert(1)>'


def xss(marker: str) -> str:
    return XSS.replace("{m}", marker)


async def _page(w: World, path: str) -> str:
    r = await w.browser.get(path)
    assert r.status_code == 200 and "text/html" in r.headers["content-type"], (path, r.status_code)
    return r.text


def assert_escaped(page_html: str, payload: str) -> None:
    from markupsafe import escape

    assert payload not in page_html, "raw payload rendered"
    assert "<script>alert(" not in page_html and "onerror=alert" not in page_html.replace("onerror=alert(1)&gt;", "")
    assert str(escape(payload)) in page_html, "escaped payload missing"


async def xss_post_title(w: World) -> None:
    payload = xss("title")
    tid = await _painted_copy(w)
    r = await w.http.post(
        "/api/posts",
        json={"task_id": tid, "result_index": 0, "title": payload[:60], "content": xss("content")},
        headers=w.who("alice"),
    )
    assert r.status_code == 201, r.text
    assert r.json()["title"] == payload[:60]  # stored and returned as the text it is
    post_page = await _page(w, f"/board/{r.json()['id']}")
    assert_escaped(post_page, payload[:60])
    assert_escaped(post_page, xss("content"))
    assert_escaped(await _page(w, "/board?sort=latest&view=list"), payload[:60])


async def xss_comment(w: World) -> None:
    payload = xss("comment")
    r = await w.http.post(f"/api/posts/{w.ids['post']}/comments", json={"content": payload}, headers=w.who("alice"))
    assert r.status_code == 201 and r.json()["content"] == payload
    assert_escaped(await _page(w, f"/board/{w.ids['post']}"), payload)


async def xss_nickname(w: World) -> None:
    nickname = "<b onclick=alert(1)>"  # 2–20 characters
    user = await new_user(w.http, nickname)
    r = await w.http.post(
        f"/api/posts/{w.ids['post']}/comments", json={"content": "hello from mallory"}, headers=user.headers
    )
    assert r.status_code == 201 and r.json()["author"]["nickname"] == nickname
    page_html = await _page(w, f"/board/{w.ids['post']}")
    assert nickname not in page_html and "&lt;b onclick=alert(1)&gt;" in page_html


async def xss_prompt(w: World) -> None:
    payload = xss("prompt")
    tid = await upload_task(w, wall_png())
    r = await w.http.post(f"/api/tasks/{tid}/submit", json={**SUBMIT, "prompt": payload}, headers=w.who("alice"))
    assert r.status_code == 202, r.text
    await wait_terminal(w, tid)
    assert_escaped(await _page(w, f"/tasks/{tid}"), payload)


async def xss_search_reflected(w: World) -> None:
    payload = xss("q")[:100]
    assert_escaped(await _page(w, "/board?" + urlencode({"q": payload})), payload)


async def xss_signup_form_reflected(w: World) -> None:
    """A refused sign-up form comes back with the typed values, escaped."""
    nickname = '"><svg onload=alert(1)>'[:20]
    token = await _csrf(w.browser)
    r = await w.browser.post(
        "/signup", data={"email": "not-an-email", "password": "short", "nickname": nickname, "_csrf_token": token}
    )
    assert r.status_code == 400
    from markupsafe import escape

    assert nickname not in r.text and str(escape(nickname)) in r.text


async def _painted_copy(w: World) -> str:
    """A new succeeded task (retry of the painted one) that can be published once more."""
    r = await w.http.post(f"/api/tasks/{w.ids['painted']}/retry", json={}, headers=w.who("alice"))
    assert r.status_code == 201, r.text
    done = await wait_terminal(w, r.json()["id"])
    assert done["status"] == "succeeded", done
    return str(done["id"])


XSS_CASES: dict[str, Callable[[World], Awaitable[None]]] = {
    "post-title-and-content": xss_post_title,
    "comment": xss_comment,
    "nickname": xss_nickname,
    "task-prompt": xss_prompt,
    "board-search-reflected": xss_search_reflected,
    "signup-form-reflected": xss_signup_form_reflected,
}


@pytest.mark.parametrize("name", list(XSS_CASES))
async def test_dangerous_looking_text_is_stored_as_text_and_rendered_escaped(name: str, world: World) -> None:
    await XSS_CASES[name](world)


async def test_signed_file_errors_speak_the_request_language(world: World) -> None:
    """api.md: every error's detail is in the request's language, the signed-URL endpoint's too."""
    r = await world.http.get(resigned(world.urls["input"], sig="C" * 43))
    assert r.status_code == 403 and r.json()["code"] == "invalid_signature"
    assert HANGUL.search(r.json()["detail"]), r.json()
    r = await world.http.get(resigned(world.urls["input"], sig="C" * 43), headers={"accept-language": "en"})
    assert r.status_code == 403 and not HANGUL.search(r.json()["detail"]), r.json()
