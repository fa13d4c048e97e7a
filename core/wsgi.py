"""WSGI entry point for servers: ``gunicorn core.wsgi:application``.

Settings come from the environment (see README); the schema must already
be up to date (``ydt db upgrade``).
"""

from core.app import create_app
from core.settings import load_settings

application = create_app(load_settings(), upgrade_db=False)
