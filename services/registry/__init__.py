"""Registry: the stakeholder network of an Ambito (FASE 1 of the Piano)."""
SERVICE = "registry"
