"""A catalog item's option groups and values -> the product's OptionGroup/OptionValue rows.

Parsing checks the whole structure first (codes, kinds, duplicates, one
grade group at most), so a bad item is rejected before anything is
written. Writing compares with what the product has and touches only rows
that differ: a value the ERP dropped becomes inactive (carts and past
orders keep their codes), a group it dropped is removed with its values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from plugins.catalog.models import OPTION_KINDS, OptionGroup, OptionValue
from plugins.erp_yidiantong.sync import values
from plugins.erp_yidiantong.sync.report import RowRejected


@dataclass(frozen=True)
class ValueSpec:
    code: str
    name: str
    surcharge: int
    sort: int
    active: bool


@dataclass(frozen=True)
class GroupSpec:
    code: str
    name: str
    kind: str
    required: bool
    sort: int
    values: tuple[ValueSpec, ...]


def parse_groups(item: dict[str, Any]) -> tuple[GroupSpec, ...]:
    """The item's ``option_groups``, checked; raises RowRejected naming the fault."""
    raw = item.get("option_groups")
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        raise RowRejected("option_groups must be a list")
    groups: list[GroupSpec] = []
    seen: set[str] = set()
    for index, group in enumerate(raw):
        if not isinstance(group, dict):
            raise RowRejected(f"option_groups[{index}] must be an object")
        try:
            code = values.text(group, "code", 32)
            kind = values.text(group, "kind", 16)
            if kind not in OPTION_KINDS:
                raise RowRejected(f"kind must be one of {', '.join(OPTION_KINDS)}")
            spec = GroupSpec(
                code=code,
                name=values.text(group, "name", 64),
                kind=kind,
                required=values.boolean(group, "required", True),
                sort=index,
                values=_parse_values(group),
            )
        except RowRejected as ex:
            raise RowRejected(f"option_groups[{index}].{ex.reason}") from ex
        if code in seen:
            raise RowRejected(f"option group {code} is listed twice")
        seen.add(code)
        groups.append(spec)
    grades = [g.code for g in groups if g.kind == "grade"]
    if len(grades) > 1:
        raise RowRejected(f"more than one grade group: {', '.join(grades)}")
    grade_code = item.get("grade_group_code")
    if grade_code is not None and grades != [grade_code]:
        raise RowRejected(f"grade_group_code {grade_code!r} is not the product's grade group")
    if grade_code is None and grades:
        raise RowRejected(f"grade group {grades[0]} given but grade_group_code is null")
    return tuple(groups)


def _parse_values(group: dict[str, Any]) -> tuple[ValueSpec, ...]:
    raw = group.get("values")
    if not isinstance(raw, list):
        raise RowRejected("values must be a list")
    out: list[ValueSpec] = []
    seen: set[str] = set()
    for index, value in enumerate(raw):
        if not isinstance(value, dict):
            raise RowRejected(f"values[{index}] must be an object")
        try:
            code = values.text(value, "code", 32)
            spec = ValueSpec(
                code=code,
                name=values.text(value, "name", 64),
                surcharge=values.integer(value, "surcharge_fen", minimum=0)
                if "surcharge_fen" in value
                else 0,
                sort=index,
                active=values.boolean(value, "active", True),
            )
        except RowRejected as ex:
            raise RowRejected(f"values[{index}].{ex.reason}") from ex
        if code in seen:
            raise RowRejected(f"value {code} is listed twice")
        seen.add(code)
        out.append(spec)
    return tuple(out)


def grade_codes(groups: tuple[GroupSpec, ...]) -> set[str] | None:
    """Codes of the grade group's values (inactive ones too), ``None`` without grades."""
    grade = next((g for g in groups if g.kind == "grade"), None)
    return None if grade is None else {v.code for v in grade.values}


class OptionWriter:
    """Writes parsed groups for a page of products, diffing against rows loaded in bulk."""

    def __init__(self, product_ids: list[int]) -> None:
        self.groups: dict[int, dict[str, OptionGroup]] = {}
        self.values: dict[int, dict[str, OptionValue]] = {}
        if not product_ids:
            return
        for group in OptionGroup.select().where(OptionGroup.product.in_(product_ids)):
            self.groups.setdefault(group.product_id, {})[group.code] = group
        group_ids = [g.id for by_code in self.groups.values() for g in by_code.values()]
        for start in range(0, len(group_ids), 500):
            chunk = group_ids[start : start + 500]
            for value in OptionValue.select().where(OptionValue.group.in_(chunk)):
                self.values.setdefault(value.group_id, {})[value.code] = value

    def write(self, product_id: int, groups: tuple[GroupSpec, ...]) -> bool:
        """Make the product's options equal ``groups``; True when anything changed."""
        changed = False
        existing = self.groups.get(product_id, {})
        for spec in groups:
            group = existing.get(spec.code)
            wanted = {"name": spec.name, "kind": spec.kind, "required": spec.required, "sort": spec.sort}
            if group is None:
                group = OptionGroup.create(product=product_id, code=spec.code, **wanted)
                changed = True
            elif any(getattr(group, k) != v for k, v in wanted.items()):
                OptionGroup.update(**wanted).where(OptionGroup.id == group.id).execute()
                changed = True
            changed |= self._write_values(group.id, spec.values)
        dropped = [g.id for code, g in existing.items() if code not in {s.code for s in groups}]
        if dropped:
            OptionGroup.delete().where(OptionGroup.id.in_(dropped)).execute()
            changed = True
        return changed

    def _write_values(self, group_id: int, specs: tuple[ValueSpec, ...]) -> bool:
        changed = False
        existing = self.values.get(group_id, {})
        new_rows = []
        for spec in specs:
            value = existing.get(spec.code)
            wanted = {
                "name": spec.name,
                "surcharge": spec.surcharge,
                "sort": spec.sort,
                "active": spec.active,
            }
            if value is None:
                new_rows.append({"group": group_id, "code": spec.code, **wanted})
            elif any(getattr(value, k) != v for k, v in wanted.items()):
                OptionValue.update(**wanted).where(OptionValue.id == value.id).execute()
                changed = True
        if new_rows:
            OptionValue.insert_many(new_rows).execute()
            changed = True
        wanted_codes = {s.code for s in specs}
        retired = [v.id for code, v in existing.items() if code not in wanted_codes and v.active]
        if retired:
            OptionValue.update(active=False).where(OptionValue.id.in_(retired)).execute()
            changed = True
        return changed
