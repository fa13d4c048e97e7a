"""Schema migrations of the pricing plugin (see core.migrate)."""
