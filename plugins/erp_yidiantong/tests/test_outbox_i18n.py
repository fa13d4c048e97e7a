"""Every user-facing string of the outbox half has a zh-CN translation."""

from __future__ import annotations

import json
import re
from pathlib import Path

from plugins.erp_yidiantong.outbox import order_view, reasons

PLUGIN = Path(__file__).parent.parent
CATALOG = json.loads((PLUGIN / "i18n" / "zh-CN.json").read_text("utf-8"))
ROOT = PLUGIN.parent.parent
KNOWN = {
    **json.loads((ROOT / "web" / "i18n" / "zh-CN.json").read_text("utf-8")),
    **json.loads((ROOT / "core" / "i18n" / "zh-CN.json").read_text("utf-8")),
    **CATALOG,
}


def template_msgids() -> set[str]:
    found = set()
    for path in (PLUGIN / "templates" / "erp").rglob("*.html"):
        text = path.read_text("utf-8")
        found |= set(re.findall(r'_\("([^"]+)"', text)) | set(re.findall(r"_\('([^']+)'", text))
    return found


def code_msgids() -> set[str]:
    found = set()
    for path in (PLUGIN / "outbox").glob("*.py"):
        text = path.read_text("utf-8")
        found |= set(re.findall(r'(?:Conflict|Forbidden|ValidationFailed|NotFound)\(\s*"([^"]+)"', text))
        found |= set(re.findall(r'\["([A-Z][^"]+\.)"\]', text))  # field messages in details
        found |= set(re.findall(r'\berror="([^"]+)"', text))  # marshmallow validator messages
    found |= set(reasons.STATUS_LABELS.values()) | set(reasons.REJECTION_MESSAGES.values())
    found |= {
        reasons.GENERIC_REJECTION,
        order_view.QUEUED_TEXT,
        order_view.HELD_TEXT,
        order_view.CANCEL_REFUSED_TEXT,
        order_view.CANCEL_FAILED_TEXT,
        order_view.PRODUCTION_STARTED,
        order_view.IMPORTED_TEXT,
        order_view.STAGE_TEXT,
    }
    found |= set(order_view.STAGE_LABELS.values()) | {"ERP connector"}
    return found


def test_the_outbox_strings_are_found():
    assert "Sync now" in template_msgids()
    assert {"Unknown stream.", "Not a stream name.", "Waiting for the factory to accept"} <= code_msgids()


def test_every_template_string_is_translated():
    assert sorted(m for m in template_msgids() if m not in KNOWN) == []


def test_every_message_and_label_is_translated():
    assert sorted(m for m in code_msgids() if m not in KNOWN) == []


def test_translations_keep_their_placeholders():
    for msgid, text in CATALOG.items():
        assert set(re.findall(r"{\w+}", msgid)) == set(re.findall(r"{\w+}", text)), msgid
