"""Schema migrations of the inventory plugin (see core.migrate)."""
