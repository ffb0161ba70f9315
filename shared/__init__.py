"""Platform library every PdZ service uses: nothing domain-specific lives here."""
