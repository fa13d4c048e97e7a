"""The ``prices`` feed -> the dealer price file (一客一价), in bulk.

This is the large feed (100,000+ rows), so it is applied a page at a time
with one statement, not row by row:

* rows are checked in Python first (known dealer and product, a grade of
  the product, an integer price); a bad row is reported and left out, the
  rest of the page applies;
* one bulk upsert on the natural key (customer, product, grade) writes the
  page. The ERP's ``version`` is stored as the row's ``version`` and the
  row's ``source`` is ``erp``; the upsert's ``WHERE`` applies a row only
  when its version is newer (or the row was not the ERP's), so an older or
  equal version never overwrites a newer one — no per-row binding needed;
* a tombstone removes the explicit price (the dealer is back to list price
  × rate) unless the platform holds a newer version, and is remembered as
  an ``ErpBinding`` (rare), so an older copy of the row arriving late
  cannot bring the price back.

A full reconcile removes ERP prices the complete read did not contain.
Prices the platform set itself (another ``source``) are left alone.
"""

from __future__ import annotations

import itertools
import json
import operator
import sqlite3
from typing import Any

import peewee

from core.db import current_database, is_postgres, utcnow
from core.models import Customer
from plugins.catalog.models import OptionGroup, OptionValue, Product
from plugins.erp_yidiantong.models import ErpBinding
from plugins.erp_yidiantong.sync import values
from plugins.erp_yidiantong.sync.feeds.base import FeedApplier
from plugins.erp_yidiantong.sync.report import RowRejected, RunReport
from plugins.pricing.models import NO_GRADE, CustomerPrice

MODEL = "customer_price"
SOURCE = "erp"
_MISSING = object()
# One C call for the fields of a live row (a tombstone has no price: KeyError, the slow path).
_FIELDS = operator.itemgetter("customer_code", "sku", "grade", "version", "unit_price_fen", "deleted")


def _columns() -> tuple[str, list[str]]:
    meta = CustomerPrice._meta
    names = ["customer", "product", "grade", "unit_price", "version", "source", "updated_at"]
    return meta.table_name, [meta.fields[n].column_name for n in names]


