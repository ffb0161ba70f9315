"""Where a process finds its service's database secret: PDZ_DB_ROLE_SECRET_<SERVICE>.

Every role password is derived from one secret per service
(shared/db/roles.py). A process reads only its own service's variable; the
provisioning Job holds all of them. In Kubernetes each comes from the
Secret `pdz-db-role-<service>` (deploy/k8s); locally, with
PDZ_ENV=development and the variable unset, a fixed development secret is
used, which the local stack's provisioning uses too. Outside development an
unset or short secret stops the process at start: never a silent fallback
to a secret anyone can read in this repository.
"""
from __future__ import annotations

from shared.config import Settings
from shared.db.roles import ServiceLogin

DEV_ROLE_SECRET = "pdz-local-development-db-role-secret"
MIN_SECRET_LENGTH = 32


def secret_variable(service: str) -> str:
    """The environment variable holding a service's secret, e.g. PDZ_DB_ROLE_SECRET_REGISTRY."""
    return f"PDZ_DB_ROLE_SECRET_{service.upper()}"


def role_secret(settings: Settings, service: str) -> str:
    """The service's secret from the settings, or the development one; ValueError if neither may be used."""
    secret = settings.db_role_secrets.get(service)
    if secret:
        if len(secret) < MIN_SECRET_LENGTH:
            raise ValueError(f"{secret_variable(service)} must be at least {MIN_SECRET_LENGTH} characters "
                             "(e.g. openssl rand -hex 32)")
        return secret
    if settings.env == "development":
        return f"{DEV_ROLE_SECRET}:{service}"
    raise ValueError(f"{secret_variable(service)} is not set: the {service} processes derive their database "
                     "passwords from it (for the local stack: PDZ_ENV=development)")


def service_login(settings: Settings, service: str) -> ServiceLogin:
    """The logins of one service's processes."""
    return ServiceLogin(service=service, secret=role_secret(settings, service))


def role_secrets(settings: Settings, services) -> dict[str, str]:
    """Every named service's secret (provisioning creates the roles of all of them)."""
    return {service: role_secret(settings, service) for service in services}
