"""Which other Ambiti share what with this one, as consultation needs it: pure, from a shared Sharing."""
from __future__ import annotations

REGISTER = "registry.stakeholders"


def sharing_origins(sharing, *, tenant: str, data: str) -> frozenset[str]:
    """The tenants that share `data` with `tenant` (none if there is no sharing declared, or no catalogue's yet)."""
    if sharing is None:
        return frozenset()
    return frozenset(share.origin for share in sharing.into(tenant) if data in share.data and share.origin != tenant)


def shared_registers(sharing, *, tenant: str) -> frozenset[str]:
    """The Ambiti whose register (registry.stakeholders) is shared with `tenant`: their organisations may take part."""
    return sharing_origins(sharing, tenant=tenant, data=REGISTER)


def known_origins(sharing, *, tenant: str, data: str) -> frozenset[str]:
    """The origins a list of `data` may hold: the tenant itself and the Ambiti sharing it (the `origin` filter)."""
    return sharing_origins(sharing, tenant=tenant, data=data) | {tenant}
