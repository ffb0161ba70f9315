"""Database plumbing: per-tenant pools and forward-only migrations."""
