"""The translation layer: English message ids, one JSON catalog per language.

Every plugin (and ``core`` and ``web``) may keep ``i18n/<lang>.json``, a flat
object mapping the English text to its translation. The default language is
``zh-CN`` (setting ``YDT_LANGUAGE``); English is the message id itself. A
request picks its language from ``?lang=``, the ``ydt_lang`` cookie or
``Accept-Language``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

SUPPORTED = ("zh-CN", "en")
LANG_COOKIE = "ydt_lang"


class Translator:
    """Translations for every loaded package, merged base-first."""

    def __init__(self, package_dirs: Iterable[Path], default: str = "zh-CN") -> None:
        self.default = default if default in SUPPORTED else "zh-CN"
        self.catalogs: dict[str, dict[str, str]] = {lang: {} for lang in SUPPORTED}
        for package_dir in package_dirs:
            for lang in SUPPORTED:
                path = Path(package_dir) / "i18n" / f"{lang}.json"
                if path.exists():
                    self.catalogs[lang].update(json.loads(path.read_text("utf-8")))

    def gettext(self, lang: str, msgid: str, **params: object) -> str:
        text = self.catalogs.get(lang, {}).get(msgid, msgid)
        if params:
            try:
                return text.format(**params)
            except (KeyError, IndexError, ValueError):
                return text
        return text

    def bound(self, lang: str):
        """Return ``_(msgid, **params)`` for one language."""

        def _(msgid: str, **params: object) -> str:
            return self.gettext(lang, msgid, **params)

        return _

    def pick(self, query_lang: str | None, cookie_lang: str | None, accept: str | None) -> str:
        for candidate in (query_lang, cookie_lang):
            if candidate in SUPPORTED:
                return candidate
        if accept:
            first = accept.split(",")[0].strip().lower()
            if first.startswith("en"):
                return "en"
            if first.startswith("zh"):
                return "zh-CN"
        return self.default
