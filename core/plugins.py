"""Plugin discovery, manifests and load order.

A plugin is a Python package registered under the ``ydt.plugins`` entry-point
group (built-in plugins are registered the same way in ``setup.py``). The
package exposes ``MANIFEST`` (a :class:`Manifest`); its ``hooks`` module, if
any, holds the ``@hookimpl`` functions, and its ``hookspecs`` module, if any,
declares new hooks other plugins may implement (added before any plugin is
registered, so load order does not matter). Plugins load in dependency order
(ties broken by name); a missing dependency or a cycle stops start-up with a
:class:`PluginError` naming it. ``YDT_DISABLED_PLUGINS=a,b`` disables plugins.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy

from core import hookspecs

ENTRY_POINT_GROUP = "ydt.plugins"
hookimpl = pluggy.HookimplMarker("ydt")


class PluginError(RuntimeError):
    """The set of plugins cannot be loaded as configured."""


@dataclass(frozen=True)
class Setting:
    """One setting a plugin accepts, with its type, default and help text."""

    default: Any
    help: str = ""
    type: type = str

    def coerce(self, raw: Any) -> Any:
        if raw is None:
            return self.default
        if self.type is bool and not isinstance(raw, bool):
            return str(raw).lower() in ("1", "true", "yes", "on")
        return self.type(raw)


@dataclass(frozen=True)
class Manifest:
    """What a plugin declares about itself."""

    name: str
    version: str
    summary: str
    depends: tuple[str, ...] = ()
    settings: dict[str, Setting] = field(default_factory=dict)


@dataclass
class LoadedPlugin:
    manifest: Manifest
    module: ModuleType
    hooks: ModuleType | None
    hookspecs: ModuleType | None = None

    @property
    def name(self) -> str:
        return self.manifest.name

    @property
    def directory(self) -> Path:
        return Path(self.module.__file__).parent


def discover() -> dict[str, ModuleType]:
    """Import every plugin package registered under the entry-point group."""
    found: dict[str, ModuleType] = {}
    for entry in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        if entry.name in found:
            continue
        found[entry.name] = entry.load()
    return found


def _optional_submodule(module: ModuleType, name: str) -> ModuleType | None:
    """Import ``<package>.<name>`` if the plugin package has it."""
    try:
        return importlib.import_module(f"{module.__name__}.{name}")
    except ModuleNotFoundError as ex:
        if ex.name not in (module.__name__, f"{module.__name__}.{name}"):
            raise
        return None


def load_plugin(module: ModuleType) -> LoadedPlugin:
    manifest = getattr(module, "MANIFEST", None)
    if not isinstance(manifest, Manifest):
        raise PluginError(f"plugin {module.__name__} has no MANIFEST")
    return LoadedPlugin(
        manifest=manifest,
        module=module,
        hooks=_optional_submodule(module, "hooks"),
        hookspecs=_optional_submodule(module, "hookspecs"),
    )


def resolve_order(plugins: dict[str, LoadedPlugin], disabled: tuple[str, ...] = ()) -> list[LoadedPlugin]:
    """Sort enabled plugins so each comes after its dependencies.

    Raises PluginError naming a missing or disabled dependency, or a cycle.
    """
    enabled = {name: plugin for name, plugin in plugins.items() if name not in disabled}
    for name, plugin in sorted(enabled.items()):
        for dep in plugin.manifest.depends:
            if dep in disabled and dep in plugins:
                raise PluginError(f"plugin {name!r} depends on {dep!r}, which is disabled")
            if dep not in enabled:
                raise PluginError(f"plugin {name!r} depends on {dep!r}, which is not installed")

    ordered: list[LoadedPlugin] = []
    state: dict[str, str] = {}

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            cycle = " -> ".join(path[path.index(name) :] + [name])
            raise PluginError(f"plugin dependency cycle: {cycle}")
        state[name] = "visiting"
        for dep in sorted(enabled[name].manifest.depends):
            visit(dep, path + [name])
        state[name] = "done"
        ordered.append(enabled[name])

    for name in sorted(enabled):
        visit(name, [])
    return ordered


def plugin_settings(plugin: LoadedPlugin, raw: dict[str, Any]) -> dict[str, Any]:
    """Coerce the raw settings given for a plugin against its manifest."""
    unknown = set(raw) - set(plugin.manifest.settings)
    if unknown:
        raise PluginError(f"unknown settings for plugin {plugin.name!r}: {', '.join(sorted(unknown))}")
    return {key: spec.coerce(raw.get(key)) for key, spec in plugin.manifest.settings.items()}


def make_plugin_manager(ordered: list[LoadedPlugin], extra: list[Any] = ()) -> pluggy.PluginManager:
    """Build a plugin manager with the given plugins registered in order.

    pluggy calls later registrations first; dependents are registered after
    their dependencies and can therefore override ``resolve_*`` answers.
    """
    pm = pluggy.PluginManager("ydt")
    pm.add_hookspecs(hookspecs)
    for plugin in ordered:
        # Plugin hookspecs first: a dependent's implementation of a hook its
        # dependency declares must find the spec when it is registered.
        if plugin.hookspecs is not None:
            pm.add_hookspecs(plugin.hookspecs)
    for plugin in ordered:
        if plugin.hooks is not None:
            pm.register(plugin.hooks, name=plugin.name)
    for obj in extra:
        pm.register(obj)
    pm.check_pending()
    if os.environ.get("YDT_TRACE_HOOKS"):
        pm.trace.root.setwriter(print)
        pm.enable_tracing()
    return pm


def collect(pm: pluggy.PluginManager, hook_name: str, **kwargs: Any) -> list[Any]:
    """Call a collect-all hook and flatten its results, base plugin first."""
    results = getattr(pm.hook, hook_name)(**kwargs)
    flat: list[Any] = []
    for result in reversed(results):
        if result is None:
            continue
        if isinstance(result, (list, tuple)):
            flat.extend(result)
        else:
            flat.append(result)
    return flat
