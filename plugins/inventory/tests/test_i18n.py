"""Every user-facing string of the inventory plugin has a zh-CN translation."""

import json
import re
from pathlib import Path

PLUGIN = Path(__file__).parent.parent
CATALOG = json.loads((PLUGIN / "i18n" / "zh-CN.json").read_text("utf-8"))
PATTERNS = (
    r'_\(\s*"([^"]+)"',
    r'^\s+message = "([^"]+)"',  # ApiError subclasses
    r'ValidationFailed\(\s*"([^"]+)"',
    r'return "([A-Z][^"]+\.)"',  # upload row problems
    r'ValidationError\(\s*"([^"]+)"',
)
# The Chinese message names the unit (套, 张...) that English leaves out.
EXTRA_PLACEHOLDERS = {"Not enough stock: {product} has only {available} left.": {"unit"}}


def code_msgids():
    found = set()
    for path in PLUGIN.glob("*.py"):
        text = path.read_text("utf-8")
        for pattern in PATTERNS:
            found |= set(re.findall(pattern, text, re.M))
    return found


def test_the_scan_finds_the_messages():
    assert {
        "No product has this code.",
        "Not enough stock: {product} has only {available} left.",
    } <= code_msgids()


def test_every_msgid_is_translated_with_the_same_placeholders():
    missing = sorted(msgid for msgid in code_msgids() if msgid not in CATALOG)
    assert missing == []
    for msgid, text in CATALOG.items():
        expected = set(re.findall(r"{(\w+)}", msgid)) | EXTRA_PLACEHOLDERS.get(msgid, set())
        assert set(re.findall(r"{(\w+)}", text)) == expected, msgid
