"""Reporting: regional read models built from every service's events."""
SERVICE = "reporting"


def consumer_group() -> str:
    """The projections' consumer group, e.g. pdz.reporting.projections (follows PDZ_TOPIC_PREFIX)."""
    from shared.events.topics import topic_prefix
    return f"{topic_prefix()}.reporting.projections"
