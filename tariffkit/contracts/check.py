"""Enforcing a contract on a frame read from a file: :func:`find_problems` lists every cell
that breaks a rule, :func:`conform` parses (Danish numbers, dates, booleans), checks and raises
on the first problem, naming file, row and column."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import polars as pl
from polars._typing import PolarsDataType

from tariffkit.contracts.model import TABLES, Column, Table
from tariffkit.danish import MONEY, parse_date, parse_number
from tariffkit.errors import DataError

CPR_LIKE = re.compile(r"\d{6}-?\d{4}")  # a CPR-shaped cell value is never echoed in a message

_BOOL_TEXT = {"true": True, "false": False, "ja": True, "nej": False, "1": True, "0": False, "x": True, "yes": True, "no": False, "": None}


def safe_value(v) -> str:
    """A value as it may appear in a message: CPR-shaped text is never echoed."""
    s = str(v)
    if CPR_LIKE.search(s):
        return "(a CPR-shaped value, not shown)"
    return repr(s[:60] + ("…" if len(s) > 60 else ""))


def _expected(col: Column) -> str:
    dt = col.dtype
    if dt == MONEY:
        return "an amount like 1.234,56"
    if dt in (pl.Int16, pl.Int32, pl.Int64):
        return "a whole number"
    if dt == pl.Float64:
        return "a number like 12,5"
    if dt == pl.Date:
        return "a date like 31-12-2025 or 2025-12-31"
    if dt == pl.Time:
        return "a time of day like 07:30"
    if dt == pl.Boolean:
        return "ja/nej or true/false"
    return "text"


def _parse(expr: pl.Expr, col: Column) -> pl.Expr:
    dt = col.dtype
    if dt == MONEY:
        return parse_number(expr, dtype=MONEY)
    if dt in (pl.Int16, pl.Int32, pl.Int64):
        return parse_number(expr, dtype=pl.Float64).pipe(lambda e: pl.when(e == e.round(0)).then(e).cast(dt, strict=False))
    if dt == pl.Float64:
        return parse_number(expr, dtype=pl.Float64)
    if dt == pl.Date:
        return parse_date(expr, excel_serials=True)
    if dt == pl.Time:
        t = expr.str.strip_chars().str.replace(r"^(\d):", "0$1:").str.replace(r"\.", ":")
        return pl.coalesce(t.str.to_time("%H:%M", strict=False), t.str.to_time("%H:%M:%S", strict=False))
    if dt == pl.Boolean:
        return expr.str.strip_chars().str.to_lowercase().replace_strict(_BOOL_TEXT, default=None, return_dtype=pl.Boolean)
    return expr


def _row_numbers(df: pl.DataFrame, first_row: int | None) -> pl.Expr:
    if "_row" in df.columns:
        return pl.col("_row")
    return pl.int_range(pl.len(), dtype=pl.Int64) + (first_row or 1)


def _first_bad(df: pl.DataFrame, mask: pl.Expr, col_name: str, rows: pl.Expr) -> tuple[int, object, int]:
    bad = df.select(rows.alias("_r"), pl.col(col_name).alias("_v"), mask.alias("_bad")).filter(pl.col("_bad"))
    return int(bad["_r"][0]), bad["_v"][0], bad.height


DATE_RANGE = (dt.date(1900, 1, 1), dt.date(2200, 12, 31))  # a date outside is a typing or export error, never a service period


def dates_out_of_range(df: pl.DataFrame) -> bool:
    """Any Date column with a value outside :data:`DATE_RANGE` (cheap: min and max)."""
    cols = [c for c, t in df.schema.items() if t == pl.Date]
    if not cols or df.height == 0:
        return False
    lo, hi = DATE_RANGE
    row = df.select(*[pl.col(c).min().alias(f"a{i}") for i, c in enumerate(cols)], *[pl.col(c).max().alias(f"b{i}") for i, c in enumerate(cols)]).row(0)
    return any(v is not None and not lo <= v <= hi for v in row)


def _already_conforms(df: pl.DataFrame, t: Table, present: list, check_key: bool) -> bool:
    """True when ``df`` has the contract's types already and breaks none of its rules (missing
    values, allowed values, minimums, the date range, the key), found by one aggregate query.
    Otherwise False, and :func:`conform`'s row-by-row path names the first problem."""
    if any(df.schema[c.name] != c.dtype for c in present):
        return False
    checks = []
    for col in present:
        e = pl.col(col.name)
        checks += [bad.any() for rule, bad, _, _ in _cell_rules(col, e.is_null(), e) if rule != "type"]  # (typed: nothing to read)
        if col.dtype == pl.String:  # text as the row-by-row path leaves it: no surrounding blanks, no empty strings
            checks.append((e.str.strip_chars() != e).any() | (e == "").any())
    if check_key and t.key and all(k in df.columns for k in t.key):
        checks.append(pl.struct(list(t.key)).is_duplicated().any())
    if not checks or df.height == 0:
        return True
    return not any(df.select(*[c.alias(f"_{i}") for i, c in enumerate(checks)]).row(0))


