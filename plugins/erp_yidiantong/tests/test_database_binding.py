"""The simulator's models never touch the platform's database, even in one thread."""

from __future__ import annotations

import peewee

from core.db import database, use_database
from core.models import Customer
from plugins.erp_yidiantong.simulator.db import sim_database, use_sim_database
from plugins.erp_yidiantong.simulator.models import SimCustomer


def test_platform_and_simulator_bindings_are_separate(sim, tmp_path):
    platform_db = peewee.SqliteDatabase(str(tmp_path / "platform.sqlite3"))
    with use_database(platform_db):
        platform_db.create_tables([Customer])
        Customer.create(code="P-ONLY", name="platform only")
        assert sim_database.obj is None
        with use_sim_database(sim.sim.db):
            assert database.obj is platform_db
            assert sim_database.obj is sim.sim.db
            assert Customer.select().count() == 1
            assert SimCustomer.get_or_none(SimCustomer.code == "P-ONLY") is None
            assert SimCustomer.select().where(SimCustomer.code == "C0001").count() == 1
        assert sim_database.obj is None
    assert database.obj is None
    assert not platform_db.table_exists("sim_customer")
