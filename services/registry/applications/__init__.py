"""Applications to a public call: protocol numbers, the people named, review (admit or reject)."""