def _blank(orig: pl.Expr, src: PolarsDataType) -> pl.Expr:
    """The cell holds no value: null, or (text) only spaces."""
    return orig.is_null() | (orig.str.strip_chars() == "") if src == pl.String else orig.is_null()


def _cell_rules(col: Column, blank: pl.Expr, new: pl.Expr) -> list[tuple[str, pl.Expr, str, str | None]]:
    """The contract's rules for one column's cells, in the order they are checked, as (rule,
    the cells that break it, what was expected, which value a message shows: ``"text"`` the
    cell as written, ``"value"`` as read, None none). ``blank``: the cell holds nothing;
    ``new``: the cell read as the column's type (null when it cannot be). The one home of these
    rules: :func:`conform` raises on the first broken one, :func:`find_problems` lists them all."""
    rules: list[tuple[str, pl.Expr, str, str | None]] = [("type", ~blank & new.is_null(), f"expected {_expected(col)}", "text")]
    if not col.nullable:
        rules.append(("required", blank, f"expected {_expected(col)}", None))
    if col.allowed is not None:
        rules.append(("allowed", new.is_not_null() & ~new.is_in(list(col.allowed)), f"expected one of {', '.join(map(str, col.allowed))}", "value"))
    if col.dtype == pl.Date:
        lo, hi = DATE_RANGE
        rules.append(("date_range", new.is_not_null() & ~new.is_between(pl.lit(lo), pl.lit(hi)), f"expected a date from {lo.year} to {hi.year}", "value"))
    if col.minimum is not None:
        rules.append(("minimum", new.is_not_null() & (new.cast(pl.Float64) < col.minimum), f"expected a value of at least {col.minimum:g}", "value"))
    return rules


def conform(
    df: pl.DataFrame,
    table: str | Table,
    *,
    file: str,
    first_row: int | None = 1,
    keep_extra: bool = False,
    check_key: bool = True,
) -> pl.DataFrame:
    """Check ``df`` against a contract and return it with the contract's column types and order.

    Text columns (from CSV or Excel) are parsed: Danish numbers (``1.234,56``, ``1.234,56-``),
    dates (``dd-mm-åååå``, ``åååå-mm-dd``, Excel serials), times, ja/nej. Raises
    :class:`DataError` for the first problem, naming file, row and column, what was expected
    and what was found, and how many rows share the problem.
    """
    t = TABLES[table] if isinstance(table, str) else table
    if df.width == 0 or (df.width == 1 and "_row" in df.columns):
        raise DataError(f"the file has no columns, expected the {t.name} table ({', '.join(t.names)})", file=file)
    rows = _row_numbers(df, first_row)
    missing = [c.name for c in t.columns if c.required and c.name not in df.columns]
    if missing:
        raise DataError(
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}; the {t.name} table needs {', '.join(t.names)}",
            file=file,
            row=1 if first_row is None or "_row" in df.columns else None,
            column=missing[0],
        )
    present = [c for c in t.columns if c.name in df.columns]
    if _already_conforms(df, t, present, check_key):  # a typed table (tariffkit's own Parquet): checked in one pass, nothing parsed
        out = df.select([c.name for c in present])
        if keep_extra:
            extra = [c for c in df.columns if c not in out.columns and c != "_row"]
            out = pl.concat([out, df.select(extra)], how="horizontal")
        return out
    exprs = []
    for col in present:
        src = df.schema[col.name]
        e = pl.col(col.name)
        if src == pl.String and col.dtype != pl.String:
            e = pl.when(e.str.strip_chars() == "").then(None).otherwise(e)
            exprs.append(_parse(e, col).alias(col.name))
        elif src == pl.String:
            exprs.append(pl.when(e.str.strip_chars() == "").then(None).otherwise(e.str.strip_chars()).alias(col.name))
        elif src == pl.Null:
            exprs.append(e.cast(col.dtype).alias(col.name))
        else:
            exprs.append(e.cast(col.dtype, strict=False).alias(col.name))
    parsed = df.select(rows.alias("_r"), *[pl.col(c.name).alias(f"_orig_{c.name}") for c in present], *exprs)
    for col in present:
        orig = pl.col(f"_orig_{col.name}")
        for _rule, bad, expected, shows in _cell_rules(col, _blank(orig, df.schema[col.name]), pl.col(col.name)):
            if parsed.select(bad.any()).item():
                r, v, n = _first_bad(parsed, bad, f"_orig_{col.name}" if shows == "text" else col.name, pl.col("_r"))
                more = f" ({n} rows like this)" if n > 1 else ""
                found = "an empty value" if shows is None else safe_value(v)
                raise DataError(f"{expected}, found {found}{more}", file=file, row=r, column=col.name)
    if check_key and t.key and all(k in parsed.columns for k in t.key):
        dup = pl.struct(list(t.key)).is_duplicated()
        if parsed.select(dup.any()).item():
            first = parsed.filter(dup).row(0, named=True)
            n = parsed.select(dup.sum()).item()
            key = ", ".join(f"{k}={safe_value(first[k])}" for k in t.key)
            raise DataError(
                f"duplicated key ({key}): each {', '.join(t.key)} may appear once ({n} rows share a key)", file=file, row=int(first["_r"]), column=t.key[-1]
            )
    out = parsed.select([c.name for c in present])
    if keep_extra:
        extra = [c for c in df.columns if c not in out.columns and c != "_row"]
        out = pl.concat([out, df.select(extra)], how="horizontal")
    return out


