"""Moving a post's copies to fresh keys revokes the URLs signed before, on local disk and on S3 (moto)."""

from __future__ import annotations

import uuid

import httpx
import msgspec

from app.board.keys import copy_to_fresh_keys
from tests.storage.conftest import Store, local_server, s3_storage, store  # noqa: F401  (fixtures)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def test_old_urls_die_and_new_ones_serve_the_same_bytes(store: Store) -> None:  # noqa: F811
    s = store.storage
    pid = uuid.uuid4()
    row = {
        "id": pid,
        "before_key": f"posts/{pid}/before.png",
        "after_key": f"posts/{pid}/after.png",
        "thumb_key": f"posts/{pid}/thumb.webp",
        "display": msgspec.json.encode(
            {"before": f"posts/{pid}/display-before.webp", "after": f"posts/{pid}/display-after.webp", "width": 8}
        ).decode(),
    }
    keys = [
        row["before_key"],
        row["after_key"],
        row["thumb_key"],
        *(msgspec.json.decode(row["display"])[n] for n in ("before", "after")),
    ]
    for i, key in enumerate(keys):
        await s.put(key, PNG + bytes([i]), "image/png" if key.endswith(".png") else "image/webp")
    old_urls = [await s.download_url(key, 600) for key in keys]

    values, old_keys = await copy_to_fresh_keys(s, row)
    assert sorted(old_keys) == sorted(keys)
    for key in old_keys:
        await s.delete(key)

    display = msgspec.json.decode(values["display"])
    assert display["width"] == 8  # the rest of the column is kept
    new_keys = [values["before_key"], values["after_key"], values["thumb_key"], display["before"], display["after"]]
    assert all(k.startswith(f"posts/{pid}/") and k not in keys for k in new_keys)  # still deleted with the post
    async with httpx.AsyncClient(timeout=10) as http:
        for url in old_urls:
            assert (await http.get(url)).status_code in (403, 404), url
        for i, key in enumerate(new_keys):
            r = await http.get(await s.download_url(key, 600))
            assert r.status_code == 200 and r.content == PNG + bytes([i]), key
