"""The Italian error pages: a person who opens a page never gets problem+json.

Registered on every PageBlueprint (so a page's 400, 403, 404, 405, 500 or 503 is a page), and on the
app for a browser's request that matched no route outside the API's /v1/ (install.py).
"""
from __future__ import annotations

import logging

import psycopg
from flask import Response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from shared.db.errors import DatabaseUnavailable

log = logging.getLogger(__name__)


def _texts(status: int) -> tuple[str, str]:
    """(title, explanation) of an error page."""
    return {
        400: (_("Richiesta non valida"), _("La richiesta non può essere elaborata.")),
        403: (_("Accesso non consentito"),
              _("Il tuo ruolo non consente di aprire questa pagina in questo Ambito.")),
        404: (_("Pagina non trovata"), _("La pagina richiesta non esiste.")),
        405: (_("Operazione non consentita"), _("Questa pagina non accetta questa operazione.")),
        409: (_("Operazione non possibile"), _("L'operazione non è possibile nello stato attuale.")),
        413: (_("Dati troppo grandi"), _("I dati inviati superano la dimensione consentita.")),
        503: (_("Servizio momentaneamente non disponibile"), _("Riprova tra qualche istante.")),
    }.get(status, (_("Errore del servizio"), _("Si è verificato un errore imprevisto. Riprova più tardi.")))


def error_page(status: int, detail: str | None = None) -> Response:
    """The Italian page for `status`, with the page headers (CSP) of the web layer."""
    from shared.web.install import page_headers   # the CSP depends on the app's identity provider
    title, explanation = _texts(status)
    try:
        html = render_template("pdz/errore.html", status=status, title=title, explanation=explanation,
                               detail=detail)
    except Exception:  # the layout itself failed: a bare page still answers in Italian
        log.exception("error page failed")
        html = f"<!DOCTYPE html><html lang=\"it\"><title>{title}</title><h1>{title}</h1><p>{explanation}</p></html>"
    return page_headers(Response(html, status=status, mimetype="text/html"))


def _italian_detail(error: HTTPException) -> str | None:
    # werkzeug's own descriptions are English; only the web layer's (given in Italian) are shown.
    return getattr(error, "pdz_detail", None)


def page_error(error: Exception) -> Response:
    """Any error of a page request, as its Italian page."""
    if isinstance(error, CSRFError):
        return error_page(400, _("Il modulo è scaduto o non è valido: ricarica la pagina e riprova. "
                                 "Nessun dato è stato salvato."))
    if isinstance(error, HTTPException):
        return error_page(error.code or 500, _italian_detail(error))
    if isinstance(error, (DatabaseUnavailable, psycopg.OperationalError)):
        log.warning("database unavailable", extra={"error": type(error).__name__, "path": request.path})
        response = error_page(503)
        response.headers["Retry-After"] = "2"
        return response
    log.exception("unhandled error on a page")
    return error_page(500)


def not_found(detail: str) -> HTTPException:
    """A 404 whose Italian detail the page shows (e.g. 'Non esiste l'Ambito «x».')."""
    from werkzeug.exceptions import NotFound
    error = NotFound()
    error.pdz_detail = detail
    return error
