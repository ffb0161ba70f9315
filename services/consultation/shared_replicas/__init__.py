"""Read-only replicas of the consultation data shared by other Ambiti (issue 9).

`PROJECTORS` (event type -> projector) must be applied only WHERE RECEIVED: in the databases of the
tenants an event's origin shares its data set with (shared/sharing.py), never in the origin's own.
"""
from services.consultation.shared_replicas.projectors import PROJECTORS

__all__ = ["PROJECTORS"]
