"""Schema migrations of the orders plugin (see core.migrate)."""
