"""The plugin author guide documents every hook with its exact signature.

Core hooks (``core/hookspecs.py``) and hooks that plugins declare for the
plugins built on them (``plugins/<name>/hookspecs.py``) alike.
"""

import inspect
import re
from pathlib import Path

from core import hookspecs
from core.plugins import discover, load_plugin

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "plugins.md"


def _specs_of(module):
    return {
        name: func
        for name, func in vars(module).items()
        if inspect.isfunction(func) and hasattr(func, "ydt_spec")
    }


def _hookspecs():
    specs = _specs_of(hookspecs)
    for module in discover().values():
        plugin = load_plugin(module)
        if plugin.hookspecs is not None:
            specs.update(_specs_of(plugin.hookspecs))
    return specs


def test_every_hookspec_has_a_docstring():
    assert len(_hookspecs()) >= 17
    for name, func in _hookspecs().items():
        assert (func.__doc__ or "").strip(), f"hookspec {name} has no docstring"


def test_every_hookspec_has_a_section_with_its_signature():
    text = GUIDE.read_text("utf-8")
    headings = set(re.findall(r"^### `(\w+\(.*?\))`$", text, re.M))
    for name, func in _hookspecs().items():
        params = ", ".join(inspect.signature(func).parameters)
        assert f"{name}({params})" in headings, f"docs/plugins.md lacks a section '### `{name}({params})`'"


def test_no_section_documents_a_hook_that_does_not_exist():
    text = GUIDE.read_text("utf-8")
    documented = {m.split("(")[0] for m in re.findall(r"^### `(\w+)\(", text, re.M)}
    assert documented <= set(_hookspecs())
