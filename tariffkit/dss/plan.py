"""The import plan for one DSS extract: parsing, validation, pseudonymisation and
reconciliation in one streaming pass.

:func:`plan_import` builds a lazy plan from the extract's raw text columns; :func:`run_import`
runs it with polars' streaming engine, so an extract of any size is read once and in bounded
memory. Money is handled in integer øre and written as Decimal(18,2); nothing is rounded (an
amount with more than two decimals is rejected as malformed).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

import polars as pl
from polars._typing import PolarsDataType

from tariffkit.contracts import KINDS, PAYMENTS, REJECTS
from tariffkit.cpr import CPR_BAD_DATE, CPR_EMPTY, CPR_NOT_SHAPED, CPR_OK, REASONS, cpr_status, mask_expr, pseudonym_function, scrub_expr
from tariffkit.danish import MONEY, normalise_function, parse_date, parse_number
from tariffkit.dss.mapping import CONTENT, DUPLICATE_KEY, REQUIRED, Mapping
from tariffkit.errors import DataError
from tariffkit.paragraphs import normalise_series


@dataclass
class FileReport:
    file: str
    rows_read: int = 0
    rows_written: int = 0
    rows_rejected: int = 0
    rows_skipped: int = 0  # total rows etc.
    duplicates: int = 0
    duplicates_dropped: int = 0
    ore_read: int = 0
    ore_written: int = 0
    ore_rejected: int = 0
    ore_duplicates_dropped: int = 0
    rejected_without_amount: int = 0
    newest_actual: dt.date | None = None  # the newest service_to of an actual line
    mapped_dates: tuple[dt.date | None, dt.date | None, int] = (None, None, 0)  # min, max, empty cells of the extract-date column
    extract_date: dt.date | None = None
    extract_date_source: str = ""  # option | column NAME | newest actual date
    already_present: int = 0  # lines the history had already (--append)
    commitments_cut: int = 0  # commitments starting on or before the extract date

    def balanced(self) -> bool:
        return (
            self.rows_read == self.rows_written + self.rows_rejected + self.duplicates_dropped
            and self.ore_read == self.ore_written + self.ore_rejected + self.ore_duplicates_dropped
        )

    def as_dict(self) -> dict:
        kr = lambda ore: f"{ore / 100:.2f}"  # noqa: E731
        return {
            "file": self.file,
            "rows_read": self.rows_read,
            "rows_written": self.rows_written,
            "rows_rejected": self.rows_rejected,
            "rows_skipped": self.rows_skipped,
            "duplicates": self.duplicates,
            "duplicates_dropped": self.duplicates_dropped,
            "amount_read": kr(self.ore_read),
            "amount_written": kr(self.ore_written),
            "amount_rejected": kr(self.ore_rejected),
            "amount_duplicates_dropped": kr(self.ore_duplicates_dropped),
            "rejected_without_readable_amount": self.rejected_without_amount,
            "extract_date": None if self.extract_date is None else self.extract_date.isoformat(),
            "extract_date_source": self.extract_date_source,
            "already_present": self.already_present,
            "commitments_cut": self.commitments_cut,
        }


def _check_columns(names: list[str], mapping: Mapping, file: str) -> None:
    have = set(names)
    for fld, src in mapping.columns.items():
        if src not in have and (fld in REQUIRED or fld == "extract_date"):
            cols = ", ".join(c for c in names if c != "_row")
            raise DataError(
                f"no column {src!r} (mapped to field {fld}); the file's columns are: {cols}. "
                "Use --mapping to describe another layout (tariffkit import-dss --init-mapping).",
                file=file,
                row=mapping.header_row,
                column=src,
            )


# --- the import plan ----------------------------------------------------------------------
#
# One lazy plan per extract, run by polars' streaming engine: the raw text columns are parsed,
# checked and pseudonymised, and split into good rows (sunk to Parquet), rejected rows and the
# reconciliation totals, in one pass over the file and in bounded memory. The CPR number (which
# repeats on every line of a citizen and is pseudonymised in Python) and the regex-heavy
# paragraph, function and level columns are parsed once per distinct value of the whole import
# (:class:`_Distinct`); everything else natively, row by row. Nothing loops over rows in Python.

ROW_DATA, ROW_BLANK, ROW_TOTAL = 0, 1, 2


def _blank(v: pl.Expr) -> pl.Expr:
    return v.is_null() | (v == "")


class _Distinct:
    """A batch function that parses each distinct value of a column once for the whole import.

    Each batch's text is cast to a categorical with categories of its own (polars hashes the
    strings natively and gives every distinct value a stable code); values not seen before are
    parsed by ``parse`` (a Series of new values → their results, same length) into a lookup
    table indexed by code, and the rows take their result with a native ``gather``. A null cell
    gives null. The batches run on several threads; new values are added under a lock, and a
    batch whose values are all known reads the tables without it."""

    _names = itertools.count()

    def __init__(self, parse: Callable[[pl.Series], pl.Series], dtype: PolarsDataType):
        self.parse, self.dtype = parse, dtype
        self.categorical = pl.Categorical(pl.Categories(f"tariffkit.import.{os.getpid()}.{next(self._names)}"))
        # polars frees a Categories mapping when no Series of that type is alive; this one keeps
        # the codes stable from batch to batch
        self.anchor = pl.Series("anchor", [], dtype=self.categorical)
        self.struct = isinstance(dtype, pl.Struct)
        schema = dict(dtype.to_schema()) if isinstance(dtype, pl.Struct) else {"out": dtype}
        self.results = pl.DataFrame(schema=schema)  # parsed values, appended as they come
        self.slot = pl.Series("slot", [], dtype=pl.UInt32)  # code → row of results (null: not yet)
        self.lock = threading.Lock()

    def __call__(self, s: pl.Series) -> pl.Series:
        codes = s.cast(self.categorical).to_physical()
        top = cast("int | None", codes.max())
        # replaced, never changed in place, and slot read before results (_learn writes them in
        # the other order), so this pair is consistent without the lock
        slot, results = self.slot, self.results
        if top is None or top < slot.len():
            where = slot.gather(codes)
            known = not (where.is_null() & codes.is_not_null()).any()
        else:
            known = False
        if not known:
            with self.lock:
                self._learn(s, codes, top)
                slot, results = self.slot, self.results
            where = slot.gather(codes)
        # Series methods, not DataFrame.select: a query would queue behind the streaming engine
        columns = [c.gather(where) for c in results.get_columns()]
        return pl.DataFrame(columns).to_struct(s.name) if self.struct else columns[0].rename(s.name)

    def _learn(self, s: pl.Series, codes: pl.Series, top: int | None) -> None:
        """Parse the values of this batch not parsed yet (under the lock); the lookup tables are
        replaced by new ones, so batches reading the old ones meanwhile are not disturbed."""
        slot = self.slot
        if top is not None and top >= slot.len():  # grow by half again at least: few regrowths
            grow = max(top + 1, slot.len() * 3 // 2) - slot.len()
            slot = slot.extend_constant(None, grow)
        where = slot.gather(codes)
        unseen = where.is_null() & codes.is_not_null()
        if unseen.any():
            new_codes, new_values = codes.filter(unseen), s.filter(unseen)
            first = new_codes.arg_unique()
            new_codes, new_values = new_codes.gather(first), new_values.gather(first)
            parsed = self.parse(new_values).cast(self.dtype)
            rows = parsed.struct.unnest() if self.struct else parsed.rename("out").to_frame()
            start = self.results.height
            results = self.results.vstack(rows)
            self.results = results.rechunk() if results.n_chunks() > 32 else results
            slot = slot.clone() if slot is self.slot else slot
            slot.scatter(new_codes, pl.int_range(start, start + rows.height, dtype=pl.UInt32, eager=True))
        self.slot = slot

    def expr(self, column: pl.Expr) -> pl.Expr:
        return column.map_batches(self, return_dtype=self.dtype, is_elementwise=True)


def _per_distinct(column: pl.Expr, parse: Callable[[pl.Expr], pl.Expr], dtype: PolarsDataType) -> pl.Expr:
    """``column`` parsed by the expression ``parse`` (given the stripped text; null for an
    empty cell) once per distinct value of the import."""

    def run(values: pl.Series) -> pl.Series:
        text = pl.col("v").str.strip_chars()
        return values.rename("v").to_frame().select(parse(pl.when(text != "").then(text)).cast(dtype)).to_series()

    return _Distinct(run, dtype).expr(column)


def _cpr_column(column: pl.Expr, key: bytes) -> pl.Expr:
    """Raw CPR text → struct {citizen_id, cpr_status}.

    The HMAC is computed once per distinct CPR number of the whole import; the number itself
    never leaves this function."""
    pseudonym = pseudonym_function(key)
    dtype = pl.Struct({"citizen_id": pl.String, "cpr_status": pl.UInt8})

    def run(values: pl.Series) -> pl.Series:
        parsed = [cpr_status(v) for v in values.to_list()]
        return pl.DataFrame(
            {"citizen_id": [None if d is None else pseudonym(d) for d, _ in parsed], "cpr_status": [st for _, st in parsed]},
            schema={"citizen_id": pl.String, "cpr_status": pl.UInt8},
        ).to_struct()

    return _Distinct(run, dtype).expr(column)


def _row_kind(cells: list[pl.Expr], prefixes: list[str]) -> pl.Expr:
    """ROW_DATA, ROW_BLANK (every cell empty) or ROW_TOTAL (the first non-empty cell starts with
    one of ``prefixes``, e.g. "I alt"). Used on rows that fail the checks only, so a line that
    is a valid payment is never skipped as a total row."""
    stripped = [c.str.strip_chars() for c in cells]
    first = pl.coalesce([pl.when(c != "").then(c) for c in stripped])
    starts = pl.any_horizontal([first.str.starts_with(p) for p in prefixes]).fill_null(False) if prefixes else pl.lit(False)
    return pl.when(first.is_null()).then(ROW_BLANK).when(starts).then(ROW_TOTAL).otherwise(ROW_DATA).cast(pl.UInt8)


@dataclass
class ImportPlan:
    """The lazy parts of one extract's import; run them together with :func:`run_import`."""

    file: str
    good: pl.LazyFrame  # the payments table, in file order
    bad: pl.LazyFrame  # the rejects table, in file order
    totals: pl.LazyFrame  # one row: the reconciliation sums
    content_hashes: pl.LazyFrame  # _h (hash of DUPLICATE_KEY), source_row of the good rows


