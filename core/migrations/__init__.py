"""Schema migrations of the core tables (see core.migrate)."""
