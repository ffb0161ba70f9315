"""Reference data of the budget service: funds and their earmarking, LEPS, the CISIS nomenclature.

`reference()` is read once per process (cached) from configuration files and
checked; `earmark_violation(fund, ...)` says which rule an intervention breaks.
"""
from services.budget.reference.earmark import earmark_violation
from services.budget.reference.loader import ReferenceDataError, load_reference, parse_reference, reference
from services.budget.reference.model import KINDS, SOURCES, Fund, Leps, NomenclatureEntry, Reference

__all__ = ["Fund", "KINDS", "Leps", "NomenclatureEntry", "Reference", "ReferenceDataError", "SOURCES",
           "earmark_violation", "load_reference", "parse_reference", "reference"]
