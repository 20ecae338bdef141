"""Import of DSS payment extracts: parsing, validation, pseudonymisation, reconciliation.

The core is :func:`import_frames`: raw text frames in, ``payments`` and ``rejects`` frames and
a reconciliation out. No I/O here beyond what the caller hands in.

Money is handled in integer øre internally and written as Decimal(18,2); nothing is rounded
(an amount with more than two decimals is rejected as malformed).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field

import polars as pl

from tariffkit.contracts import PAYMENTS, REJECTS
from tariffkit.danish import (
    MONEY,
    cpr_date_ok,
    mask_cpr,
    normalise_cpr,
    normalise_function,
    normalise_paragraph,
    parse_date,
    parse_number,
)
from tariffkit.errors import DataError

FIELDS = (
    "cpr", "name", "case_id", "caseworker", "offer_id", "offer_name", "provider", "paragraph",
    "function", "level", "service_from", "service_to", "amount", "kind",
)
REQUIRED = tuple(f for f in FIELDS if f not in ("name", "level"))
CONTENT = ("citizen_id", "case_id", "caseworker", "offer_id", "offer_name", "provider", "paragraph", "function", "level", "service_from", "service_to", "amount", "kind")


@dataclass
class Mapping:
    """How an extract's layout maps to the canonical fields (the mapping TOML)."""

    columns: dict[str, str] = field(default_factory=lambda: {
        "cpr": "CPR-nr.", "name": "Navn", "case_id": "Sagsnr.", "caseworker": "Sagsbehandler",
        "offer_id": "Tilbudsnr.", "offer_name": "Tilbud", "provider": "Leverandørtype",
        "paragraph": "Paragraf", "function": "Funktion", "level": "Funktionsniveau",
        "service_from": "Periode fra", "service_to": "Periode til", "amount": "Beløb", "kind": "Type",
    })
    date_formats: list[str] = field(default_factory=lambda: ["%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"])
    decimal: str = ","
    thousands: str = "."
    encoding: str = ""  # empty = detect (UTF-8, UTF-8 with BOM, else Windows-1252)
    separator: str = ";"
    header_row: int = 1
    skip_rows_starting_with: list[str] = field(default_factory=lambda: ["I alt", "Total"])
    value_maps: dict[str, dict[str, str]] = field(default_factory=lambda: {
        "provider": {"Intern": "internal", "Ekstern": "external"},
        "kind": {"Forbrug": "actual", "Disposition": "commitment"},
    })
    min_level: int = 1
    max_level: int = 5

    @classmethod
    def from_dict(cls, d: dict, file: str = "mapping") -> "Mapping":
        m = cls()
        known = set(m.__dataclass_fields__)
        for k, v in d.items():
            if k not in known:
                raise DataError(f"unknown setting {k!r}; known settings: {', '.join(sorted(known))}", file=file)
            setattr(m, k, v)
        if not isinstance(m.columns, dict):
            raise DataError("[columns] must be a table of field = \"source column\"", file=file)
        unknown = sorted(set(m.columns) - set(FIELDS))
        if unknown:
            raise DataError(f"[columns] names unknown field {unknown[0]!r}; fields: {', '.join(FIELDS)}", file=file, column=unknown[0])
        missing = [f for f in REQUIRED if f not in m.columns]
        if missing:
            raise DataError(f"[columns] has no source column for required field {missing[0]!r}", file=file, column=missing[0])
        return m

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def init_mapping_toml() -> str:
    """A commented mapping template of the built-in layout, for ``--init-mapping``."""
    import tomli_w

    head = """\
# tariffkit import-dss mapping: how a DSS extract's columns map to tariffkit's fields.
# Start from this file (the built-in layout) and change what differs in your export:
#
#   columns          source column (header text) for each field; `name` is read only to be dropped
#   date_formats     strftime formats tried in order (%d-%m-%Y = 31-12-2025); Excel dates always work
#   decimal          decimal separator in amounts (",")
#   thousands        thousands separator in amounts (".", or "" for none)
#   encoding         "" = detect (UTF-8, UTF-8 with BOM, else Windows-1252), or e.g. "latin-1"
#   separator        CSV field separator (";")
#   header_row       line number of the header row (rows above it are skipped)
#   skip_rows_starting_with   rows whose first non-empty cell starts with one of these are
#                    skipped, e.g. total rows ("I alt"); they are counted in the summary
#   value_maps       source value -> tariffkit value for provider (internal/external) and
#                    kind (actual/commitment)
#   min_level, max_level      the function levels in use
#
# Use it with:  tariffkit import-dss extract.csv --mapping this-file.toml -o payments.parquet

"""
    return head + tomli_w.dumps(Mapping().to_dict())


