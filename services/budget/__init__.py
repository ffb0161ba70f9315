"""Budget: funds, triennial plan, interventions, allocations, expenditure (FASE 3)."""
SERVICE = "budget"
