"""``/schema``: the OpenAPI document and Swagger UI, both served by the app itself.

Litestar's stock render plugins load their UIs and fonts from CDNs and start them with inline scripts.
Here Swagger UI comes from the pinned npm package (copied to ``static/vendor/swagger-ui`` by
``make assets``) under hashed URLs and starts from a static file, so the page needs no third-party
origin and no inline script.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

from litestar import Request
from litestar.openapi.plugins import JsonRenderPlugin, OpenAPIRenderPlugin, YamlRenderPlugin

SWAGGER_DIR = "vendor/swagger-ui"


class LocalSwaggerPlugin(OpenAPIRenderPlugin):
    """Swagger UI from the app's own static files (``/schema`` and ``/schema/swagger``)."""

    def __init__(self, static_url: Callable[[str], str], path: str | list[str] = ("/", "/swagger")) -> None:  # type: ignore[assignment]  # Litestar's own default is this tuple, typed narrower
        self.static_url = static_url
        super().__init__(path=list(path), favicon="", style="")

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        s = self.static_url
        title = escape(str(openapi_schema.get("info", {}).get("title", "API")))
        spec = escape(self.get_openapi_json_route(request))
        return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title}</title>
  <meta name="description" content="{title}: every endpoint of the JSON API, with request and response shapes.">
  <link rel="icon" href="{s("img/logo.svg")}" type="image/svg+xml">
  <link rel="stylesheet" href="{s(SWAGGER_DIR + "/swagger-ui.css")}">
  <link rel="stylesheet" href="{s("css/api-docs.css")}">
  <script src="{s(SWAGGER_DIR + "/swagger-ui-bundle.js")}" defer></script>
  <script src="{s("js/api-docs.js")}" defer></script>
</head>
<body>
  <main id="swagger-ui" data-spec-url="{spec}"><h1 class="api-docs-loading">{title}</h1></main>
</body>
</html>
""".encode()


def render_plugins(static_url: Callable[[str], str]) -> list[OpenAPIRenderPlugin]:
    """Swagger UI at the root, the document as JSON and YAML."""
    return [LocalSwaggerPlugin(static_url), JsonRenderPlugin(), YamlRenderPlugin()]
