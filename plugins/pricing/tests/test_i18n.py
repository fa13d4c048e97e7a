"""Every user-facing string of the pricing plugin has a zh-CN translation."""

import json
import re
from pathlib import Path

PLUGIN = Path(__file__).parent.parent
CATALOG = json.loads((PLUGIN / "i18n" / "zh-CN.json").read_text("utf-8"))
PATTERNS = (
    r'_\(\s*"([^"]+)"',  # _("...") in resources
    r'BreakdownItem\(\s*"([^"]+)"',  # breakdown labels
    r'label = "([^"]+)"',
    r'^\s+message = "([^"]+)"',  # ApiError subclasses
    r'return "([A-Z][^"]+\.)"',  # message ids returned by checks (price_file)
    r'"(?:invalid|range)": "([^"]+)"',  # Money field errors
    r'^MSG_\w+ = "([^"]+)"',  # field messages
)


def code_msgids():
    found = set()
    for path in PLUGIN.glob("*.py"):
        text = path.read_text("utf-8")
        for pattern in PATTERNS:
            found |= set(re.findall(pattern, text, re.M))
    return found


def test_the_scan_finds_the_labels():
    assert {"Rounding", "{grade} (customer price)", "Not a grade of this product."} <= code_msgids()
    assert "Too many options: a product has at most 32 option groups." in code_msgids()


def test_the_option_messages_it_raises_are_translated_here_too():
    from plugins.catalog.services import MSG_UNKNOWN_GROUP, MSG_UNKNOWN_VALUE

    assert {MSG_UNKNOWN_GROUP, MSG_UNKNOWN_VALUE} <= set(CATALOG)


def test_every_msgid_is_translated_with_the_same_placeholders():
    missing = sorted(msgid for msgid in code_msgids() if msgid not in CATALOG)
    assert missing == []
    for msgid, text in CATALOG.items():
        assert set(re.findall(r"{(\w+)}", msgid)) == set(re.findall(r"{(\w+)}", text)), msgid