def pseudonymise(cprs: pl.Series, key: bytes) -> pl.Series:
    """Normalised CPR numbers → citizen_id, HMAC-SHA256 under ``key`` (first 16 hex characters).

    The same person gets the same id across months and files as long as the key is the same.
    Only distinct values are hashed (one Python call per citizen, not per line)."""
    uniq = cprs.unique().drop_nulls()
    base = hmac.new(key, digestmod=hashlib.sha256)  # keyed once; each value hashes a copy

    def one(c: str) -> str:
        m = base.copy()
        m.update(c.encode("ascii"))
        return m.hexdigest()[:16]

    ids = [one(c) for c in uniq.to_list()]
    return cprs.replace_strict(uniq, pl.Series(ids, dtype=pl.String), default=None, return_dtype=pl.String)


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

    def balanced(self) -> bool:
        return (
            self.rows_read == self.rows_written + self.rows_rejected + self.duplicates_dropped
            and self.ore_read == self.ore_written + self.ore_rejected + self.ore_duplicates_dropped
        )

    def as_dict(self) -> dict:
        kr = lambda ore: f"{ore / 100:.2f}"  # noqa: E731
        return {
            "file": self.file, "rows_read": self.rows_read, "rows_written": self.rows_written,
            "rows_rejected": self.rows_rejected, "rows_skipped": self.rows_skipped, "duplicates": self.duplicates,
            "duplicates_dropped": self.duplicates_dropped, "amount_read": kr(self.ore_read),
            "amount_written": kr(self.ore_written), "amount_rejected": kr(self.ore_rejected),
            "amount_duplicates_dropped": kr(self.ore_duplicates_dropped),
            "rejected_without_readable_amount": self.rejected_without_amount,
        }


def _check_columns(raw: pl.DataFrame, mapping: Mapping, file: str) -> None:
    have = set(raw.columns)
    for fld, src in mapping.columns.items():
        if src not in have and fld in REQUIRED:
            cols = ", ".join(c for c in raw.columns if c != "_row")
            raise DataError(
                f"no column {src!r} (mapped to field {fld}); the file's columns are: {cols}. "
                "Use --mapping to describe another layout (tariffkit import-dss --init-mapping).",
                file=file, row=mapping.header_row, column=src,
            )


