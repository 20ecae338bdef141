"""What a contract is: a :class:`Table` of :class:`Column` s (name, type, nullability, meaning,
unit, allowed values, minimum), the registry of every table (``TABLES``, in the order
docs/data-contracts.md shows them) and the value sets several tables share."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import polars as pl
from polars._typing import PolarsDataType


@dataclass(frozen=True)
class Column:
    name: str
    dtype: PolarsDataType  # a polars type (pl.String) or instance (pl.Decimal(18, 2))
    description: str
    nullable: bool = False
    unit: str = ""
    allowed: tuple | None = None
    minimum: float | None = None
    required: bool = True  # must be present as a column (nullable columns may still be required)


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def schema(self) -> dict[Any, PolarsDataType]:  # (Any: polars' cast takes selectors as keys too)
        return {c.name: c.dtype for c in self.columns}

    def empty(self) -> pl.DataFrame:
        return pl.DataFrame(schema=self.schema)

    def subset(self, names: list[str]) -> Table:
        """The same table restricted to ``names`` (for a command that reads only those)."""
        return replace(self, columns=tuple(c for c in self.columns if c.name in names), key=())


S, I16, I32, I64, F64, D, B, T = pl.String, pl.Int16, pl.Int32, pl.Int64, pl.Float64, pl.Date, pl.Boolean, pl.Time

PROVIDERS = ("internal", "external")
KINDS = ("actual", "commitment", "refund")
BASES = ("actual", "budget", "tariff_budget", "forecast")
COST_GROUPS = ("variable_staff", "variable_other", "fixed_offer", "fixed_central", "other_income", "carried_result")
STAFF_CATEGORIES = ("management", "trained", "untrained", "temporary", "admin", "other")
ORIGINS = ("own", "other")

TABLES: dict[str, Table] = {}


def _table(t: Table) -> Table:
    TABLES[t.name] = t
    return t
