"""Ambito profile HTTP API (being written)."""
from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("profile", __name__, url_prefix="/v1/<tenant>",
                description="Il profilo dell'Ambito: comuni, capofila, ente gestore, aree tematiche")