def parse_lines(raw: pl.DataFrame, mapping: Mapping, *, file: str, excel: bool = False) -> pl.DataFrame:
    """Raw text columns → typed canonical columns plus ``_column``/``_reason`` for bad rows.

    ``_reason`` is null for a good row. A reason names what was expected; it never quotes a
    CPR number."""
    _check_columns(raw, mapping, file)
    src = {f: pl.col(c).str.strip_chars() for f, c in mapping.columns.items() if c in raw.columns}
    thousands = mapping.thousands or None
    amount_text = src["amount"]
    # Columns with repeated values are parsed once per distinct value and mapped back (a
    # citizen's CPR, the dates, paragraphs and functions repeat on every line).
    raw = raw.with_columns(src[f].alias(f"_t_{f}") for f in ("amount", "cpr", "service_from", "service_to", "paragraph", "function"))

    def distinct(field: str, parse, dtype) -> pl.Expr:
        u = raw.select(pl.col(f"_t_{field}").unique().drop_nulls().alias("v"))
        m = u.select("v", out=parse(pl.col("v")).cast(dtype))
        return pl.col(f"_t_{field}").replace_strict(m["v"], m["out"], default=None, return_dtype=dtype)

    amount = distinct("amount", lambda e: parse_number(e, decimal=mapping.decimal, thousands=thousands, dtype=MONEY), MONEY)
    cpr = distinct("cpr", normalise_cpr, pl.String)
    cpr_ok = distinct("cpr", lambda e: cpr_date_ok(normalise_cpr(e)).fill_null(False), pl.Boolean)
    dates = tuple(mapping.date_formats)
    d_from = distinct("service_from", lambda e: parse_date(e, formats=dates, excel_serials=excel), pl.Date)
    d_to = distinct("service_to", lambda e: parse_date(e, formats=dates, excel_serials=excel), pl.Date)
    paragraph_norm = distinct("paragraph", normalise_paragraph, pl.String)
    function_norm = distinct("function", normalise_function, pl.String)
    level_num = parse_number(src["level"], decimal=mapping.decimal, thousands=None, dtype=pl.Float64) if "level" in src else pl.lit(None, dtype=pl.Float64)
    vm = mapping.value_maps
    provider = src["provider"].replace_strict(vm.get("provider", {}), default=src["provider"], return_dtype=pl.String) if vm.get("provider") else src["provider"]
    kind = src["kind"].replace_strict(vm.get("kind", {}), default=src["kind"], return_dtype=pl.String) if vm.get("kind") else src["kind"]

    df = raw.select(
        "_row",
        _cpr=cpr,
        _cpr_ok=cpr_ok,
        _cpr_raw=src["cpr"],
        case_id=src["case_id"],
        caseworker=src["caseworker"],
        offer_id=src["offer_id"],
        offer_name=src["offer_name"],
        provider=provider,
        _provider_raw=src["provider"],
        paragraph=paragraph_norm,
        _paragraph_raw=src["paragraph"],
        function=function_norm,
        _function_raw=src["function"],
        _level_num=level_num,
        _level_raw=src["level"] if "level" in src else pl.lit(None, dtype=pl.String),
        service_from=d_from,
        _from_raw=src["service_from"],
        service_to=d_to,
        _to_raw=src["service_to"],
        amount=amount,
        _amount_raw=amount_text,
        kind=kind,
        _kind_raw=src["kind"],
    )
    empty = lambda c: pl.col(c).is_null() | (pl.col(c) == "")  # noqa: E731
    name = mapping.columns
    prov_ok = ", ".join(vm.get("provider", {}) or ["internal", "external"])
    kind_ok = ", ".join(vm.get("kind", {}) or ["actual", "commitment"])
    lvl_range = f"{mapping.min_level}–{mapping.max_level}"
    rules: list[tuple[pl.Expr, str, pl.Expr]] = [
        (empty("_cpr_raw"), name["cpr"], pl.lit("expected a CPR number, found an empty value")),
        (pl.col("_cpr").is_null(), name["cpr"], pl.lit("expected a CPR number of 10 digits (DDMMYY-XXXX), found something else (value not shown)")),
        (~pl.col("_cpr_ok"), name["cpr"], pl.lit("expected a CPR number with a valid date part DDMMYY (day + 60 allowed), found an invalid date (value not shown)")),
        *[(empty(f), name[f], pl.lit("expected a value, found an empty value")) for f in ("case_id", "caseworker", "offer_id", "offer_name")],
        (empty("_provider_raw"), name["provider"], pl.lit(f"expected one of {prov_ok}, found an empty value")),
        (~pl.col("provider").is_in(["internal", "external"]), name["provider"], pl.format(f"expected one of {prov_ok}, found '{{}}'", "_provider_raw")),
        (empty("_paragraph_raw"), name["paragraph"], pl.lit("expected a paragraph like § 108, found an empty value")),
        (pl.col("paragraph").is_null(), name["paragraph"], pl.format("expected a paragraph like '§ 108' or 'ABL § 105', found '{}'", "_paragraph_raw")),
        (empty("_function_raw"), name["function"], pl.lit("expected an account function like 5.38.50, found an empty value")),
        (pl.col("function").is_null(), name["function"], pl.format("expected an account function like 5.38.50 or a 10-digit account, found '{}'", "_function_raw")),
        (~empty("_level_raw") & (pl.col("_level_num").is_null() | (pl.col("_level_num") != pl.col("_level_num").round(0))), name.get("level", "level"), pl.format("expected a whole function level, found '{}'", "_level_raw")),
        (pl.col("_level_num").is_not_null() & ((pl.col("_level_num") < mapping.min_level) | (pl.col("_level_num") > mapping.max_level)), name.get("level", "level"), pl.format(f"expected a function level {lvl_range}, found '{{}}'", "_level_raw")),
        (empty("_from_raw"), name["service_from"], pl.lit("expected a date like 31-12-2025, found an empty value")),
        (pl.col("service_from").is_null(), name["service_from"], pl.format("expected a date like 31-12-2025, found '{}'", "_from_raw")),
        (empty("_to_raw"), name["service_to"], pl.lit("expected a date like 31-12-2025, found an empty value")),
        (pl.col("service_to").is_null(), name["service_to"], pl.format("expected a date like 31-12-2025, found '{}'", "_to_raw")),
        (~pl.col("service_from").dt.year().is_between(1980, 2100), name["service_from"], pl.format("expected a date between 1980 and 2100, found '{}'", "_from_raw")),
        (~pl.col("service_to").dt.year().is_between(1980, 2100), name["service_to"], pl.format("expected a date between 1980 and 2100, found '{}'", "_to_raw")),
        (pl.col("service_from") > pl.col("service_to"), name["service_to"], pl.format("expected a date on or after the start date {}, found '{}'", "_from_raw", "_to_raw")),
        (empty("_amount_raw"), name["amount"], pl.lit("expected an amount like 1.234,56, found an empty value")),
        (pl.col("amount").is_null(), name["amount"], pl.format("expected an amount like 1.234,56 (at most 2 decimals), found '{}'", "_amount_raw")),
        (empty("_kind_raw"), name["kind"], pl.lit(f"expected one of {kind_ok}, found an empty value")),
        (~pl.col("kind").is_in(["actual", "commitment"]), name["kind"], pl.format(f"expected one of {kind_ok}, found '{{}}'", "_kind_raw")),
    ]
    col_expr = pl.lit(None, dtype=pl.String)
    reason_expr = pl.lit(None, dtype=pl.String)
    for cond, column, reason in reversed(rules):
        col_expr = pl.when(cond.fill_null(False)).then(pl.lit(column)).otherwise(col_expr)
        reason_expr = pl.when(cond.fill_null(False)).then(reason).otherwise(reason_expr)
    # A value that looks like a CPR number must never be quoted in a reason.
    reason_expr = reason_expr.str.replace_all(r"\d{6}-?\d{4}", "(CPR-shaped value, not shown)")
    # Evaluate the rules once as a plain "any bad?" mask; the first failing rule's column and
    # reason (the when/then chains) are worked out only for the bad rows, usually none.
    any_bad = pl.any_horizontal([cond.fill_null(False) for cond, _, _ in rules])
    df = df.with_columns(_bad=any_bad, level=pl.col("_level_num").cast(pl.Int16, strict=False))
    bad = df.filter(pl.col("_bad"))
    if bad.height == 0:
        return df.with_columns(_column=pl.lit(None, dtype=pl.String), _reason=pl.lit(None, dtype=pl.String)).drop("_bad")
    bad = bad.select("_row", _column=col_expr, _reason=reason_expr)
    return df.drop("_bad").join(bad, on="_row", how="left", maintain_order="left")


