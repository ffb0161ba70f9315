"""The stakeholder register: organisations of the Ambito's network, their areas, status and history."""
