"""Bootstrap Italia's files, served by each service from the ONE folder `make` installed from npm.

`make portal-assets` runs `npm ci` in shared/web/ (package.json pins bootstrap-italia;
package-lock.json pins every file); the Docker image copies the package's `dist/` and names it with
PDZ_WEB_ASSETS. The public portal (reporting) and the pages of every service serve the same copy, with
these functions.
Only the CSS, fonts and icons are served: the pages need no script of Bootstrap Italia's.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Response, abort, send_from_directory

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
SERVED = ("css/", "fonts/", "svg/")
MAX_AGE = 86400   # the files change only with the pinned version


def folder() -> Path:
    """Bootstrap Italia's dist/ folder: PDZ_WEB_ASSETS, else the npm install beside this module."""
    configured = os.environ.get("PDZ_WEB_ASSETS")
    return Path(configured) if configured else HERE / "node_modules" / "bootstrap-italia" / "dist"


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


def own(name: str, folder: Path = HERE / "static") -> Response:
    """A stylesheet of our own: the web layer's (fonts and a few rules, shared/web/static/) or one in `folder`
    (the portal's)."""
    response = send_from_directory(folder, name, max_age=3600)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
