"""Budget's re-publication (backfill): its shared data sets as they stand, as snapshot events.

`pdz-budget-republish --tenant T --data budget.interventions` (or `pdz republish --service budget …`,
or `python -m services.budget.republish …`). The builders live with their packages.
"""
from __future__ import annotations

import sys

from shared.outbox.republish import main as republish_main

from services.budget import SERVICE
from services.budget.interventions.republish import BUILDERS as INTERVENTIONS

BUILDERS = {**INTERVENTIONS}


def main(argv: list[str] | None = None) -> int:
    return republish_main(SERVICE, BUILDERS, argv)


if __name__ == "__main__":
    sys.exit(main())
