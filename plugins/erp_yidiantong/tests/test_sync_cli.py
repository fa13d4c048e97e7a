"""``ydt erp sync``: a summary per stream, every rejected row, exit 1 on failure."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from core.cli import main
from plugins.erp_yidiantong.tests.sync_fixtures import *  # noqa: F403
from plugins.erp_yidiantong.tests.test_sync_rejections import _inject_price


@pytest.fixture
def ydt(settings, sim_url):
    """Run ``ydt`` on the test's data dir and database, the connector pointed at the simulator."""
    env = {
        "YDT_DATA_DIR": str(settings.data_dir),
        "DATABASE_URL": settings.database_url,
        "YDT_SECRET_KEY": "test-secret",
        "YDT_JOBS_BACKEND": "immediate",
        "YDT_PLUGIN__ERP_YIDIANTONG__BASE_URL": sim_url,
        "YDT_PLUGIN__ERP_YIDIANTONG__IMAGES_PER_PRODUCT": "0",
    }

    def run(*args: str):
        return CliRunner().invoke(main, ["erp", "sync", *args], env=env, catch_exceptions=False)

    return run


def _table(output: str) -> dict[str, list[str]]:
    rows = {}
    for line in output.splitlines():
        cells = line.split()
        if len(cells) == 8 and cells[1] in ("ok", "failed", "skipped"):
            rows[cells[0]] = cells[1:]
    return rows


def test_a_sync_by_hand_prints_a_row_per_stream(ydt, dataset):
    result = ydt()
    assert result.exit_code == 0, result.output
    table = _table(result.output)
    assert list(table) == [
        "categories",
        "catalog",
        "customers",
        "accounts",
        "rep-assignments",
        "prices",
        "stock",
        "events",
    ]
    status, fetched, applied, unchanged, rejected, tombstoned, _seconds = table["catalog"]
    assert (status, fetched, applied, unchanged, rejected, tombstoned) == (
        "ok",
        str(len(dataset.products)),
        str(len(dataset.products)),
        "0",
        "0",
        "0",
    )
    assert table["prices"][:3] == ["ok", str(len(dataset.customer_prices)), str(len(dataset.customer_prices))]


def test_rejected_rows_are_printed_with_their_reason(ydt, sim):
    assert ydt().exit_code == 0
    _inject_price(sim, "C0002", "NOPE-9", "", 100000)
    result = ydt("prices", "ledger")
    assert result.exit_code == 0, result.output
    assert _table(result.output)["prices"][:5] == ["ok", "1", "0", "0", "1"]
    assert "rejected prices C0002 / NOPE-9 / : unknown product NOPE-9" in result.output
    assert "ledger" in _table(result.output)


def test_an_offline_erp_makes_the_command_fail(ydt, control):
    control.ok("POST", "offline")
    result = ydt("--full")
    assert result.exit_code == 1
    assert _table(result.output)["categories"][0] == "failed"
    assert "ERP_OFFLINE" in result.output
    assert "catalog" not in _table(result.output)  # later streams depend on the failed one


def test_unknown_streams_and_a_missing_gateway_are_refused(ydt, settings):
    assert ydt("nonsense").exit_code == 2
    idle = CliRunner().invoke(
        main,
        ["erp", "sync"],
        env={
            "YDT_DATA_DIR": str(settings.data_dir),
            "DATABASE_URL": settings.database_url,
            "YDT_SECRET_KEY": "x",
        },
    )
    assert idle.exit_code == 1
    assert "not configured" in idle.output
