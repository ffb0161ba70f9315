"""PageBlueprint: a plain Flask blueprint of HTML pages, outside the OpenAPI document and the token check.

The web layer (shared/web/install.py) recognises page blueprints when the app factory registers
them with `pages=[...]`: their requests are authenticated by the session cookie, CSRF-checked on
POST, answered with Italian HTML error pages, and served with the pages' Content-Security-Policy.
"""
from __future__ import annotations

from flask import Blueprint
from werkzeug.exceptions import HTTPException

from shared.web.errors import page_error


class PageBlueprint(Blueprint):
    """Pages of one Ambito under `/<tenant>/...` by default (DESIGN §6); another prefix may be given."""

    def __init__(self, name: str, import_name: str, url_prefix: str | None = "/<tenant>",
                 template_folder: str | None = "templates", **kwargs):
        super().__init__(name, import_name, url_prefix=url_prefix, template_folder=template_folder, **kwargs)
        # Here, not at registration: Flask forbids set-up on a blueprint already registered in an app,
        # and one module-level blueprint is registered in every app a test process creates.
        self.register_error_handler(HTTPException, page_error)
        self.register_error_handler(Exception, page_error)
