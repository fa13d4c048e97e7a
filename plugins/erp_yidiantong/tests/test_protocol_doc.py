"""The protocol document matches the code: the worked example, codes, stages, types."""

from __future__ import annotations

import re
from pathlib import Path

from plugins.erp_yidiantong.egp import shapes, signing

DOC = Path(__file__).resolve().parents[3] / "docs" / "erp-gateway.md"


def _text() -> str:
    return DOC.read_text("utf-8")


def _worked_example() -> dict[str, str]:
    text = _text()
    marker = text.index("<!-- worked-example")
    block = text[text.index("```", marker) + 3 :]
    block = block[block.index("\n") + 1 : block.index("```")]
    values = {}
    for line in block.splitlines():
        name, _, value = line.partition(":")
        values[name.strip()] = value.strip()
    return values


def test_the_worked_example_recomputes_from_its_own_values():
    example = _worked_example()
    body = example["body"].encode("utf-8")
    assert example["key id"] == "demo"
    assert example["secret"] == "demo-egp-secret"
    assert signing.body_digest(body) == example["body sha256"]
    signature = signing.compute_signature(
        example["secret"], example["timestamp"], example["nonce"], example["method"], example["target"], body
    )
    assert signature == example["signature"]
    # The string to sign shown in the document is the one the code builds.
    shown = signing.string_to_sign(
        example["timestamp"], example["nonce"], example["method"], example["target"], body
    )
    assert shown.replace("\n", "\\n") in _text()
    # And the signed request verifies with the demo key.
    headers = {
        "X-EGP-Key-Id": example["key id"],
        "X-EGP-Timestamp": example["timestamp"],
        "X-EGP-Nonce": example["nonce"],
        "X-EGP-Signature": f"v1={example['signature']}",
    }
    verified = signing.verify_request(
        headers,
        example["method"],
        example["target"],
        body,
        signing.Keyring.single("demo", "demo-egp-secret"),
        signing.MemoryNonceStore(),
        now=int(example["timestamp"]) + 10,
    )
    assert verified.key_id == "demo"


def test_the_other_two_examples_are_right():
    text = _text()
    get_target = "/egp/v1/feeds/prices?cursor=eyJmIjoicHJpY2VzIiwicCI6MTIwMH0&limit=1000"
    get_signature = signing.compute_signature(
        "demo-egp-secret", 1772416800, "0cc175b9c0f1b6a831c399e269772661", "GET", get_target, b""
    )
    response_signature = signing.compute_signature(
        "demo-egp-secret",
        1772416801,
        "92eb5ffee6ae2fec3ad71c777531578f",
        "RESPONSE",
        "200 8f14e45fceea167a5a36dedd4bea2543",
        b'{"ok":true}',
    )
    assert get_target in text
    assert get_signature in text
    assert response_signature in text


def test_every_error_code_is_documented_with_its_status():
    text = _text()
    for code, spec in shapes.ERROR_CODES.items():
        row = re.search(rf"^\| {spec.status} \| `{code}` \| (yes|no) \|", text, re.M)
        assert row, f"docs/erp-gateway.md has no error row for {code} ({spec.status})"
        assert (row.group(1) == "yes") == spec.retryable, code


def test_every_stage_event_type_and_feed_is_documented():
    text = _text()
    for stage in shapes.STAGES:
        assert f"| `{stage.code}` | {stage.seq} | {stage.name} | {stage.progress_pct} |" in text, stage.code
    for event_type, stream in shapes.EVENT_TYPES.items():
        assert f"| `{event_type}` | `{stream}` |" in text, event_type
    for feed in shapes.FEEDS:
        assert f"#### `{feed}`" in text, feed
    for kind in shapes.LEDGER_KINDS:
        assert f"| `{kind}` |" in text, kind
    for channel in shapes.PAYMENT_CHANNELS:
        assert f"`{channel}`" in text, channel
