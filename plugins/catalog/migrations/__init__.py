"""Schema migrations of the catalog plugin (see core.migrate)."""
