"""Fixtures of the platform (core.testing) for these tests."""

from core.testing import app, client, db, jobs, make_user, settings  # noqa: F401
