"""Root conftest: the platform fixtures (core.testing) for every test directory."""

pytest_plugins = ["core.testing"]