def find_problems(df: pl.DataFrame, table: str | Table, *, first_row: int | None = 1) -> tuple[list[str], pl.DataFrame]:
    """Every problem in ``df`` against a contract (not just the first, as :func:`conform`
    raises): (missing required columns, a frame of ``_r`` (row), ``column``, ``rule``,
    ``reason``), one row per bad cell. Rules: ``type``, ``required``, ``allowed``,
    ``date_range``, ``minimum`` (:func:`_cell_rules`) and ``key``. Values are never echoed when CPR-shaped."""
    t = TABLES[table] if isinstance(table, str) else table
    rows = _row_numbers(df, first_row)
    missing = [c.name for c in t.columns if c.required and c.name not in df.columns]
    present = [c for c in t.columns if c.name in df.columns]
    base = df.with_columns(rows.alias("_r"))
    found = []
    schema: dict[Any, PolarsDataType] = {"_r": pl.Int64, "column": pl.String, "rule": pl.String, "reason": pl.String}
    for col in present:
        src = df.schema[col.name]
        orig = pl.col(col.name)
        blank = _blank(orig, src)
        if src == pl.String:
            new = (
                _parse(pl.when(blank).then(None).otherwise(orig), col)
                if col.dtype != pl.String
                else pl.when(blank).then(None).otherwise(orig.str.strip_chars())
            )
        else:
            new = orig.cast(col.dtype, strict=False) if src != pl.Null else orig.cast(col.dtype)
        shown = (
            pl.when(orig.cast(pl.String).str.contains(CPR_LIKE.pattern))
            .then(pl.lit("(a CPR-shaped value, not shown)"))
            .otherwise(pl.lit("'") + orig.cast(pl.String).str.slice(0, 60) + pl.lit("'"))
        )
        for rule, bad, expected, shows in _cell_rules(col, blank, new):
            reason = pl.lit(f"{expected}, found an empty value") if shows is None else pl.lit(f"{expected}, found ") + shown
            hit = base.filter(bad.fill_null(False)).select("_r", column=pl.lit(col.name), rule=pl.lit(rule), reason=reason)
            if hit.height:
                found.append(hit.cast(schema))
    if t.key and all(k in df.columns for k in t.key):
        dup = base.filter(pl.struct(list(t.key)).is_duplicated())
        if dup.height:
            found.append(
                dup.select("_r", column=pl.lit(t.key[-1]), rule=pl.lit("key"), reason=pl.lit(f"duplicated key: each {', '.join(t.key)} may appear once")).cast(
                    schema
                )
            )
    problems = pl.concat(found) if found else pl.DataFrame(schema=schema)
    return missing, problems.sort("_r", "column", "rule")
