"""The registry's working pages (FASE 1): calls, applications, the register, the profile, privacy requests.

Pages call the registry's own use-case functions with a connection of the page's Ambito, never its HTTP API.
"""
from __future__ import annotations

from services.registry.pages.blueprint import blp
# Importing the view modules registers their routes on `blp`.
from services.registry.pages import (applications, calls, correction_form, corrections, home,  # noqa: F401,E402
                                     organisation, privacy, profile, register, register_forms)

pages = [blp]
