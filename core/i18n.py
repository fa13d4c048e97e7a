"""The translation layer: English message ids, one JSON catalog per language.

Every plugin (and ``core`` and ``web``) may keep ``i18n/<lang>.json``, a flat
object mapping the English text to its translation. The default language is
``zh-CN`` (setting ``YDT_LANGUAGE``); English is the message id itself. A
request picks its language from ``?lang=``, the ``ydt_lang`` cookie or
``Accept-Language``.
"""

from __future__ import annotations

import json
import re
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

        self._patterns: dict[str, list[tuple[re.Pattern, str]]] = {}

    def gettext(self, lang: str, msgid: str, **params: object) -> str:
        text = self.catalogs.get(lang, {}).get(msgid, msgid)
        if params:
            try:
                return text.format(**params)
            except (KeyError, IndexError, ValueError):
                return text
        return text

    def translate_formatted(self, lang: str, message: str) -> str:
        """Translate a message whose placeholders were already filled in.

        Validation libraries hand over finished sentences ("Length must be
        between 1 and 64."); they are matched against the catalog entries
        with placeholders ("Length must be between {min} and {max}.") and
        the parameters carried over into the translation.
        """
        catalog = self.catalogs.get(lang, {})
        if message in catalog:
            return catalog[message]
        for pattern, translation in self._patterns_of(lang):
            match = pattern.match(message)
            if match:
                return translation.format(**match.groupdict())
        return message

    def _patterns_of(self, lang: str) -> list[tuple[re.Pattern, str]]:
        if lang not in self._patterns:
            compiled = []
            for msgid, translation in self.catalogs.get(lang, {}).items():
                if "{" not in msgid:
                    continue
                parts = re.split(r"\{(\w+)\}", msgid)
                regex = "".join(
                    re.escape(part) if index % 2 == 0 else f"(?P<{part}>.+?)"
                    for index, part in enumerate(parts)
                )
                try:
                    compiled.append((re.compile(f"^{regex}$", re.S), translation))
                except re.error:
                    continue
            self._patterns[lang] = compiled
        return self._patterns[lang]

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
