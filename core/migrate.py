"""Per-plugin schema versions and migrations, recorded in the database.

Contract:

* A plugin's tables come from its ``register_models`` hook. On a fresh
  install the core creates them and stamps every migration script the
  plugin ships as applied (the models already describe the latest schema).
* Later schema changes ship as ``<plugin>/migrations/NNNN_slug.py`` modules
  with ``upgrade(migrator, db)``; ``migrator`` is a
  ``playhouse.migrate.SchemaMigrator`` for the current database.
* ``ydt db upgrade`` (and every start of the demo/server) runs, plugin by
  plugin in dependency order, each script not yet recorded, each in its own
  transaction, then creates tables of models added since, and records the
  plugin version in ``plugin_state``.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass

from playhouse.migrate import SchemaMigrator

from core.db import current_database, utcnow
from core.models import FRAMEWORK_MODELS, AppliedMigration, PluginState


@dataclass
class UpgradeReport:
    installed: list[str]
    migrated: list[str]

    def __str__(self) -> str:
        parts = []
        if self.installed:
            parts.append("installed " + ", ".join(self.installed))
        if self.migrated:
            parts.append("applied " + ", ".join(self.migrated))
        return "; ".join(parts) or "database is up to date"


def migration_scripts(plugin) -> list[tuple[str, object]]:
    """Return ``(name, module)`` of a plugin's migration scripts, in order."""
    package = f"{plugin.module.__name__}.migrations"
    try:
        pkg = importlib.import_module(package)
    except ModuleNotFoundError as ex:
        if ex.name in (package, plugin.module.__name__):
            return []
        raise
    names = sorted(info.name for info in pkgutil.iter_modules(pkg.__path__) if info.name[:4].isdigit())
    return [(name, importlib.import_module(f"{package}.{name}")) for name in names]


def plugin_models(plugin) -> list:
    register = getattr(plugin.hooks, "register_models", None)
    return list(register()) if register else []


def upgrade(plugins) -> UpgradeReport:
    """Bring the database schema up to date for the given ordered plugins."""
    db = current_database()
    db.create_tables(FRAMEWORK_MODELS, safe=True)
    report = UpgradeReport([], [])
    for plugin in plugins:
        models = plugin_models(plugin)
        scripts = migration_scripts(plugin)
        state = PluginState.get_or_none(PluginState.name == plugin.name)
        if state is None:
            with db.atomic():
                db.create_tables(models, safe=True)
                for name, _ in scripts:
                    AppliedMigration.create(plugin=plugin.name, name=name)
                PluginState.create(name=plugin.name, version=plugin.manifest.version)
            report.installed.append(f"{plugin.name} {plugin.manifest.version}")
            continue
        applied = {
            row.name for row in AppliedMigration.select().where(AppliedMigration.plugin == plugin.name)
        }
        for name, module in scripts:
            if name in applied:
                continue
            with db.atomic():
                module.upgrade(SchemaMigrator.from_database(db), db)
                AppliedMigration.create(plugin=plugin.name, name=name)
            report.migrated.append(f"{plugin.name}:{name}")
        db.create_tables(models, safe=True)
        if state.version != plugin.manifest.version:
            state.version = plugin.manifest.version
            state.updated_at = utcnow()
            state.save()
    return report
