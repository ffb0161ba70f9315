"""Regional indicators (issue 11): the contract in model.py; one module per domain registers its indicators.

Importing this package imports every indicator module, so REGISTRY is complete.
"""
from services.reporting.indicators.model import REGISTRY, Definition, Figure, Indicator, Period, Source, register
from services.reporting.indicators import registry as _registry  # noqa: E402,F401  (registers at import)
from services.reporting.indicators import participation as _participation  # noqa: E402,F401
from services.reporting.indicators import funnel as _funnel  # noqa: E402,F401
from services.reporting.indicators import timeline as _timeline  # noqa: E402,F401
from services.reporting.indicators import money as _money  # noqa: E402,F401
from services.reporting.indicators import leps as _leps  # noqa: E402,F401
from services.reporting.indicators import progress as _progress  # noqa: E402,F401

__all__ = ["REGISTRY", "Definition", "Figure", "Indicator", "Period", "Source", "register"]
