"""HTTP basics every service shares: app factory, problems, auth, health, metrics, logs."""
