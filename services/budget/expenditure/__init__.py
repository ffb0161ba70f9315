"""Expenditure (rendicontazione): commitments (impegni) and payments (liquidazioni) against allocations."""
