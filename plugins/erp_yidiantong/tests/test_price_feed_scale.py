"""The price feed pages 100,000 dealer prices by keyset: every row once, one index scan per page."""

from __future__ import annotations

import peewee

from plugins.erp_yidiantong.egp.shapes import FEED_LIMIT_MAX
from plugins.erp_yidiantong.simulator import add_synthetic_prices
from plugins.erp_yidiantong.simulator.db import use_sim_database
from plugins.erp_yidiantong.simulator.feeds import decode_cursor
from plugins.erp_yidiantong.simulator.models import SimCustomerPrice

ROWS = 100_000


def test_100k_price_rows_page_through_with_every_row_once(sim, egp, dataset):
    assert add_synthetic_prices(sim, ROWS) == ROWS
    total = ROWS + len(dataset.customer_prices)
    seen: set[tuple[str, str, str]] = set()
    pages = 0
    positions = []
    for page in egp.iter_feed("prices", limit=FEED_LIMIT_MAX):
        pages += 1
        assert len(page.items) <= FEED_LIMIT_MAX
        for item in page.items:
            seen.add((item["customer_code"], item["sku"], item["grade"]))
        positions.append(decode_cursor("prices", page.next_cursor))
    assert len(seen) == total
    assert pages == -(-total // FEED_LIMIT_MAX)
    assert positions == sorted(positions) and len(set(positions)) == len(positions)
    # Prices are whole yuan between 70 % and 95 % of the list price.
    sample = egp.feed("prices", limit=3).items
    assert all(item["unit_price_fen"] % 100 == 0 and item["unit_price_fen"] > 0 for item in sample)


def test_a_page_is_one_index_range_scan(sim):
    add_synthetic_prices(sim, 5_000)
    with use_sim_database(sim.sim.db) as db:
        query = (
            SimCustomerPrice.select()
            .where(SimCustomerPrice.change_seq > 2_000)
            .order_by(SimCustomerPrice.change_seq)
            .limit(FEED_LIMIT_MAX + 1)
        )
        sql, params = query.sql()
        if isinstance(db, peewee.PostgresqlDatabase):
            db.execute_sql("ANALYZE sim_customer_price")
            plan = " ".join(row[0] for row in db.execute_sql("EXPLAIN " + sql, params).fetchall())
            assert "Index Scan" in plan and "Sort" not in plan, plan
        else:
            plan = " ".join(
                str(row[-1]) for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall()
            )
            assert "USING INDEX" in plan and "TEMP B-TREE" not in plan, plan
