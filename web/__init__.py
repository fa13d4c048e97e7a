"""Mobile web shell: shared templates, stylesheet, script and icons.

Plugins extend ``base.html`` (dealer and rep pages) or ``admin_base.html``
(back office) and import ``macros.html``; ``web/README.md`` lists the
template context and the macros. ``web`` imports no plugin.
"""

from pathlib import Path

TEMPLATE_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
