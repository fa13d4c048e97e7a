"""Every text the catalog shows has a Chinese translation."""

import json
import re
from pathlib import Path

PLUGIN = Path(__file__).resolve().parent.parent
CATALOG = json.loads((PLUGIN / "i18n" / "zh-CN.json").read_text("utf-8"))
CALL = re.compile(r"""_\(\s*(["'])(.+?)\1""")
# m.empty(icon, title, hint, url, label): title, literal hint and label are msgids.
EMPTY = re.compile(
    r"""m\.empty\(\s*"[\w-]+",\s*"([^"]+)",\s*(?:"([^"]+)"|_\(.*?\))(?:,\s*"[^"]*",\s*"([^"]+)")?"""
)


def template_msgids():
    for path in (PLUGIN / "templates").rglob("*.html"):
        text = path.read_text("utf-8")
        for match in CALL.finditer(text):
            yield path.name, match.group(2)
        for match in EMPTY.finditer(text):
            for msgid in match.groups():
                if msgid:
                    yield path.name, msgid


def test_every_template_text_is_translated():
    missing = sorted({(name, msgid) for name, msgid in template_msgids() if msgid not in CATALOG})
    assert missing == []


def test_nav_labels_and_page_titles_are_translated():
    for msgid in (
        "Home",
        "Categories",
        "Search results",
        "All products",
        "The file is not a picture we can read.",
    ):
        assert msgid in CATALOG


def test_field_messages_of_the_services_are_translated():
    code = "".join(path.read_text("utf-8") for path in PLUGIN.glob("*.py"))
    messages = re.findall(r'^MSG_\w+ = "([^"]+)"', code, re.M)
    assert "This option has no such value." in messages and "Unknown category." in messages
    assert [msgid for msgid in messages if msgid not in CATALOG] == []


def test_translations_keep_their_placeholders():
    for msgid, text in CATALOG.items():
        assert set(re.findall(r"{\w+}", msgid)) == set(re.findall(r"{\w+}", text)), msgid
