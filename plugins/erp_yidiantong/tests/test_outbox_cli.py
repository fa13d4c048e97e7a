"""``ydt erp outbox`` and ``ydt erp dispatch``: the outbox by hand."""

from __future__ import annotations

from click.testing import CliRunner

from core.cli import main
from plugins.erp_yidiantong.tests.outbox_fixtures import platform_env
from plugins.erp_yidiantong.tests.outbox_helpers import outbox_rows, place_order


def ydt(app, sim_url, *args):
    return CliRunner().invoke(main, list(args), env=platform_env(app, sim_url), catch_exceptions=False)


def test_outbox_shows_the_dead_letters_and_retries_them(connector_app, shop, sim_url, sim_http):
    sim_http.post("faults", {"error_rate_5xx": "1"})
    number = place_order(shop("dealer9"), connector_app, [("S-801-LA", 1, {})]).json["no"]
    with connector_app.ctx.activate():
        (message,) = outbox_rows(connector_app, number)
        message.status = "dead"  # as after the last failed attempt
        message.save()

    shown = ydt(connector_app, sim_url, "erp", "outbox")
    assert shown.exit_code == 0, shown.output
    assert f"ERP {sim_url}: online" in shown.output
    assert "outbox: pending 0, in_flight 0, done 0, dead 1" in shown.output
    assert f"#{message.id:<6} {number:<18} attempts 1" in shown.output
    assert "INTERNAL_ERROR" in shown.output

    sim_http.call("DELETE", "faults")
    retried = ydt(connector_app, sim_url, "erp", "outbox", "--retry", str(message.id))
    assert retried.exit_code == 0, retried.output
    # The CLI's jobs run inline here: the retry was sent at once.
    assert f"outbox {message.id} ({number}) retried; now done" in retried.output
    assert "outbox: pending 0, in_flight 0, done 1, dead 0" in retried.output
    assert sim_http.order(number)["created_count"] == 1

    missing = ydt(connector_app, sim_url, "erp", "outbox", "--retry", "424242")
    assert missing.exit_code == 1
    assert "Not found." in missing.output


def test_dispatch_sends_what_is_due_and_fails_while_the_erp_is_offline(
    connector_app, shop, sim_url, sim_http
):
    sim_http.post("offline")
    numbers = [
        place_order(shop("dealer10"), connector_app, [("S-801-M", 1, {})]).json["no"] for _ in range(3)
    ]

    offline = ydt(connector_app, sim_url, "erp", "dispatch")
    assert offline.exit_code == 1
    assert "sent 0" in offline.output and "ERP offline" in offline.output
    assert {row.attempts for row in outbox_rows(connector_app)} == {0}

    sim_http.post("online")
    sent = ydt(connector_app, sim_url, "erp", "dispatch")
    assert sent.exit_code == 0, sent.output
    assert "sent 3, imported 3, rejected 0, retrying 0, dead 0" in sent.output
    assert [o["platform_order_no"] for o in sim_http.get("orders")["items"]] == numbers

    again = ydt(connector_app, sim_url, "erp", "dispatch")
    assert again.exit_code == 0
    assert "sent 0, imported 0" in again.output
