"""Plugin discovery, ordering, disabling, isolation and migrations."""

import sys
import textwrap
import types

import pytest

from core.app import create_app, load_plugins
from core.db import use_database
from core.models import AppliedMigration, Customer, PluginState
from core.plugins import Manifest, PluginError, discover, hookimpl, resolve_order
from core.settings import load_settings


def _fake(name, depends=()):
    module = types.ModuleType(f"fake_{name}")
    module.MANIFEST = Manifest(name=name, version="1.0", summary=name, depends=tuple(depends))
    module.__file__ = __file__
    return module


def test_builtin_plugins_are_found_through_entry_points():
    found = discover()
    assert {"catalog", "pricing", "inventory", "orders"} <= set(found)


def test_plugins_load_after_their_dependencies(settings):
    names = [p.name for p in load_plugins(settings)]
    assert names[0] == "core"
    for plugin, dependency in [
        ("pricing", "catalog"),
        ("inventory", "catalog"),
        ("orders", "pricing"),
        ("orders", "inventory"),
    ]:
        assert names.index(dependency) < names.index(plugin)


def test_missing_dependency_stops_startup_naming_it(settings):
    with pytest.raises(PluginError, match="'extras' depends on 'nowhere', which is not installed"):
        load_plugins(settings, [_fake("extras", ["nowhere"])])


def test_dependency_cycle_stops_startup_naming_it(settings):
    with pytest.raises(PluginError, match="cycle: a -> b -> a"):
        load_plugins(settings, [_fake("a", ["b"]), _fake("b", ["a"])])


def test_disabling_a_needed_plugin_is_an_error(settings):
    from core.plugins import LoadedPlugin

    plugins = {n: LoadedPlugin(_fake(n).MANIFEST, _fake(n), None) for n in ("core",)}
    plugins["x"] = LoadedPlugin(_fake("x", ["core"]).MANIFEST, _fake("x"), None)
    with pytest.raises(PluginError, match="'x' depends on 'core', which is disabled"):
        resolve_order(plugins, disabled=("core",))


def test_a_disabled_plugin_contributes_nothing(tmp_path):
    settings = load_settings(environ={}, data_dir=tmp_path, disabled_plugins=("orders", "erp_yidiantong"))
    app = create_app(settings)
    paths = [path for path, _ in app.ctx.routes]
    assert not any(path.startswith("/api/v1/orders") for path in paths)
    assert "orders" not in [p.name for p in app.ctx.plugins]


def test_two_apps_with_different_databases_live_side_by_side(tmp_path):
    first = create_app(load_settings(environ={}, data_dir=tmp_path / "one"))
    second = create_app(load_settings(environ={}, data_dir=tmp_path / "two"))
    with first.ctx.activate():
        Customer.create(code="A1", name="一号")
    with second.ctx.activate():
        assert Customer.select().count() == 0
    with use_database(first.ctx.db):
        assert Customer.get().code == "A1"
    assert first.ctx.pm is not second.ctx.pm


def test_upgrade_records_plugin_versions_and_is_repeatable(app):
    report = app.ctx.upgrade_database()
    assert str(report) == "database is up to date"
    with app.ctx.activate():
        versions = {row.name: row.version for row in PluginState.select()}
    assert versions["core"] == "0.1.0"
    assert {"catalog", "pricing", "inventory", "orders"} <= set(versions)


def test_new_migration_scripts_run_once_in_order(tmp_path, monkeypatch):
    package = tmp_path / "plug_mig"
    (package / "migrations").mkdir(parents=True)
    (package / "__init__.py").write_text(
        textwrap.dedent("""
        from core.plugins import Manifest
        MANIFEST = Manifest(name="plug_mig", version="1.0", summary="test", depends=("core",))
    """)
    )
    (package / "migrations" / "__init__.py").write_text("")
    (package / "migrations" / "0001_first.py").write_text(
        textwrap.dedent("""
        def upgrade(migrator, db):
            db.execute_sql("CREATE TABLE mig_probe (n INTEGER)")
    """)
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    import plug_mig

    settings = load_settings(environ={}, data_dir=tmp_path / "data")
    app = create_app(settings, plugin_modules=[plug_mig])
    with app.ctx.activate():
        # fresh install stamps the script without running it
        assert [m.name for m in AppliedMigration.select().where(AppliedMigration.plugin == "plug_mig")] == [
            "0001_first"
        ]
    (package / "migrations" / "0002_second.py").write_text(
        textwrap.dedent("""
        def upgrade(migrator, db):
            db.execute_sql("CREATE TABLE mig_probe2 (n INTEGER)")
    """)
    )
    report = app.ctx.upgrade_database()
    assert report.migrated == ["plug_mig:0002_second"]
    assert app.ctx.upgrade_database().migrated == []
    with app.ctx.activate():
        app.ctx.db.execute_sql("SELECT count(*) FROM mig_probe2")
    sys.modules.pop("plug_mig", None)


class _Override:
    """A later-registered resolver is asked first and wins."""

    @hookimpl
    def resolve_payment_provider(self, ctx, method):
        return "override"


def test_extra_hooks_take_part_in_resolvers(settings):
    app = create_app(settings, extra_hooks=[_Override()])
    assert app.ctx.pm.hook.resolve_payment_provider(ctx=app.ctx, method="x") == "override"
