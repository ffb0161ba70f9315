"""Pages of needs and proposals (FASE 2): the Ambito's needs; recording a need at a table."""
from __future__ import annotations
