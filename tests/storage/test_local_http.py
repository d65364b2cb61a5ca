"""The local store's signed URLs over real HTTP, strictly: every part of a grant is enforced.

These run on the local store only. moto (the S3 double) does not verify signatures, expiry, types or
sizes, so the same checks against it would pass whatever the code did; real S3 enforces them itself.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from litestar.testing import AsyncTestClient

from app.storage import signing
from app.storage.errors import AlreadyUploaded, InvalidSignature, UrlExpired
from tests.storage.conftest import MAX_UPLOAD, SECRET, LocalServer, files_app

PNG = b"\x89PNG\r\n\x1a\n" + b"p" * 100
WEBP = b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"w" * 50


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


def error(response: httpx.Response) -> tuple[int, str]:
    body = response.json()
    assert set(body) == {"status", "code", "detail"}, body
    assert body["status"] == response.status_code
    return response.status_code, body["code"]


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


async def upload(local_server: LocalServer, key: str, content_type: str = "image/png", body: bytes = PNG) -> str:
    grant = await local_server.storage.upload_url(key, content_type, len(body), 60)
    return grant.url


async def test_upload_then_serve_with_safe_headers(
    local_server: LocalServer, prefix: str, http: httpx.AsyncClient
) -> None:
    key = prefix + "in.webp"
    response = await http.put(
        await upload(local_server, key, "image/webp", WEBP), content=WEBP, headers={"Content-Type": "image/webp"}
    )
    assert response.status_code == 201
    assert response.json() == {"key": key, "size": len(WEBP), "content_type": "image/webp"}

    url = await local_server.storage.download_url(key, 120)
    got = await http.get(url)
    assert got.status_code == 200 and got.content == WEBP
    assert got.headers["content-type"] == "image/webp"
    assert got.headers["x-content-type-options"] == "nosniff"
    cache = got.headers["cache-control"]
    assert cache.startswith("private, max-age=") and 100 <= int(cache.rsplit("=", 1)[1]) <= 120
    assert got.headers["content-disposition"] == "inline"

    head = await http.head(url)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(WEBP))
    assert head.headers["content-type"] == "image/webp"


async def test_tampered_upload_urls_are_refused(
    local_server: LocalServer, prefix: str, http: httpx.AsyncClient
) -> None:
    key = prefix + "in.png"
    url = await upload(local_server, key)
    headers = {"Content-Type": "image/png"}
    sig = dict(parse_qsl(urlsplit(url).query))["sig"]
    tampered = [
        with_query(url, sig=sig[:-2] + ("AA" if not sig.endswith("AA") else "BB")),
        with_query(url, ct="image/jpeg"),
        with_query(url, len=str(len(PNG) + 1)),
        with_query(url, exp=str(int(time.time()) + 9999)),
        url.replace("/in.png?", "/other.png?"),
        with_query(url, sig=""),
    ]
    for bad in tampered:
        response = await http.put(bad, content=PNG, headers=headers)
        assert error(response) == (403, "invalid_signature"), bad
    assert not await local_server.storage.exists(key)
    # a download signature is not an upload signature
    response = await http.put(await local_server.storage.download_url(key, 60), content=PNG, headers=headers)
    assert error(response) == (403, "invalid_signature")


async def test_expired_urls_are_refused(local_server: LocalServer, prefix: str, http: httpx.AsyncClient) -> None:
    key = prefix + "in.png"
    past = int(time.time()) - 5
    put_url = signing.file_url(local_server.url, key, signing.sign_upload(SECRET, key, "image/png", len(PNG), past))
    assert error(await http.put(put_url, content=PNG, headers={"Content-Type": "image/png"})) == (403, "url_expired")
    await local_server.storage.put(key, PNG, "image/png")
    get_url = signing.file_url(local_server.url, key, signing.sign_download(SECRET, key, past))
    assert error(await http.get(get_url)) == (403, "url_expired")
    head = await http.head(get_url)
    assert head.status_code == 403 and head.content == b""


def test_verify_functions_check_expiry_against_now() -> None:
    params = signing.sign_upload(SECRET, "k.png", "image/png", 3, exp=1000)
    assert signing.verify_upload(SECRET, "k.png", params, now=999).size == 3
    with pytest.raises(UrlExpired):
        signing.verify_upload(SECRET, "k.png", params, now=1000)
    with pytest.raises(InvalidSignature):
        signing.verify_upload("another-secret", "k.png", params, now=999)
    dl = signing.sign_download(SECRET, "k.png", exp=1000, filename="a.png")
    assert signing.verify_download(SECRET, "k.png", dl, now=1).filename == "a.png"
    with pytest.raises(InvalidSignature):
        signing.verify_download(SECRET, "k.png", {**dl, "dl": "b.png"}, now=1)


async def test_wrong_content_type_header_is_refused(
    local_server: LocalServer, prefix: str, http: httpx.AsyncClient
) -> None:
    url = await upload(local_server, prefix + "in.png")
    for content_type in ("image/jpeg", "text/html", "image/png; x=1"):
        response = await http.put(url, content=PNG, headers={"Content-Type": content_type})
        assert error(response) == (415, "content_type_mismatch")
    response = await http.put(url, content=PNG)  # none at all
    assert error(response) == (415, "content_type_mismatch")


async def test_wrong_sizes_are_refused(local_server: LocalServer, prefix: str, http: httpx.AsyncClient) -> None:
    key = prefix + "in.png"
    url = await upload(local_server, key)
    headers = {"Content-Type": "image/png"}
    assert error(await http.put(url, content=PNG[:-1], headers=headers)) == (400, "size_mismatch")
    assert error(await http.put(url, content=PNG + b"!", headers=headers)) == (400, "size_mismatch")

    async def chunks(body: bytes):  # no Content-Length: the cap is enforced while streaming
        for i in range(0, len(body), 16):
            yield body[i : i + 16]

    assert error(await http.put(url, content=chunks(PNG + b"x" * 64), headers=headers)) == (400, "size_mismatch")
    assert error(await http.put(url, content=chunks(PNG[:50]), headers=headers)) == (400, "size_mismatch")
    assert not await local_server.storage.exists(key)
    response = await http.put(url, content=chunks(PNG), headers=headers)
    assert response.status_code == 201
    assert await local_server.storage.get(key) == PNG


async def test_over_the_limit_is_413(local_server: LocalServer, prefix: str, http: httpx.AsyncClient) -> None:
    key = prefix + "big.bin"
    size = MAX_UPLOAD + 1
    # upload_url() refuses to sign this; a URL signed by hand still cannot get past the limit
    url = signing.file_url(
        local_server.url, key, signing.sign_upload(SECRET, key, "application/octet-stream", size, signing.expiry(60))
    )
    response = await http.put(url, content=b"\0" * size, headers={"Content-Type": "application/octet-stream"})
    assert error(response) == (413, "too_large")


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("image/png", b"GIF89a" + b"g" * 40),
        ("image/jpeg", PNG),
        ("image/webp", b"RIFF\0\0\0\0WAVE" + b"w" * 20),
        ("image/gif", b"GIF89a" + b"g" * 40),
        ("image/png", b"\x89PN"),
    ],
)
async def test_bytes_that_are_not_the_declared_image_are_415(
    local_server: LocalServer, prefix: str, http: httpx.AsyncClient, content_type: str, body: bytes
) -> None:
    key = prefix + "in.img"
    url = await upload(local_server, key, content_type, body)
    response = await http.put(url, content=body, headers={"Content-Type": content_type})
    assert error(response) == (415, "unsupported_image")
    assert not await local_server.storage.exists(key)


async def test_an_object_is_never_overwritten(local_server: LocalServer, prefix: str, http: httpx.AsyncClient) -> None:
    key = prefix + "in.png"
    url = await upload(local_server, key)
    assert (await http.put(url, content=PNG, headers={"Content-Type": "image/png"})).status_code == 201
    other = b"\x89PNG\r\n\x1a\n" + b"q" * 100
    again = await upload(local_server, key, body=other)
    refused = await http.put(again, content=other, headers={"Content-Type": "image/png"})
    assert error(refused) == (409, "already_uploaded")
    # also when the object appears while the body is streaming (the final link is exclusive)
    temp = await local_server.storage.new_upload_file()
    temp.write_bytes(other)
    with pytest.raises(AlreadyUploaded):
        await local_server.storage.commit_upload(temp, key, "image/jpeg")
    assert not temp.exists()
    got = await http.get(await local_server.storage.download_url(key, 60))
    assert got.content == PNG and got.headers["content-type"] == "image/png"


async def test_downloads_need_a_matching_signature(
    local_server: LocalServer, prefix: str, http: httpx.AsyncClient
) -> None:
    key = prefix + "out.png"
    await local_server.storage.put(key, PNG, "image/png")
    url = await local_server.storage.download_url(key, 60, filename="a.png")
    assert (await http.get(url)).status_code == 200
    for bad in (
        with_query(url, dl="b.png"),
        with_query(url, exp=str(int(time.time()) + 999)),
        url.replace("/out.png?", "/in.png?"),
        with_query(url, sig="x"),
    ):
        assert error(await http.get(bad)) == (403, "invalid_signature")
    assert error(await http.get(f"{local_server.url}/files/{key}")) == (403, "invalid_signature")
    missing = await local_server.storage.download_url(prefix + "missing.png", 60)
    assert error(await http.get(missing)) == (404, "not_found")


@pytest.mark.parametrize(
    "path", ["/files/..%2f..%2fetc/passwd", "/files/a/%2e%2e/%2e%2e/etc/passwd", "/files/a//b", "/files/%2fetc/passwd"]
)
async def test_traversal_paths_never_serve_files(local_server: LocalServer, http: httpx.AsyncClient, path: str) -> None:
    response = await http.get(local_server.url + path + "?exp=9999999999&sig=x")
    assert response.status_code in (403, 404)
    assert b"root:" not in response.content


async def test_endpoint_is_404_when_the_store_is_not_local(local_server: LocalServer, prefix: str) -> None:
    url = await local_server.storage.download_url(prefix + "x.png", 60)
    async with AsyncTestClient(files_app(object())) as client:
        response = await client.get(urlsplit(url).path + "?" + urlsplit(url).query)
    assert error(response) == (404, "not_found")
