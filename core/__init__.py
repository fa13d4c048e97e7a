"""The platform core: app factory, plugins, database, auth and conventions.

Nothing furniture-specific lives here. Plugins (see ``core.hookspecs``) bring
the domain; the core gives them a database, an HTTP app, a plugin manager,
settings, users and the shared conventions of the API contract.
"""


def create_app(settings=None, **kwargs):
    """Build a platform WSGI app; see :func:`core.app.create_app`."""
    from core.app import create_app as _create_app

    return _create_app(settings, **kwargs)
