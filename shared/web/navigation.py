"""One navigation across the services: each service's public URL from the settings (PDZ_WEB_URL_*)."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from shared.web.settings import WebSettings

# What each service is called in the navigation, and where its pages start.
NAMES = {"registry": _l("Registro e avvisi"), "consultation": _l("Consultazione"),
         "budget": _l("Bilancio del Piano"), "reporting": _l("Portale della trasparenza")}


@dataclass(frozen=True)
class Link:
    service: str
    text: object   # a lazy Italian string (flask-babel)
    url: str
    current: bool


def links(web: WebSettings, *, service: str, tenant=None) -> list[Link]:
    """The services' links: their pages of this Ambito (when there is one), the public portal."""
    found = []
    for name, text in NAMES.items():
        base = web.urls.get(name)
        if not base:
            continue
        if name == "reporting":
            url = f"{base}/portale/" + (f"ambiti/{tenant.slug}" if tenant is not None else "")
        elif tenant is not None:
            url = f"{base}/{tenant.slug}/"
        else:
            url = f"{base}/accesso"
        found.append(Link(service=name, text=text, url=url, current=name == service))
    return found