class PriceWriter:
    """The bulk statements of the price feed, for SQLite and PostgreSQL.

    Both write many rows a statement (``VALUES (...), (...), ...``): on
    PostgreSQL through ``execute_values``; on SQLite :data:`SQLITE_ROWS` rows
    a statement, which measured twice as fast as ``executemany`` of a one-row
    INSERT (the binding is done in C, and the GIL changes hands once a
    statement instead of once a row).
    """

    SQLITE_ROWS = 199  # at most (x 5 values), fewer when the build allows fewer variables

    def __init__(self) -> None:
        table, cols = _columns()
        self.table = table
        quoted = ", ".join(f'"{c}"' for c in cols)
        key = '"customer_id", "product_id", "grade"'
        updates = ", ".join(
            f'"{c}" = excluded."{c}"' for c in ("unit_price", "version", "source", "updated_at")
        )
        condition = f'"{table}"."source" <> excluded."source" OR excluded."version" > "{table}"."version"'
        self.postgres = is_postgres()
        # Rows the platform does not hold yet (all of them on a first sync) need no conflict check.
        self.insert_sql = f'INSERT INTO "{table}" ({quoted}) VALUES %s'
        self.upsert_sql = f"{self.insert_sql} ON CONFLICT ({key}) DO UPDATE SET {updates} WHERE {condition}"
        if self.postgres:
            self.upsert_sql += " RETURNING 1"
        self._sqlite_sql: dict[tuple[bool, int], str] = {}
        mark = "%s" if self.postgres else "?"
        self.delete_sql = (
            f'DELETE FROM "{table}" WHERE "customer_id" = {mark} AND "product_id" = {mark} AND "grade" = {mark} '
            f'AND ("source" <> {mark} OR "version" < {mark})'
        )

    def upsert(self, rows: list[tuple], *, new: bool = False) -> int:
        """Write ``(customer_id, product_id, grade, fen, version)`` rows; returns how many changed.

        ``new``: none of the rows exists yet (a plain INSERT; a row that does
        exists after all raises IntegrityError).
        """
        if not rows:
            return 0
        cursor = current_database().cursor()
        sql = self.insert_sql if new else self.upsert_sql
        if self.postgres:
            from psycopg2.extras import execute_values

            # The source and the time are the same for every row: written into the statement.
            template = f"(%s, %s, %s, %s, %s, '{SOURCE}', now())"
            if new:
                execute_values(cursor, sql, rows, template=template, page_size=1000)
                return len(rows)
            return len(execute_values(cursor, sql, rows, template=template, page_size=1000, fetch=True))
        # An ISO text made here (no quote can occur in it) is what the field stores on SQLite.
        stamp = CustomerPrice.updated_at.db_value(utcnow())
        changed = 0
        db = current_database()
        limit = db.connection().getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        step = min(self.SQLITE_ROWS, limit // 5)
        full = self._sqlite_statement(new, step).replace("{stamp}", stamp)  # one text: prepared once
        for start in range(0, len(rows), step):
            chunk = rows[start : start + step]
            sql = full if len(chunk) == step else self._sqlite_statement(new, len(chunk)).replace("{stamp}", stamp)
            cursor.execute(sql, list(itertools.chain.from_iterable(chunk)))
            changed += cursor.rowcount
        return changed

    def _sqlite_statement(self, new: bool, count: int) -> str:
        sql = self._sqlite_sql.get((new, count))
        if sql is None:
            one = f"(?, ?, ?, ?, ?, '{SOURCE}', '{{stamp}}')"
            sql = (self.insert_sql if new else self.upsert_sql).replace("%s", ", ".join([one] * count))
            self._sqlite_sql[(new, count)] = sql
        return sql

    def delete(self, rows: list[tuple]) -> int:
        """Remove explicit prices ``(customer_id, product_id, grade, version)`` older than ``version``."""
        if not rows:
            return 0
        cursor = current_database().cursor()
        removed = 0
        for c, p, g, v in rows:
            cursor.execute(self.delete_sql, (c, p, g, SOURCE, v))
            removed += max(cursor.rowcount, 0)
        return removed


def _grade_sets(product_ids: list[int] | None) -> dict[int, set[str]]:
    """Grade codes (inactive ones too) per product that has a grade group."""
    query = (
        OptionValue.select(OptionValue.code, OptionGroup.product)
        .join(OptionGroup)
        .where(OptionGroup.kind == "grade")
    )
    if product_ids is not None:
        query = query.where(OptionGroup.product.in_(product_ids))
    grades: dict[int, set[str]] = {}
    for code, product_id in query.tuples():
        grades.setdefault(product_id, set()).add(code)
    return grades


class PricesFeed(FeedApplier):
    """Applies price items in bulk; ``preload`` loads every code up front (feed runs)."""

    group_rows = 20_000

    def __init__(self, preload: bool = True) -> None:
        self.preload = preload

    def begin(self, ctx, full: bool) -> None:
        super().begin(ctx, full)
        self.writer = PriceWriter()
        self.seen: set[tuple[int, int, str]] = set()
        self.customers: dict[str, int | None] = {}
        self.products: dict[str, int | None] = {}
        self.grades: dict[int, set[str] | None] = {}
        self.tombstones: dict[tuple[str, str, str], int] = {}
        self.held: set[tuple[int, int, str]] | None = None  # keys in the price file (feed runs)
        if self.preload:
            self.held = set(
                CustomerPrice.select(
                    CustomerPrice.customer, CustomerPrice.product, CustomerPrice.grade
                ).tuples()
            )
            self.customers.update(Customer.select(Customer.code, Customer.id).tuples())
            self.products.update(Product.select(Product.code, Product.id).tuples())
            self.grades.update(dict.fromkeys(self.products.values()))  # None: a product without grades
            self.grades.update(_grade_sets(None))
            for external_id, version in (
                ErpBinding.select(ErpBinding.external_id, ErpBinding.external_version)
                .where((ErpBinding.model == MODEL) & (ErpBinding.deleted == True))  # noqa: E712
                .tuples()
            ):
                self.tombstones[tuple(json.loads(external_id))] = version

    # -- look-ups: from the preloaded maps, else one query (a row newer than the maps) --

    def _customer(self, code: str) -> int | None:
        found = self.customers.get(code, _MISSING)
        if found is _MISSING:
            found = Customer.select(Customer.id).where(Customer.code == code).scalar()
            self.customers[code] = found
        return found

    def _product(self, sku: str) -> int | None:
        found = self.products.get(sku, _MISSING)
        if found is _MISSING:
            found = Product.select(Product.id).where(Product.code == sku).scalar()
            self.products[sku] = found
        return found

    def _grades(self, product_id: int) -> set[str] | None:
        found = self.grades.get(product_id, _MISSING)
        if found is _MISSING:
            found = _grade_sets([product_id]).get(product_id)
            self.grades[product_id] = found
        return found

    def _tombstone(self, key: tuple[str, str, str]) -> int | None:
        if self.preload:
            return self.tombstones.get(key)
        if key not in self.tombstones:
            binding = ErpBinding.get_or_none(
                (ErpBinding.model == MODEL) & (ErpBinding.external_id == values.key_of(*key))
            )
            self.tombstones[key] = binding.external_version if binding is not None and binding.deleted else 0
        return self.tombstones[key] or None

    # -- a page ------------------------------------------------------------------------

    def apply_page(self, items: list[dict[str, Any]], report: RunReport) -> None:
        live: dict[tuple[int, int, str], tuple] = {}
        gone: dict[tuple[int, int, str], tuple] = {}
        customers, products, grades_of = self.customers, self.products, self.grades
        seen = self.seen if self.full else None
        check_tombstones = bool(self.tombstones) or not self.preload
        for item in items:
            # The fast path: a well-formed live row of known codes (nearly all of them),
            # checked inline; anything else goes through _check, which names the fault.
            try:
                cc, sku, grade, version, fen, deleted = _FIELDS(item)
                cid, pid = customers.get(cc), products.get(sku)
                grades = grades_of.get(pid, _MISSING)
                fast = (
                    cid is not None
                    and grades is not _MISSING
                    and deleted is False
                    and type(grade) is str
                    and (grade == NO_GRADE if grades is None else grade in grades)
                    and type(version) is int
                    and version > 0
                    and type(fen) is int
                    and 0 <= fen <= values.MAX_FEN
                )
            except (KeyError, TypeError):  # a tombstone (no price), or a malformed row
                fast = False
            if not fast:
                try:
                    cc, sku, grade, cid, pid, fen, version = self._check(item)
                except RowRejected as ex:
                    report.reject(_key_text(item), ex.reason)
                    continue
            key = (cid, pid, grade)
            if seen is not None:
                seen.add(key)
            if check_tombstones:
                tombstone_version = self._tombstone((cc, sku, grade))
                if tombstone_version is not None and version <= tombstone_version:
                    report.unchanged += 1
                    continue
            if key in live or (gone and key in gone):
                earlier = live.get(key) or gone.get(key)
                if earlier[-1] >= version:
                    report.unchanged += 1  # the same row twice in one page: the newer one wins
                    continue
                report.unchanged += 1
                live.pop(key, None)
                gone.pop(key, None)
            if fen is not None:
                live[key] = (cid, pid, grade, fen, version)
            else:
                gone[key] = (cc, sku, cid, pid, grade, version)
        if items and type(items[-1]) is dict:
            report.saw_item_time(items[-1].get("updated_at"))  # the feed runs in change order
        changed = self._write_live(live, report)
        report.applied += changed
        report.unchanged += len(live) - changed
        self._write_tombstones(list(gone.values()), report)
        if changed or gone:
            report.prices_changed = True

    def _check(self, item: Any) -> tuple:
        """(customer code, sku, grade, customer id, product id, fen or None, version), or RowRejected."""
        if not isinstance(item, dict):
            raise RowRejected("a price item must be an object")
        cc, sku, grade = item.get("customer_code"), item.get("sku"), item.get("grade")
        version, deleted = item.get("version"), item.get("deleted", False)
        if not (type(cc) is str and type(sku) is str and type(grade) is str):
            values.text(item, "customer_code", 32)
            values.text(item, "sku", 64)
            raise RowRejected("grade must be a string ('' for products without grades)")
        if type(version) is not int or version < 1 or type(deleted) is not bool:
            values.version(item)
            values.deleted(item)
        if "\x00" in cc + sku + grade:
            raise RowRejected("customer_code, sku and grade must not contain NUL characters")
        cid = self._customer(cc)
        if cid is None:
            raise RowRejected(f"unknown customer {cc}")
        pid = self._product(sku)
        if pid is None:
            raise RowRejected(f"unknown product {sku}")
        grades = self._grades(pid)
        if grades is None and grade != NO_GRADE:
            raise RowRejected(f"{sku} has no grades; grade must be empty, not {grade!r}")
        if grades is not None and grade not in grades:
            raise RowRejected(f"{grade!r} is not a grade of {sku}")
        fen = None
        if not deleted:
            fen = item.get("unit_price_fen")
            if type(fen) is not int or not 0 <= fen <= values.MAX_FEN:
                raise RowRejected("unit_price_fen must be a whole number of fen, 0 or more")
        return cc, sku, grade, cid, pid, fen, version

    def _write_live(self, live: dict[tuple[int, int, str], tuple], report: RunReport) -> int:
        db = current_database()
        held = self.held
        rows = list(live.values())
        try:
            with db.atomic():
                if held is None:
                    return self.writer.upsert(rows)
                fresh = [key for key in live if key not in held]
                if len(fresh) == len(rows):
                    changed = self.writer.upsert(rows, new=True)
                else:
                    changed = self.writer.upsert([live[key] for key in fresh], new=True)
                    changed += self.writer.upsert([row for key, row in live.items() if key in held])
                held.update(fresh)
                return changed
        except (peewee.IntegrityError, peewee.DataError):
            pass
        # The database refused the batch: find the row(s) it refuses, one savepoint each.
        changed = 0
        for row in rows:
            try:
                with db.atomic():
                    changed += self.writer.upsert([row])
            except (peewee.IntegrityError, peewee.DataError) as ex:
                report.reject(
                    f"customer {row[0]} product {row[1]} grade {row[2]}", f"the database refused it: {ex}"
                )
        return changed

    def _write_tombstones(self, rows: list[tuple], report: RunReport) -> None:
        for cc, sku, cid, pid, grade, version in rows:
            removed = self.writer.delete([(cid, pid, grade, version)])
            external_id = values.key_of(cc, sku, grade)
            (
                ErpBinding.insert(
                    model=MODEL,
                    external_id=external_id,
                    external_version=version,
                    deleted=True,
                    synced_at=utcnow(),
                )
                .on_conflict(
                    conflict_target=[ErpBinding.model, ErpBinding.external_id],
                    update={
                        ErpBinding.external_version: peewee.EXCLUDED.external_version,
                        ErpBinding.deleted: True,
                        ErpBinding.synced_at: peewee.EXCLUDED.synced_at,
                    },
                    where=(ErpBinding.external_version < peewee.EXCLUDED.external_version),
                )
                .execute()
            )
            self.tombstones[(cc, sku, grade)] = max(version, self.tombstones.get((cc, sku, grade)) or 0)
            if removed:
                report.tombstoned += removed
            else:
                report.unchanged += 1

    def reconcile(self, report: RunReport) -> None:
        stale = [
            row_id
            for row_id, cid, pid, grade in CustomerPrice.select(
                CustomerPrice.id, CustomerPrice.customer, CustomerPrice.product, CustomerPrice.grade
            )
            .where(CustomerPrice.source == SOURCE)
            .tuples()
            if (cid, pid, grade) not in self.seen
        ]
        for start in range(0, len(stale), 500):
            CustomerPrice.delete().where(CustomerPrice.id.in_(stale[start : start + 500])).execute()
        if stale:
            report.tombstoned += len(stale)
            report.prices_changed = True


def _key_text(item: Any) -> str:
    if isinstance(item, dict):
        return " / ".join(str(item.get(name, "?")) for name in ("customer_code", "sku", "grade"))
    return "?"
