"""Fixtures of the platform (core.testing) and a small catalog for these tests."""

import pytest

from core.testing import app, client, db, jobs, make_user, settings  # noqa: F401
from plugins.catalog.tests.helpers import build_catalog


@pytest.fixture
def catalog(app):  # noqa: F811
    """A small catalog (see helpers.build_catalog): name -> record."""
    with app.ctx.activate():
        return build_catalog()


@pytest.fixture
def dealer(client, make_user):  # noqa: F811
    """A logged-in dealer of a customer of their own."""
    make_user("dealer9")
    return client.login("dealer9")
