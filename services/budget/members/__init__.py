"""The register replica: organisations (managing bodies, suppliers, signatories) from the registry's events."""
