"""CloudEvents envelope, the event catalogue and topic names."""
