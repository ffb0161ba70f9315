"""The shared web layer: the pages every service serves under /{tenant}/ next to its API (issue 13).

Nothing domain-specific lives here: the page blueprint, the session login (OpenID Connect against
Keycloak; the development login), CSRF, the Italian error pages, the layout and form macros, the
Italian filters. docs/console.md describes it; /work/notes/web-interface.md is the interface.
"""
from shared.web.auth import page_requires, page_requires_regional
from shared.web.blueprint import PageBlueprint
from shared.web.forms import field_errors
from shared.web.merger import allowed_after_merger

__all__ = ["PageBlueprint", "allowed_after_merger", "field_errors", "page_requires", "page_requires_regional"]
