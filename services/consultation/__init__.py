"""Consultation: tavoli tematici, sessions, attendance, needs and proposals (FASE 2)."""
SERVICE = "consultation"


def consumer_group() -> str:
    """The replicas' consumer group, e.g. pdz.consultation.replicas (follows PDZ_TOPIC_PREFIX)."""
    from shared.events.topics import topic_prefix
    return f"{topic_prefix()}.consultation.replicas"
