"""Bootstrap Italia's files, served by reporting from the one copy every service's pages share.

`make portal-assets` runs `npm ci` in shared/web/ (shared/web/assets.py: package.json pins
bootstrap-italia; package-lock.json pins every file); the Docker image copies the package's
`dist/` and names it with PDZ_WEB_ASSETS. Only the CSS, fonts and icons are served: the portal
runs no script.
"""
from __future__ import annotations

import logging
from pathlib import Path

from flask import Response, abort, send_from_directory

from shared.web import assets as web_assets

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
SERVED = ("css/", "fonts/", "svg/")
MAX_AGE = 86400   # the files change only with the pinned version


def folder() -> Path:
    """Bootstrap Italia's dist/ folder: the one copy of shared/web (PDZ_WEB_ASSETS, else its npm install)."""
    return web_assets.folder()


def installed() -> bool:
    return (folder() / "css" / "bootstrap-italia.min.css").is_file()


def send(name: str) -> Response:
    """One file of dist/ (css, fonts, svg only); 404 for anything else or a missing install."""
    if not name.startswith(SERVED) or name.endswith(".map"):
        abort(404)
    if not installed():
        log.warning("Bootstrap Italia is not installed: run `make portal-assets`", extra={"folder": str(folder())})
        abort(404)
    response = send_from_directory(folder(), name, max_age=MAX_AGE)
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
    return response


def own_css() -> Response:
    response = send_from_directory(HERE / "static", "portale.css", max_age=3600)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