def plan_import(raw: pl.LazyFrame, *, file: str, mapping: Mapping, key: bytes, excel: bool = False) -> ImportPlan:
    """Raw text columns (plus ``_row``, the line number in the file) → an :class:`ImportPlan`.

    A reason names what was expected; it never quotes a CPR number."""
    names = raw.collect_schema().names()
    _check_columns(names, mapping, file)
    pos = {n: i for i, n in enumerate(names)}
    src_name = {f: c for f, c in mapping.columns.items() if c in pos}

    def col(f: str) -> pl.Expr:
        return pl.nth(pos[src_name[f]])

    thousands = mapping.thousands or None
    dates = tuple(mapping.date_formats)
    vm = mapping.value_maps

    data_positions = [i for i, n in enumerate(names) if n != "_row"]

    def text(f: str) -> pl.Expr:
        return col(f).str.strip_chars() if f in src_name else pl.lit(None, dtype=pl.String)

    def free_text(f: str) -> pl.Expr:  # a CPR number typed into a name or a case number is scrubbed
        return scrub_expr(text(f))

    def mapped(f: str) -> pl.Expr:
        values = vm.get(f) or {}
        # a when/then chain, not replace/replace_strict: those are not streaming operations in
        # polars 2.1 and held the whole file in memory. A value with no mapping is kept as it is
        # (and then reported).
        if not values:
            return text(f)
        items = list(values.items())
        chain: Any = pl.when(text(f) == items[0][0]).then(pl.lit(items[0][1]))  # (Then, then ChainedThen)
        for source, target in items[1:]:
            chain = chain.when(text(f) == source).then(pl.lit(target))
        return chain.otherwise(text(f))

    # Cheap parsers run on every row; the CPR number (pseudonymised) and the columns with few
    # distinct values and a regex-heavy parser (paragraph, function, level) once per distinct
    # value of the import.
    parsed = (
        raw.select(
            _row=pl.nth(pos["_row"]).cast(pl.Int64),
            _cpr=_cpr_column(col("cpr"), key),
            _par=_Distinct(normalise_series, pl.Struct({"paragraph": pl.String, "paragraph_also": pl.String})).expr(col("paragraph")),
            function=_per_distinct(col("function"), normalise_function, pl.String),
            amount=parse_number(col("amount"), decimal=mapping.decimal, thousands=thousands, dtype=MONEY),
            service_from=parse_date(col("service_from"), formats=dates, excel_serials=excel),
            service_to=parse_date(col("service_to"), formats=dates, excel_serials=excel),
            _level_num=(
                _per_distinct(col("level"), lambda v: parse_number(v, decimal=mapping.decimal, thousands=None, dtype=pl.Float64), pl.Float64)
                if "level" in src_name
                else pl.lit(None, dtype=pl.Float64)
            ),
            provider=mapped("provider"),
            kind=mapped("kind"),
            case_id=free_text("case_id"),
            caseworker=free_text("caseworker"),
            offer_id=free_text("offer_id"),
            offer_name=free_text("offer_name"),
            # the mapped extract date column, where there is one (read only then, below)
            **({"_extract_date": parse_date(col("extract_date"), formats=dates, excel_serials=excel)} if "extract_date" in src_name else {}),
            # the raw text, for the messages of rejected rows only (a struct holds them without a copy)
            _cells=pl.struct([pl.nth(i).alias(f"c{k}") for k, i in enumerate(data_positions)]),
            _cpr_raw=col("cpr"),
            **{
                f"_{f}_raw": col(f) if f in src_name else pl.lit(None, dtype=pl.String)
                for f in ("provider", "paragraph", "function", "level", "service_from", "service_to", "amount", "kind")
            },
        )
        .with_columns(  # struct.field, not unnest: unnest is not a streaming operation
            paragraph=pl.col("_par").struct.field("paragraph"),
            paragraph_also=pl.col("_par").struct.field("paragraph_also"),
            citizen_id=pl.col("_cpr").struct.field("citizen_id"),
            cpr_status=pl.col("_cpr").struct.field("cpr_status").fill_null(CPR_EMPTY),
        )
        .drop("_cpr", "_par")
    )

    name = mapping.columns
    prov_ok = ", ".join(vm.get("provider", {}) or ["internal", "external"])
    kind_ok = ", ".join(vm.get("kind", {}) or list(KINDS))
    lvl_range = f"{mapping.min_level}–{mapping.max_level}"
    empty = lambda c: pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "")  # noqa: E731
    status = pl.col("cpr_status")
    level_num = pl.col("_level_num")
    level_raw = pl.col("_level_raw")
    # (condition, column, reason). ``cheap`` rules decide whether a row is bad; the ``empty``
    # rules only choose the message for a row that is bad anyway (an empty value never parses).
    rules: list[tuple[pl.Expr, str, pl.Expr, bool]] = [
        (status == CPR_EMPTY, name["cpr"], pl.lit(REASONS[CPR_EMPTY]), False),
        (status == CPR_NOT_SHAPED, name["cpr"], pl.lit(REASONS[CPR_NOT_SHAPED]), False),
        (status == CPR_BAD_DATE, name["cpr"], pl.lit(REASONS[CPR_BAD_DATE]), True),
        *[(_blank(pl.col(f)), name[f], pl.lit("expected a value, found an empty value"), True) for f in ("case_id", "caseworker", "offer_id", "offer_name")],
        (empty("_provider_raw"), name["provider"], pl.lit(f"expected one of {prov_ok}, found an empty value"), False),
        (
            ~pl.col("provider").is_in(["internal", "external"]).fill_null(False),
            name["provider"],
            pl.format(f"expected one of {prov_ok}, found '{{}}'", pl.col("_provider_raw").str.strip_chars()),
            True,
        ),
        (empty("_paragraph_raw"), name["paragraph"], pl.lit("expected a paragraph like § 108, found an empty value"), False),
        (
            pl.col("paragraph").is_null(),
            name["paragraph"],
            pl.format("expected a paragraph like '§ 108', 'SEL § 85 stk. 1' or 'ABL § 105 / SEL § 85', found '{}'", pl.col("_paragraph_raw").str.strip_chars()),
            True,
        ),
        (empty("_function_raw"), name["function"], pl.lit("expected an account function like 5.38.50, found an empty value"), False),
        (
            pl.col("function").is_null(),
            name["function"],
            pl.format("expected an account function like 5.38.50 or a 10-digit account, found '{}'", pl.col("_function_raw").str.strip_chars()),
            True,
        ),
        (
            ~empty("_level_raw") & (level_num.is_null() | (level_num != level_num.round(0))),
            name.get("level", "level"),
            pl.format("expected a whole function level, found '{}'", level_raw.str.strip_chars()),
            True,
        ),
        (
            level_num.is_not_null() & ((level_num < mapping.min_level) | (level_num > mapping.max_level)),
            name.get("level", "level"),
            pl.format(f"expected a function level {lvl_range}, found '{{}}'", level_raw.str.strip_chars()),
            True,
        ),
        (empty("_service_from_raw"), name["service_from"], pl.lit("expected a date like 31-12-2025, found an empty value"), False),
        (
            pl.col("service_from").is_null(),
            name["service_from"],
            pl.format("expected a date like 31-12-2025, found '{}'", pl.col("_service_from_raw").str.strip_chars()),
            True,
        ),
        (empty("_service_to_raw"), name["service_to"], pl.lit("expected a date like 31-12-2025, found an empty value"), False),
        (
            pl.col("service_to").is_null(),
            name["service_to"],
            pl.format("expected a date like 31-12-2025, found '{}'", pl.col("_service_to_raw").str.strip_chars()),
            True,
        ),
        (
            ~pl.col("service_from").dt.year().is_between(1980, 2100),
            name["service_from"],
            pl.format("expected a date between 1980 and 2100, found '{}'", pl.col("_service_from_raw").str.strip_chars()),
            True,
        ),
        (
            ~pl.col("service_to").dt.year().is_between(1980, 2100),
            name["service_to"],
            pl.format("expected a date between 1980 and 2100, found '{}'", pl.col("_service_to_raw").str.strip_chars()),
            True,
        ),
        (
            pl.col("service_from") > pl.col("service_to"),
            name["service_to"],
            pl.format(
                "expected a date on or after the start date {}, found '{}'",
                pl.col("_service_from_raw").str.strip_chars(),
                pl.col("_service_to_raw").str.strip_chars(),
            ),
            True,
        ),
        (empty("_amount_raw"), name["amount"], pl.lit("expected an amount like 1.234,56, found an empty value"), False),
        (
            pl.col("amount").is_null(),
            name["amount"],
            pl.format("expected an amount like 1.234,56 (at most 2 decimals), found '{}'", pl.col("_amount_raw").str.strip_chars()),
            True,
        ),
        (empty("_kind_raw"), name["kind"], pl.lit(f"expected one of {kind_ok}, found an empty value"), False),
        (
            ~pl.col("kind").is_in(list(KINDS)).fill_null(False),
            name["kind"],
            pl.format(f"expected one of {kind_ok}, found '{{}}'", pl.col("_kind_raw").str.strip_chars()),
            True,
        ),
    ]
    # The first failing rule gives the column and the reason; worked out for bad rows only.
    col_expr = pl.lit(None, dtype=pl.String)
    reason_expr = pl.lit(None, dtype=pl.String)
    for cond, column, reason, _ in reversed(rules):
        col_expr = pl.when(cond.fill_null(False)).then(pl.lit(column)).otherwise(col_expr)
        reason_expr = pl.when(cond.fill_null(False)).then(reason).otherwise(reason_expr)
    # A value that looks like a CPR number must never be quoted in a reason.
    reason_expr = reason_expr.str.replace_all(r"\d{6}-?\d{4}", "(CPR-shaped value, not shown)")

    parsed = parsed.with_columns(
        _bad=(status != CPR_OK) | pl.any_horizontal([cond.fill_null(False) for cond, _, _, decides in rules if decides]),
        _ore=(pl.col("amount") * 100).cast(pl.Int64),
        level=level_num.cast(pl.Int16, strict=False),
    ).cache()  # shared by the branches below: the file is read and parsed once
    good = parsed.filter(~pl.col("_bad")).select(
        *[pl.col(c.name).cast(c.dtype) for c in PAYMENTS.columns if c.name not in ("extract_date", "source_file", "source_row")],
        source_file=pl.lit(file),
        source_row=pl.col("_row"),
    )
    cells = [pl.col("_cells").struct.field(f"c{k}") for k in range(len(data_positions))]
    bad = parsed.filter(pl.col("_bad")).select(
        source_file=pl.lit(file),
        source_row=pl.col("_row"),
        column=col_expr,
        reason=reason_expr,
        cpr_masked=pl.when(pl.col("_cpr_raw").is_null()).then(None).otherwise(mask_expr(pl.col("_cpr_raw"))),
        amount=pl.col("amount").cast(MONEY),
        amount_text=scrub_expr(pl.col("_amount_raw")),
        _row_kind=_row_kind(cells, list(mapping.skip_rows_starting_with)),
        _ore=pl.col("_ore"),
    )
    ore, is_bad = pl.col("_ore"), pl.col("_bad")
    good_actual = ~is_bad & (pl.col("kind") == "actual")
    mapped_date = pl.col("_extract_date") if "extract_date" in src_name else pl.lit(None, dtype=pl.Date)
    totals = parsed.select(
        rows_all=pl.len(),
        ore_all=ore.sum(),
        rows_good=(~is_bad).sum(),
        ore_good=ore.filter(~is_bad).sum(),
        newest_actual=pl.col("service_to").filter(good_actual).max(),
        ed_min=mapped_date.filter(~is_bad).min(),
        ed_max=mapped_date.filter(~is_bad).max(),
        ed_null=mapped_date.filter(~is_bad).null_count(),
    )
    # Candidates for exact duplicates: lines equal in these columns (a hash of all 13 cost four
    # times as much); run_import compares the candidates on every content column.
    hashes = good.select(_h=pl.struct(list(DUPLICATE_KEY)).hash(seed=0), source_row="source_row")
    return ImportPlan(file=file, good=good, bad=bad, totals=totals, content_hashes=hashes)


