"""Who may open a page: the session's principal and its roles in the page's Ambito.

The same rules as the API (shared.http.auth): a role counts only in the Ambito it is given for,
the regional roles count in every Ambito (so `READERS` admits the regional admin); an anonymous
visitor is sent to the login, a visitor without a fitting role gets the Italian 403 page.
"""
from __future__ import annotations

from functools import wraps
from urllib.parse import quote

from flask import abort, g, redirect, request


def login_redirect():
    """302 to /accesso, coming back here afterwards (the path and query only: never another site)."""
    target = request.full_path if request.query_string else request.path
    return redirect(f"/accesso?next={quote(target, safe='/')}", code=302)


def page_requires(*roles: str):
    """View decorator for pages under /<tenant>/: logged in (else 302 to /accesso) with one of `roles` here (else 403)."""
    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if g.get("principal") is None:
                return login_redirect()
            if not g.roles & set(roles):   # g.roles holds the regional roles too, as in the API
                abort(403)
            return view(*args, **kwargs)
        wrapper.pdz_page_roles = frozenset(roles)
        return wrapper
    return decorate


def page_requires_regional(*roles: str):
    """View decorator for regional pages (no Ambito): logged in with one of the regional `roles`."""
    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            principal = g.get("principal")
            if principal is None:
                return login_redirect()
            if not principal.regional_roles & set(roles):
                abort(403)
            return view(*args, **kwargs)
        wrapper.pdz_page_roles = frozenset(roles)
        return wrapper
    return decorate
