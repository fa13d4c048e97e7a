"""The app factory: settings + plugins + database -> a Falcon WSGI app.

``create_app(settings)`` discovers plugins, orders them, builds a private
plugin manager and database, mounts every contributed route and returns a
:class:`PlatformApp`. Nothing is kept at module level, so several apps with
different settings can run side by side in one process.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import falcon
import pluggy

import web
from core import builtin, errors, plugins
from core.auth import AuthMiddleware
from core.compress import GzipMiddleware
from core.db import is_postgres, open_database, use_database
from core.i18n import LANG_COOKIE, Translator
from core.migrate import upgrade
from core.settings import Settings, load_settings
from core.web import StaticFiles, make_environment

log = logging.getLogger("ydt")

CORE_MANIFEST = plugins.Manifest(
    name="core", version="0.1.0", summary="Users, customers, sessions, framework"
)


class AppContext:
    """Everything a plugin needs from its app, passed to hooks as ``ctx``."""

    def __init__(self, settings: Settings, ordered: list[plugins.LoadedPlugin], pm: pluggy.PluginManager):
        self.settings = settings
        self.plugins = ordered
        self.pm = pm
        self.db = open_database(settings.effective_database_url)
        self.plugin_config = {
            plugin.name: plugins.plugin_settings(plugin, settings.plugin(plugin.name)) for plugin in ordered
        }
        package_dirs = [Path(web.__file__).parent] + [plugin.directory for plugin in ordered]
        self.translator = Translator(package_dirs, settings.language)
        template_dirs = list(reversed(plugins.collect(pm, "register_template_dirs"))) + [web.TEMPLATE_DIR]
        self.templates = make_environment(template_dirs)
        static_dirs = {"web": web.STATIC_DIR}
        static_dirs.update(dict(plugins.collect(pm, "register_static_dirs")))
        self.static = StaticFiles(static_dirs)
        self.nav_items = sorted(plugins.collect(pm, "register_nav_items", ctx=self), key=lambda i: i.order)
        self.routes: list[tuple[str, Any]] = []
        self.huey = None  # built lazily by core.jobs

    def config(self, plugin: str) -> dict[str, Any]:
        """The coerced settings of one plugin (see its manifest)."""
        return self.plugin_config[plugin]

    def plugin(self, name: str) -> plugins.LoadedPlugin | None:
        return next((p for p in self.plugins if p.name == name), None)

    @contextlib.contextmanager
    def activate(self) -> Iterator[AppContext]:
        """Bind this app's database for code running outside a request."""
        with use_database(self.db):
            try:
                yield self
            finally:
                if is_postgres(self.db) and not self.db.in_transaction():
                    self.db.close()

    def upgrade_database(self):
        with self.activate():
            return upgrade(self.plugins)


class PlatformApp(falcon.App):
    """A Falcon app that binds its own database around each request."""

    ctx: AppContext

    def __call__(self, env: dict, start_response):  # type: ignore[override]
        with use_database(self.ctx.db):
            try:
                return super().__call__(env, start_response)
            finally:
                if is_postgres(self.ctx.db) and not self.ctx.db.in_transaction():
                    self.ctx.db.close()


class BodyLimitMiddleware:
    """Refuse bodies over the upload limit before anything reads them, and answer 404
    for paths with a NUL character."""

    def __init__(self, ctx: AppContext) -> None:
        self.limit = ctx.settings.max_upload_bytes

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        if req.content_length and req.content_length > self.limit:
            raise errors.PayloadTooLarge("The request body is too large.")
        if "\x00" in req.path:  # no record has such a name; PostgreSQL cannot even compare it
            req.context.user = req.context.session = None  # the error page renders without them
            raise errors.NotFound()


class LanguageMiddleware:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        query_lang = req.get_param("lang")
        req.context.lang = self.ctx.translator.pick(
            query_lang, req.cookies.get(LANG_COOKIE), req.get_header("Accept-Language")
        )
        if query_lang == req.context.lang:
            resp.set_cookie(
                LANG_COOKIE, query_lang, max_age=365 * 86400, path="/", secure=False, http_only=False
            )


def load_plugins(settings: Settings, modules: list[ModuleType] | None = None) -> list[plugins.LoadedPlugin]:
    """Discover (or take the given) plugin packages and order them."""
    found = modules if modules is not None else list(plugins.discover().values())
    loaded = {}
    for module in found:
        plugin = plugins.load_plugin(module)
        loaded[plugin.name] = plugin
    core_plugin = plugins.LoadedPlugin(manifest=CORE_MANIFEST, module=_core_module(), hooks=builtin)
    ordered = plugins.resolve_order({"core": core_plugin, **loaded}, settings.disabled_plugins)
    return ordered


def _core_module() -> ModuleType:
    import core

    return core


def create_app(
    settings: Settings | None = None,
    *,
    plugin_modules: list[ModuleType] | None = None,
    extra_hooks: list[Any] = (),
    upgrade_db: bool = True,
) -> PlatformApp:
    """Build the platform WSGI app.

    Args:
        settings: settings to use; read from the environment when omitted.
        plugin_modules: plugin packages to load instead of discovering the
            installed ones (tests use this to load a chosen set).
        extra_hooks: more objects with ``@hookimpl`` functions (tests).
        upgrade_db: create or migrate the schema before returning.
    """
    settings = settings or load_settings()
    ordered = load_plugins(settings, plugin_modules)
    pm = plugins.make_plugin_manager(ordered, list(extra_hooks))
    ctx = AppContext(settings, ordered, pm)

    app = PlatformApp(
        middleware=[GzipMiddleware(), LanguageMiddleware(ctx), BodyLimitMiddleware(ctx), AuthMiddleware(ctx)]
    )
    app.ctx = ctx
    app.req_options.strip_url_path_trailing_slash = True
    app.req_options.auto_parse_qs_csv = False
    app.resp_options.secure_cookies_by_default = settings.cookie_secure
    errors_handlers = builtin.error_handlers(ctx)
    for exc_type, handler in errors_handlers:
        app.add_error_handler(exc_type, handler)

    for path, resource in plugins.collect(pm, "register_routes", ctx=ctx):
        app.add_route(path, resource)
        ctx.routes.append((path, resource))

    if upgrade_db:
        report = ctx.upgrade_database()
        log.info("database: %s", report)
    with ctx.activate():
        pm.hook.on_startup(ctx=ctx)
    return app


__all__ = ["AppContext", "PlatformApp", "create_app", "errors"]
