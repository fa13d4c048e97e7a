"""Every user-facing string of the plugin has a zh-CN translation."""

from __future__ import annotations

import json
import re
from pathlib import Path

from plugins.orders import lines, pages, schemas, states, views

PLUGIN = Path(__file__).parent.parent
CATALOG = json.loads((PLUGIN / "i18n" / "zh-CN.json").read_text("utf-8"))
CORE_CATALOG = json.loads((PLUGIN.parent.parent / "core" / "i18n" / "zh-CN.json").read_text("utf-8"))
WEB_CATALOG = json.loads((PLUGIN.parent.parent / "web" / "i18n" / "zh-CN.json").read_text("utf-8"))
KNOWN = {**WEB_CATALOG, **CORE_CATALOG, **CATALOG}


def template_msgids() -> set[str]:
    found = set()
    for path in (PLUGIN / "templates").rglob("*.html"):
        text = path.read_text("utf-8")
        found |= set(re.findall(r'_\("([^"]+)"', text)) | set(re.findall(r"_\('([^']+)'", text))
        for call in re.findall(r"m\.(?:field|empty)\(([^)]*)\)", text):
            found |= {s for s in re.findall(r'"([^"]+)"', call) if " " in s or s[0].isupper()} - {
                "delivery.contact",
                "delivery.phone",
                "delivery.address",
            }
        found |= set(re.findall(r'^\s*"\w+": "([^"]+)",?$', text, re.M))  # the status hints
    return found


def code_msgids() -> set[str]:
    found = set()
    for path in PLUGIN.glob("*.py"):
        text = path.read_text("utf-8")
        found |= set(re.findall(r'(?:Conflict|Forbidden|ValidationFailed|NotFound)\(\s*"([^"]+)"', text))
        # MSG_TOO_LONG is a template; its filled-in forms are checked per limit below
        found |= set(re.findall(r'^MSG_\w+ = "([^"{]+)"$', text, re.M))
    return found


def labels() -> set[str]:
    found = set(states.LABELS.values()) | set(states.REASON_LABELS.values())
    found |= {label for _key, label, _statuses in states.TABS}
    found |= set(lines.UNAVAILABLE_REASONS.values()) | set(views.KIND_LABELS.values())
    found |= set(views.PRICE_SOURCE_LABELS.values())
    found |= {group["title"] for group in pages.group_cart_lines([])} | {"Standard products", "Custom orders"}
    found |= {"Cart", "Orders", "My orders", "Confirm order", "Order details", "System"}
    return found


def test_every_template_string_is_translated():
    missing = sorted(msgid for msgid in template_msgids() if msgid not in KNOWN)
    assert missing == []


def test_every_error_message_and_label_is_translated():
    missing = sorted(msgid for msgid in code_msgids() | labels() if msgid not in KNOWN)
    assert missing == []


def test_length_messages_are_translated_for_every_limit_used():
    limits = {
        field.validators[0].max
        for schema in (schemas.LineBody, schemas.DeliveryBody, schemas.OrderBody)
        for field in schema().fields.values()
        if isinstance(field, schemas.Text)
    }
    assert limits and all(schemas.MSG_TOO_LONG.format(max=n) in CATALOG for n in limits)


def test_translations_keep_their_placeholders():
    for msgid, text in CATALOG.items():
        assert set(re.findall(r"{\w+}", msgid)) == set(re.findall(r"{\w+}", text)), msgid