def skip_total_rows(raw: pl.DataFrame, prefixes: list[str]) -> tuple[pl.DataFrame, int]:
    if not prefixes:
        return raw, 0
    # columns by position: a header such as "*" would be a pattern to pl.col
    indexed = raw.with_row_index("_i")
    cols = [i for i, c in enumerate(indexed.columns) if c not in ("_row", "_i")]
    # Only rows whose first column is empty or starts with a prefix can be total rows; the
    # first non-empty cell is looked up for those few rows only (cheap on millions of lines).
    head = pl.nth(cols[0]).str.strip_chars()
    candidate = (head.is_null() | (head == "") | pl.any_horizontal([head.str.starts_with(p) for p in prefixes])).fill_null(True)
    cand = indexed.filter(candidate)
    if cand.height == 0:
        return raw, 0
    first = pl.coalesce([pl.when(pl.nth(c).str.strip_chars() != "").then(pl.nth(c).str.strip_chars()) for c in cols])
    totals = cand.filter(pl.any_horizontal([first.str.starts_with(p) for p in prefixes]).fill_null(False))["_i"]
    if totals.len() == 0:
        return raw, 0
    keep = indexed.filter(~pl.col("_i").is_in(totals.implode())).drop("_i")
    return keep, totals.len()


@dataclass
class ImportResult:
    payments: pl.DataFrame
    rejects: pl.DataFrame
    reports: list[FileReport]


