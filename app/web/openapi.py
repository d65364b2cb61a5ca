"""The served OpenAPI schema documents errors as they really are: api.md's ``ErrorBody``.

Litestar documents every operation's 400 with its own ValidationException shape (``status_code``, ``extra``),
which no response of ours has; clients generated from the schema would fail to read our errors. At startup,
each operation's 400 is replaced, and ``4XX``/``5XX`` are added, all with ``ErrorBody``.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Litestar
from litestar._openapi.plugin import OpenAPIPlugin  # the plugin that builds and serves the schema

from app.web.errors import ErrorBody

REF_TEMPLATE = "#/components/schemas/{name}"


def _error_response(description: str, ref: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ref}}}


def document_errors(app: Litestar) -> None:
    schema = app.plugins.get(OpenAPIPlugin).provide_openapi_schema()  # the dict that /schema serves, cached
    (ref,), components = msgspec.json.schema_components([ErrorBody], ref_template=REF_TEMPLATE)
    schema.setdefault("components", {}).setdefault("schemas", {}).update(components)
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            if "400" in responses:
                responses["400"] = _error_response("Invalid input: every invalid field is listed in `errors`", ref)
            responses.setdefault("4XX", _error_response("A client error (api.md: Errors)", ref))
            responses.setdefault("5XX", _error_response("A server error (api.md: Errors)", ref))