@dataclass
class PlanResult:
    payments: pl.DataFrame | None  # None when the payments were sunk to a file (no extract_date yet)
    rejects: pl.DataFrame
    reports: list[FileReport]
    drop_rows: list[int] = field(default_factory=list)  # source_row of duplicates to drop


def run_import(
    plan: ImportPlan,
    *,
    on_error: str = "fail",
    drop_duplicates: bool = False,
    sink: Callable[[pl.LazyFrame], pl.LazyFrame] | None = None,
    read_back: Callable[[], pl.LazyFrame] | None = None,
    large: bool = False,
) -> PlanResult:
    """Run one extract's plan in a single streaming pass and reconcile it.

    With ``sink`` (a function that turns the good rows into a lazy sink, e.g. ``lambda lf:
    lf.sink_parquet(tmp, lazy=True)``) the payments go to that file and ``read_back`` must scan
    it again (used only when there are duplicate candidates); else they are collected.
    Duplicates to drop are returned as ``drop_rows`` when sunk (the caller filters them out
    when it publishes the file).

    ``large`` (with ``sink``): the lines' content hashes are not kept during the pass (16 bytes a
    line, 1.7 GB at 104 M lines) but computed from the file written, afterwards, in parts of at
    most :data:`HASH_PART_ROWS` lines by the hash's value: memory stays bounded whatever the
    extract's length, for one more scan of the file."""
    file = plan.file
    large = large and sink is not None and read_back is not None
    queries = [plan.bad, plan.totals, plan.content_hashes.head(0) if large else plan.content_hashes]
    queries.append(sink(plan.good) if sink else plan.good)
    failed, totals, hashes, good = pl.collect_all(queries, engine="streaming")
    t = totals.row(0, named=True)
    # Rows that fail the checks are rejected, unless they are blank or total rows ("I alt"),
    # which are skipped (total rows are counted).
    kind = pl.col("_row_kind")
    bad = failed.filter(kind == ROW_DATA)
    not_data = failed.filter(kind != ROW_DATA)
    rep = FileReport(
        file=file,
        rows_read=t["rows_all"] - not_data.height,
        rows_rejected=bad.height,
        rows_skipped=not_data.filter(kind == ROW_TOTAL).height,
        newest_actual=t["newest_actual"],
        mapped_dates=(t["ed_min"], t["ed_max"], int(t["ed_null"] or 0)),
        ore_read=int(t["ore_all"] or 0) - int(not_data["_ore"].sum() or 0),
        ore_rejected=int(bad["_ore"].sum() or 0),
        rejected_without_amount=bad["_ore"].null_count(),
    )
    if rep.rows_read == 0:
        raise DataError("the file has a header but no data rows (an empty extract is not imported; check the export)", file=file)
    if bad.height and on_error == "fail":
        first = bad.row(0, named=True)
        more = f" ({bad.height} bad rows in all; `on_error` reject imports the good ones)" if bad.height > 1 else ""
        raise DataError(first["reason"] + more, file=file, row=int(first["source_row"]), column=first["column"])
    payments = good if not sink else None
    rows_good, ore_good = t["rows_good"], int(t["ore_good"] or 0)
    # Duplicates: the 64-bit hash of DUPLICATE_KEY finds the candidates; the exact comparison of all
    # content columns is done only on those (a hash collision can never merge two lines).
    # (the hashes alone sorted and compared with their neighbours: 4x faster than is_duplicated
    # on 2 M hashes; the rows are looked up only when some hash repeats)
    if large:
        assert read_back is not None
        cand = _candidates_after(read_back, rows_good)
    else:
        h = hashes["_h"].sort()
        repeated = h.filter(h == h.shift(1))
        cand = hashes.filter(pl.col("_h").is_in(repeated.implode()))["source_row"] if repeated.len() else hashes["source_row"].clear()
    drop_rows: list[int] = []
    if cand.len():
        lines = payments.lazy() if payments is not None else cast(Callable[[], pl.LazyFrame], read_back)()
        sub = (
            lines.filter(pl.col("source_row").is_in(cand.implode()))
            .collect()
            .with_columns(
                _dup=pl.struct(list(CONTENT)).is_duplicated(),
                _occ=pl.int_range(pl.len()).over(list(CONTENT)),
            )
        )
        again = sub.filter(pl.col("_dup") & (pl.col("_occ") > 0))
        rep.duplicates = again.height
        if drop_duplicates and again.height:
            drop_rows = again["source_row"].to_list()
            rep.duplicates_dropped = again.height
            rep.ore_duplicates_dropped = to_ore(again["amount"])
            if payments is not None:
                payments = payments.filter(~pl.col("source_row").is_in(again["source_row"].implode()))
    rep.rows_written = rows_good - rep.duplicates_dropped
    rep.ore_written = ore_good - rep.ore_duplicates_dropped
    if not rep.balanced() or rows_good + rep.rows_rejected != rep.rows_read:  # pragma: no cover - a bug guard
        raise DataError(f"reconciliation failed: read {rep.as_dict()} does not balance", file=file)
    return PlanResult(payments, bad.select(REJECTS.names).cast(REJECTS.schema), [rep], drop_rows)