def import_frame(
    raw: pl.DataFrame,
    *,
    file: str,
    mapping: Mapping,
    key: bytes,
    on_error: str = "fail",
    drop_duplicates: bool = False,
    excel: bool = False,
) -> ImportResult:
    """One extract's raw text frame → payments, rejects and its reconciliation report."""
    rep = FileReport(file=file)
    raw, rep.rows_skipped = skip_total_rows(raw, mapping.skip_rows_starting_with)
    _check_columns(raw, mapping, file)
    if raw.height == 0:
        raise DataError("the file has a header but no data rows (an empty extract is not imported; check the export)", file=file)
    parsed = parse_lines(raw, mapping, file=file, excel=excel)
    rep.rows_read = parsed.height
    ore = (pl.col("amount") * 100).cast(pl.Int64)
    parsed = parsed.with_columns(_ore=ore)
    rep.ore_read = int(parsed["_ore"].sum() or 0)
    bad = parsed.filter(pl.col("_reason").is_not_null())
    if bad.height and on_error == "fail":
        first = bad.row(0, named=True)
        more = f" ({bad.height} bad rows in all; use --on-error reject to import the good ones)" if bad.height > 1 else ""
        raise DataError(first["_reason"] + more, file=file, row=int(first["_row"]), column=first["_column"])
    good = parsed.filter(pl.col("_reason").is_null())
    good = good.with_columns(citizen_id=pseudonymise(good["_cpr"], key))
    rejects = bad.select(
        pl.lit(file).alias("source_file"),
        pl.col("_row").cast(pl.Int64).alias("source_row"),
        pl.col("_column").alias("column"),
        pl.col("_reason").alias("reason"),
        pl.when(pl.col("_cpr_raw").is_null()).then(None).otherwise(mask_cpr(pl.col("_cpr_raw"))).alias("cpr_masked"),
        pl.col("amount").cast(MONEY),
        pl.col("_amount_raw").alias("amount_text"),
    )
    rep.rows_rejected = rejects.height
    rep.ore_rejected = int(bad["_ore"].sum() or 0)
    rep.rejected_without_amount = int(bad["_ore"].null_count())
    payments = good.select(
        *[pl.col(c.name).cast(c.dtype) for c in PAYMENTS.columns if c.name not in ("source_file", "source_row")],
        pl.lit(file).alias("source_file"),
        pl.col("_row").cast(pl.Int64).alias("source_row"),
    )
    # Duplicates: a 64-bit hash of the content finds the candidates; the exact comparison of
    # all content columns is done only on those (a hash collision can never merge two lines).
    cand = payments.select(pl.struct(list(CONTENT)).hash(seed=0).is_duplicated()).to_series()
    if cand.any():
        sub = payments.filter(cand).with_columns(_dup=pl.struct(list(CONTENT)).is_duplicated(), _occ=pl.int_range(pl.len()).over(list(CONTENT)))
        payments = payments.with_columns(_i=pl.int_range(pl.len())).join(
            sub.with_columns(_i=pl.arg_where(cand)).select("_i", "_dup", "_occ"), on="_i", how="left", maintain_order="left"
        ).with_columns(pl.col("_dup").fill_null(False), pl.col("_occ").fill_null(0)).drop("_i")
    else:
        payments = payments.with_columns(_dup=pl.lit(False), _occ=pl.lit(0, dtype=pl.Int64))
    rep.duplicates = int(payments.select((pl.col("_dup") & (pl.col("_occ") > 0)).sum()).item())
    if drop_duplicates:
        dropped = payments.filter(pl.col("_occ") > 0)
        rep.duplicates_dropped = dropped.height
        rep.ore_duplicates_dropped = to_ore(dropped["amount"])
        payments = payments.filter(pl.col("_occ") == 0)
    payments = payments.drop("_dup", "_occ")
    rep.rows_written = payments.height
    rep.ore_written = to_ore(payments["amount"])
    if not rep.balanced():  # pragma: no cover - a bug guard: the books must balance
        raise DataError(f"reconciliation failed: read {rep.as_dict()} does not balance", file=file)
    return ImportResult(payments, rejects, [rep])


def to_ore(amounts: pl.Series) -> int:
    """Exact sum of a Decimal(18,2) series in integer øre."""
    return int((amounts * 100).cast(pl.Int64).sum() or 0)


def merge_append(existing: pl.DataFrame, new: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """Append ``new`` lines to ``existing`` without double counting.

    Identical lines (same content, any source file) are matched by occurrence: if the existing
    table already holds k copies of a line, the first k copies in ``new`` are already there.
    Returns (merged, number of new lines that were already present)."""
    cols = list(CONTENT)
    occ = pl.int_range(pl.len()).over(cols).alias("_occ")
    e = existing.select(cols).with_columns(occ)
    n = new.with_columns(occ)
    fresh = n.join(e, on=[*cols, "_occ"], how="anti", nulls_equal=True, maintain_order="left").drop("_occ")
    return pl.concat([existing, fresh.select(existing.columns)]), new.height - fresh.height


def empty_rejects() -> pl.DataFrame:
    return REJECTS.empty()
