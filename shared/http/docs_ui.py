"""/docs: Swagger UI from the pinned swagger-ui-py package, served by the service itself.

No request leaves for a CDN: the page, its script and style come from this process, and the
page has no inline script, so its Content-Security-Policy allows scripts from 'self' only.
swagger-ui-py 25.7.1 (pyproject.toml) ships Swagger UI 5.24.2; only its static files are used.
Swagger UI's validator badge (a request to validator.swagger.io) is switched off.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

from flask import Flask, Response, abort, render_template_string, send_from_directory

# The files the page needs, and nothing else of the package (it also ships Swagger Editor).
ASSETS = ("swagger-ui.css", "index.css", "swagger-ui-bundle.js", "favicon-32x32.png", "favicon-16x16.png")
ASSET_PATH = "/docs/assets/"

# Swagger UI sets inline style attributes and loads its icons as data: URIs.
DOCS_CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:;"
            " font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{{ title }}</title>
  <link rel="stylesheet" href="{{ assets }}swagger-ui.css">
  <link rel="stylesheet" href="{{ assets }}index.css">
  <link rel="icon" type="image/png" href="{{ assets }}favicon-32x32.png" sizes="32x32">
</head>
<body>
  <div id="swagger-ui" data-spec-url="{{ spec_url }}"></div>
  <script src="{{ assets }}swagger-ui-bundle.js"></script>
  <script src="{{ assets }}init.js"></script>
</body>
</html>
"""

INIT = """window.addEventListener("load", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.specUrl,
    domNode: root,
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
});
"""


def static_folder() -> Path:
    """The package's static folder, found without importing the package (it imports its web handlers)."""
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("swagger-ui-py is not installed (pip install -e .)")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


def serve_docs(app: Flask, *, title: str, spec_url: str = "/openapi.json") -> None:
    """Register GET /docs and its assets on `app` (platform routes: no token needed)."""
    folder = static_folder()

    @app.get("/docs")
    def docs():
        page = render_template_string(PAGE, title=title, assets=ASSET_PATH, spec_url=spec_url)
        return Response(page, mimetype="text/html", headers={"Content-Security-Policy": DOCS_CSP})

    @app.get(ASSET_PATH + "init.js")
    def docs_init():
        return Response(INIT, mimetype="text/javascript", headers={"Cache-Control": "public, max-age=3600"})

    @app.get(ASSET_PATH + "<name>")
    def docs_asset(name: str):
        if name not in ASSETS:
            abort(404)
        response = send_from_directory(folder, name, max_age=86400)
        response.headers["Cache-Control"] = "public, max-age=86400"
        return response