HASH_PART_ROWS = 8_000_000  # lines whose content hashes are compared at once after a large import


def _candidates_after(read_back: Callable[[], pl.LazyFrame], rows: int) -> pl.Series:
    """``source_row`` of the lines written whose content hash another line shares (candidates
    for exact duplicates), found in parts by the hash's value: two equal hashes are always in
    the same part."""
    parts = max(1, -(-rows // HASH_PART_ROWS))
    found = []
    for i in range(parts):
        query = read_back().select(_h=pl.struct(list(DUPLICATE_KEY)).hash(seed=0), source_row="source_row")
        if parts > 1:
            query = query.filter(pl.col("_h") % parts == i)
        hashes = query.collect(engine="streaming")
        h = hashes["_h"].sort()
        repeated = h.filter(h == h.shift(1))
        if repeated.len():
            found.append(hashes.filter(pl.col("_h").is_in(repeated.implode()))["source_row"])
    return pl.concat(found) if found else pl.Series("source_row", [], pl.Int64)


def import_frame(
    raw: pl.DataFrame | pl.LazyFrame,
    *,
    file: str,
    mapping: Mapping,
    key: bytes,
    on_error: str = "fail",
    drop_duplicates: bool = False,
    excel: bool = False,
    extract_date: dt.date | None = None,
) -> PlanResult:
    """One extract's raw text frame → payments, rejects and its reconciliation report, in memory
    (the notebook form of ``import-dss``). The extract date is ``extract_date``, else the
    mapped column's, else the newest actual date (:func:`decide_extract_date`)."""
    plan = plan_import(raw.lazy(), file=file, mapping=mapping, key=key, excel=excel)
    res = run_import(plan, on_error=on_error, drop_duplicates=drop_duplicates)
    rep = res.reports[0]
    decide_extract_date(rep, extract_date, mapping)
    assert res.payments is not None
    res.payments = res.payments.with_columns(extract_date=pl.lit(rep.extract_date)).select(PAYMENTS.names)
    return res


def decide_extract_date(rep: FileReport, given: dt.date | None, mapping: Mapping) -> None:
    """Set ``rep.extract_date`` and where it came from: ``given``, else the mapped extract-date
    column (one date for the whole file), else the newest service date of an actual line."""
    lo, hi, empty = rep.mapped_dates
    column = mapping.columns.get("extract_date")
    if given is not None:
        rep.extract_date, rep.extract_date_source = given, "given"
    elif column:
        if empty or lo is None:
            raise DataError("expected the extract date (a date like 31-12-2025) on every line, found empty or unreadable values", file=rep.file, column=column)
        if lo != hi:
            raise DataError(f"expected one extract date for the whole file, found {lo} … {hi}", file=rep.file, column=column)
        rep.extract_date, rep.extract_date_source = lo, f"column {column}"
    elif rep.newest_actual is not None:
        rep.extract_date, rep.extract_date_source = rep.newest_actual, "newest actual date"
    else:
        raise DataError("cannot tell the extract date: the file has no actual lines; give the extract date", file=rep.file)


def to_ore(amounts: pl.Series) -> int:
    """Exact sum of a Decimal(18,2) series in integer øre."""
    return int((amounts * 100).cast(pl.Int64).sum() or 0)


def empty_rejects() -> pl.DataFrame:
    return REJECTS.empty()
