"""Every user-facing string of the sync half has a zh-CN translation."""

from __future__ import annotations

import json
import re
from pathlib import Path

from plugins.erp_yidiantong.sync import live, push

PLUGIN = Path(__file__).parent.parent
ROOT = PLUGIN.parent.parent
KNOWN = {
    **json.loads((ROOT / "core" / "i18n" / "zh-CN.json").read_text("utf-8")),
    **json.loads((ROOT / "plugins" / "pricing" / "i18n" / "zh-CN.json").read_text("utf-8")),
    **json.loads((PLUGIN / "i18n" / "zh-CN.json").read_text("utf-8")),
}


def test_error_messages_and_price_labels_are_translated():
    msgids = {push.InvalidSignature.message, live.FALLBACK_NOTE}
    for path in (PLUGIN / "sync").rglob("*.py"):
        text = path.read_text("utf-8")
        msgids |= set(re.findall(r'(?:ValidationFailed|Conflict|Forbidden|NotFound)\(\s*"([^"]+)"', text))
        msgids |= set(re.findall(r'BreakdownItem\(\s*"([^"]+)"', text))
        msgids |= set(re.findall(r'label = "([^"]+)"', text))
    assert len(msgids) >= 8, msgids
    missing = sorted(m for m in msgids if not KNOWN.get(m))
    assert missing == []
