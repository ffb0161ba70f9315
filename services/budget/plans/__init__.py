"""The Piano Sociale di Zona: plans per triennium, their versions, approval path, snapshots and differences."""
