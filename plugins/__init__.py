"""Built-in plugins. Each is registered in setup.py's ``ydt.plugins`` group."""
