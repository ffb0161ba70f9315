"""Budget: funds, triennial plan, interventions, allocations, expenditure (FASE 3)."""
SERVICE = "budget"


def consumer_group() -> str:
    """The replicas' consumer group, e.g. pdz.budget.replicas (follows PDZ_TOPIC_PREFIX)."""
    from shared.events.topics import topic_prefix
    return f"{topic_prefix()}.budget.replicas"
