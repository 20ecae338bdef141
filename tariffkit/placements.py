"""Placements (*placeringer*): who lives on an offer, own citizens and other municipalities'.

The municipality's own DSS extract holds only its own citizens; the offer's placement list
holds everyone (the provider side's view). A placement is a **stay**: a citizen on an offer at
a level from ``valid_from`` to ``valid_to`` (inclusive; empty = still there), with the origin
(``own``, or ``other``: placed and paid for by another municipality), the paying municipality
(*betalingskommune*) and the acting one (*handlekommune*). A level change is a new stay.

* :func:`read` reads the offers' usual layout (CSV/xlsx, Danish headers, CPR numbers
  pseudonymised at read) or Parquet, and checks every stay (:func:`check`).
* :func:`in_force` gives the stays in force on a day (the current placements).
* :func:`occupancy` gives HÅP per offer, level and origin from all citizens: own ones from the
  payments (or the placements), other municipalities' from the placements, each month shared by
  days as compute-haap shares it, and the reconciliation of own citizens between the two sources.
* :func:`billing` gives what each paying municipality owes per citizen and month (*mellemkommunal
  afregning*).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

import polars as pl
from polars._typing import PolarsDataType

from tariffkit.errors import DataError
from tariffkit.periods import days_between

HEADERS = {
    "cpr-nr": "cpr",
    "cpr": "cpr",
    "cprnr": "cpr",
    "cpr-nummer": "cpr",
    "tilbudsnr": "offer_id",
    "tilbudsnummer": "offer_id",
    "funktionsniveau": "level",
    "niveau": "level",
    "fra dato": "valid_from",
    "fra": "valid_from",
    "indflytning": "valid_from",
    "startdato": "valid_from",
    "til dato": "valid_to",
    "til": "valid_to",
    "fraflytning": "valid_to",
    "slutdato": "valid_to",
    "oprindelse": "origin",
    "betalingskommune": "municipality",
    "handlekommune": "acting_municipality",
}
ORIGIN_VALUES = {"egen borger": "own", "egen": "own", "own": "own", "anden kommune": "other", "other": "other", "fremmed kommune": "other"}
CLAIM_MONTHS = 12  # Serviceloven § 174 stk. 2: a claim must be made within 12 months of the help


def read(path: str, inputs, key: bytes | None) -> pl.DataFrame:
    """A placements file → the ``placements`` table (checked, see :func:`check`)."""
    from pathlib import Path

    from tariffkit import io as tio
    from tariffkit.contracts import PLACEMENTS, conform
    from tariffkit.schedules import pseudonymise_column, rename_headers

    file = tio.label_of(path)
    suffix = Path(str(path)).suffix.lower()
    if str(path) == "-" or suffix in (".parquet", ".pq"):
        df = tio.read_table(path, inputs)
        for c, dtype in (("valid_from", pl.Date), ("valid_to", pl.Date), ("acting_municipality", pl.String)):
            if c not in df.columns:
                df = df.with_columns(pl.lit(None, dtype=dtype).alias(c))
        return check(conform(df, PLACEMENTS, file=file, check_key=False), file)
    data = tio.read_bytes(path, inputs)
    raw = tio.read_xlsx_text(data, file) if suffix in (".xlsx", ".xlsm") else tio.read_csv_text(data, file)[0]
    rows = raw["_row"] if "_row" in raw.columns else None
    df = rename_headers(raw, HEADERS, file)
    if key is None and "cpr" in df.columns:
        raise DataError("the placements carry CPR numbers; a pseudonymisation key is needed", file=file)
    df = pseudonymise_column(df, key or b"", file)
    if "origin" in df.columns:
        o = pl.col("origin").str.strip_chars().str.to_lowercase()
        df = df.with_columns(
            pl.when(o.is_in(list(ORIGIN_VALUES))).then(o.replace_strict(ORIGIN_VALUES, default=None)).otherwise(pl.col("origin")).alias("origin")
        )
    else:
        df = df.with_columns(origin=pl.lit("own"))
    for c in ("municipality", "acting_municipality", "valid_from", "valid_to"):
        if c not in df.columns:
            df = df.with_columns(pl.lit(None, dtype=pl.String).alias(c))
    if rows is not None and "_row" not in df.columns:
        df = df.with_columns(_row=rows)
    out = conform(df, PLACEMENTS, file=file, first_row=None, check_key=False)
    return check(out, file, rows=df["_row"] if "_row" in df.columns else None)


COLUMN_LABELS = {"valid_from": "Fra dato", "valid_to": "Til dato", "municipality": "Betalingskommune", "level": "Funktionsniveau"}


def check(p: pl.DataFrame, file: str, rows: pl.Series | None = None) -> pl.DataFrame:
    """Every stay must make sense: it ends on or after it begins, another municipality's citizen
    has a paying municipality, and a citizen's stays do not overlap (one place at a time).
    Errors name the column by the list's own header (Fra dato, Til dato, Betalingskommune)."""
    r = p.with_columns(_r=rows if rows is not None else pl.int_range(2, pl.len() + 2, dtype=pl.Int64))

    def first(mask: pl.Expr, column: str, reason: str) -> None:
        bad = r.filter(mask)
        if bad.height:
            more = f" ({bad.height} rows like this)" if bad.height > 1 else ""
            raise DataError(reason + more, file=file, row=int(bad["_r"][0]), column=COLUMN_LABELS.get(column, column))

    first(
        pl.col("valid_to").is_not_null() & pl.col("valid_from").is_not_null() & (pl.col("valid_to") < pl.col("valid_from")),
        "valid_to",
        "the stay ends before it begins",
    )
    first(
        (pl.col("origin") == "other") & (pl.col("municipality").is_null()),
        "municipality",
        "another municipality's citizen needs the paying municipality (Betalingskommune)",
    )
    dated = r.filter(pl.col("valid_from").is_not_null()).sort("citizen_id", "valid_from", "_r")
    end = pl.col("valid_to").fill_null(dt.date(9999, 12, 31))
    overl = dated.with_columns(_prev_end=end.shift(1).over("citizen_id")).filter(pl.col("_prev_end") >= pl.col("valid_from"))
    if overl.height:
        raise DataError(
            f"the citizen's stays overlap: a stay begins on {overl['valid_from'][0]} before the previous one has ended"
            + (f" ({overl.height} rows like this)" if overl.height > 1 else ""),
            file=file,
            row=int(overl["_r"][0]),
            column=COLUMN_LABELS["valid_from"],
        )
    return p


def check_levels(p: pl.DataFrame, levels: list[int], file: str) -> None:
    """A placement on a level the structure does not have is an error."""
    bad = p.filter(~pl.col("level").is_in(levels))
    if bad.height:
        raise DataError(f"level {bad['level'][0]} is outside the structure's levels {levels[0]}–{levels[-1]}", file=file, column=COLUMN_LABELS["level"])


def in_force(p: pl.DataFrame, on: dt.date | None = None) -> pl.DataFrame:
    """The stays in force on ``on`` (default: the latest date the file knows, the newest start or
    end); a file without dates is taken as the current placements."""
    if p["valid_from"].null_count() == p.height:
        return p
    if on is None:
        on = max(cast(dt.date, d) for d in (p["valid_from"].max(), p["valid_to"].max()) if d is not None)
    return p.filter((pl.col("valid_from").is_null() | (pl.col("valid_from") <= on)) & (pl.col("valid_to").is_null() | (pl.col("valid_to") >= on)))


def stay_lines(p: pl.DataFrame, start: dt.date, end: dt.date) -> pl.DataFrame:
    """Stays as payment-shaped lines over [start, end] (an open stay runs to ``end``), so that
    compute-haap's rules (a month shared by days, stays for flows) give HÅP from placements."""
    from tariffkit.contracts import PAYMENTS

    if p["valid_from"].null_count():
        raise DataError(
            "the placements need dates (Fra dato) to give HÅP; a stay without a start date cannot be counted", file="placements", column="valid_from"
        )
    s = p.filter((pl.col("valid_from") <= end) & (pl.col("valid_to").is_null() | (pl.col("valid_to") >= start))).with_columns(
        service_from=pl.max_horizontal("valid_from", pl.lit(start)),
        service_to=pl.min_horizontal(pl.col("valid_to").fill_null(end), pl.lit(end)),
    )
    days = days_between("service_from", "service_to")
    return s.select(
        "citizen_id",
        case_id=pl.lit(""),
        caseworker=pl.lit(""),
        offer_id="offer_id",
        offer_name=pl.lit(""),
        provider=pl.lit("internal"),
        paragraph=pl.lit(""),
        paragraph_also=pl.lit(None, pl.String),
        function=pl.lit(""),
        level=pl.col("level").cast(pl.Int16),
        service_from="service_from",
        service_to="service_to",
        amount=days.cast(pl.Decimal(18, 2)),
        kind=pl.lit("actual"),
        extract_date=pl.lit(end),
        source_file=pl.lit("placements"),
        source_row=pl.int_range(pl.len(), dtype=pl.Int64),
        origin="origin",
        municipality="municipality",
        acting_municipality="acting_municipality",
    ).select(*PAYMENTS.names, "origin", "municipality", "acting_municipality")


@dataclass
class Occupancy:
    """HÅP per offer, level and origin (the ``occupancy`` table) and the reconciliation of own
    citizens between payments and placements."""

    table: pl.DataFrame
    reconciliation: pl.DataFrame


def occupancy(
    placements: pl.DataFrame,
    payments: pl.DataFrame | None,
    year: int,
    *,
    as_of: dt.date | None = None,
    own_from: str = "payments",
    offers: list[str] | None = None,
) -> Occupancy:
    """HÅP of ``year`` per offer and level for every citizen on the offer: own citizens from the
    payments (``own_from="payments"``: what DSS pays, the commitments in force included) or from
    the placements, other municipalities' citizens from the placements (an open stay is taken to
    run to year end). ``offers``: the offers to count (default: those in the placements)."""
    from tariffkit.haap import HaapOptions, compute

    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    offers = offers or sorted(set(placements["offer_id"].to_list()))
    opts = HaapOptions(by=("offer_id", "level"), start=start, end=dt.date(year, 12, 1), period_label=str(year))
    lines = stay_lines(placements.filter(pl.col("offer_id").is_in(offers)), start, end)
    parts = []
    extras = ["origin", "municipality", "acting_municipality"]
    other = lines.filter(pl.col("origin") == "other").drop(extras)
    if other.height:
        parts.append(compute(other, opts).with_columns(origin=pl.lit("other"), source=pl.lit("placements")))
    own_p = lines.filter(pl.col("origin") == "own").drop(extras)
    if own_from == "payments":
        if payments is None:
            raise DataError("own citizens from the payments need the payments table", file="payments")
        pay = payments.filter(pl.col("offer_id").is_in(offers) & pl.col("level").is_not_null())
        if pay.height:
            parts.append(compute(pay, HaapOptions(**{**opts.__dict__, "as_of": as_of})).with_columns(origin=pl.lit("own"), source=pl.lit("payments")))
    elif own_p.height:
        parts.append(compute(own_p, opts).with_columns(origin=pl.lit("own"), source=pl.lit("placements")))
    cols = ["offer_id", "level", "origin", "source", "period", "citizens", "haap"]
    table = (
        pl.concat([x.select(cols) for x in parts])
        if parts
        else pl.DataFrame(
            schema={
                "offer_id": pl.String,
                "level": pl.Int16,
                "origin": pl.String,
                "source": pl.String,
                "period": pl.String,
                "citizens": pl.Int64,
                "haap": pl.Float64,
            }
        )
    )
    table = table.filter(pl.col("haap") > 0).sort("offer_id", "level", "origin")
    rec = reconcile(own_p, payments.filter(pl.col("offer_id").is_in(offers)) if payments is not None else None, year)
    return Occupancy(table, rec)


def reconcile(own_stays: pl.DataFrame, payments: pl.DataFrame | None, year: int) -> pl.DataFrame:
    """Own citizens whose months differ between the two sources, per offer (the quarterly check of
    DSS against the case system): months in the year with payments in force and with a stay. A
    whole citizen missing from one source, or months missing (a month whose payment was
    cancelled while the citizen stayed placed lowers the HÅP the tariffs are set against)."""
    from tariffkit.haap import spread_months
    from tariffkit.history import lines_in_force

    schema: dict[Any, PolarsDataType] = {
        "citizen_id": pl.String,
        "offer_id": pl.String,
        "months_paid": pl.Int64,
        "months_placed": pl.Int64,
        "finding": pl.String,
    }
    if payments is None:
        return pl.DataFrame(schema=schema)
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    lf, _ = lines_in_force(payments)
    paid = (
        spread_months(lf.filter((pl.col("kind") != "refund") & (pl.col("service_to") >= start) & (pl.col("service_from") <= end)), ["citizen_id", "offer_id"])
        .filter(pl.col("month").dt.year() == year)
        .group_by("citizen_id", "offer_id", "month")
        .agg(pl.col("ore").sum())
        .filter(pl.col("ore") > 0)
        .group_by("citizen_id", "offer_id")
        .agg(months_paid=pl.len().cast(pl.Int64))
        .collect()
    )
    placed = (
        spread_months(own_stays.lazy(), ["citizen_id", "offer_id"])
        .filter(pl.col("month").dt.year() == year)
        .group_by("citizen_id", "offer_id")
        .agg(months_placed=pl.col("month").n_unique().cast(pl.Int64))
        .collect()
    )
    j = paid.join(placed, on=["citizen_id", "offer_id"], how="full", coalesce=True).with_columns(
        pl.col("months_paid").fill_null(0), pl.col("months_placed").fill_null(0)
    )
    j = j.filter(pl.col("months_paid") != pl.col("months_placed")).with_columns(
        finding=pl.when(pl.col("months_placed") == 0)
        .then(pl.lit("paid, not placed"))
        .when(pl.col("months_paid") == 0)
        .then(pl.lit("placed, not paid"))
        .when(pl.col("months_paid") < pl.col("months_placed"))
        .then(pl.lit("placed in months not paid"))
        .otherwise(pl.lit("paid in months not placed"))
    )
    return j.select(list(schema)).cast(schema).sort("offer_id", "citizen_id")


def billing(
    placements: pl.DataFrame, tariffs: pl.DataFrame, first_month: dt.date, last_month: dt.date, claim_date: dt.date, days_per_year: int = 365
) -> pl.DataFrame:
    """What each paying municipality owes per external citizen and month: days on the offer at
    each level (a level change by its date) × the level's daily tariff (annual / days per year,
    to the øre) of the month's year. A month that ended more than 12 months before
    ``claim_date`` is flagged ``late``: Serviceloven § 174 stk. 2 says a claim must be made
    within 12 months of the help."""
    from tariffkit.haap import month_add

    last_day = month_add(last_month, 1) - dt.timedelta(days=1)
    ext = placements.filter((pl.col("origin") == "other") & pl.col("valid_from").is_not_null())
    lines = stay_lines(ext, first_month, last_day)
    months = lines.with_columns(month=pl.date_ranges(pl.col("service_from").dt.month_start(), pl.col("service_to").dt.month_start(), "1mo")).explode("month")
    months = months.with_columns(
        days=days_between(pl.max_horizontal("month", "service_from"), pl.min_horizontal(pl.col("month").dt.month_end(), "service_to")),
        year=pl.col("month").dt.year().cast(pl.Int32),
    )
    t = tariffs.filter(pl.col("tariff_kind") == "level").select("offer_id", "year", pl.col("level").cast(pl.Int16), "daily_tariff", "annual_tariff")
    common = t.filter(pl.col("offer_id") == "*").drop("offer_id")
    j = months.join(common, on=["year", "level"], how="left") if common.height else months.join(t, on=["offer_id", "year", "level"], how="left")
    missing = j.filter(pl.col("daily_tariff").is_null())
    if missing.height:
        r = missing.row(0, named=True)
        raise DataError(
            f"no tariff for offer {r['offer_id']}, level {r['level']}, {r['year']}: an external citizen cannot be billed", file="tariffs", column="level"
        )
    money = pl.Decimal(18, 2)
    deadline = pl.col("month").dt.month_end().dt.offset_by(f"{CLAIM_MONTHS}mo")
    out = j.with_columns(
        amount=(pl.col("daily_tariff").cast(money) * pl.col("days")).cast(money),
        claim_deadline=deadline,
    ).with_columns(late=pl.lit(claim_date) > pl.col("claim_deadline"))
    return out.select(
        pl.col("municipality").alias("paying_municipality"),
        "acting_municipality",
        pl.col("month").dt.strftime("%Y-%m").alias("month"),
        "citizen_id",
        "offer_id",
        "level",
        pl.col("days").cast(pl.Int64),
        "daily_tariff",
        "amount",
        "claim_deadline",
        "late",
    ).sort("paying_municipality", "month", "offer_id", "citizen_id", "level")


def billing_workbook(bill: pl.DataFrame, municipality: str, offers: dict[str, str] | None = None) -> bytes:
    """One paying municipality's bill as an .xlsx to send on (Danish headers, kroner, the
    12-month deadline per line)."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    from tariffkit.xlsx import deterministic_zip as _deterministic_zip

    wb = Workbook()
    ws = wb.active
    ws.title = "Afregning"
    ws.append([f"Mellemkommunal afregning: {municipality}"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(["Beløb = dage på tilbuddet × døgntakst for niveauet. Krav skal rejses senest 12 måneder efter hjælpen (serviceloven § 174, stk. 2)."])
    ws.append([])
    head = ["Måned", "Borger (pseudonym)", "Tilbud", "Tilbudsnavn", "Funktionsniveau", "Dage", "Døgntakst", "Beløb", "Frist for krav", "For sent"]
    ws.append(head)
    for c in ws[4]:
        c.font = Font(bold=True)
    total = Decimal(0)
    row = 4  # the row just written (openpyxl's max_row counts every cell each time it is asked)
    for r in bill.filter(pl.col("paying_municipality") == municipality).iter_rows(named=True):
        row += 1
        ws.append(
            [
                r["month"],
                r["citizen_id"],
                r["offer_id"],
                (offers or {}).get(r["offer_id"], ""),
                r["level"],
                r["days"],
                float(r["daily_tariff"]),
                float(r["amount"]),
                r["claim_deadline"],
                "ja" if r["late"] else "nej",
            ]
        )
        total += r["amount"]
        for j in (7, 8):
            ws.cell(row=row, column=j).number_format = "#,##0.00"
        ws.cell(row=row, column=9).number_format = "dd-mm-yyyy"
    ws.append(["I alt", "", "", "", "", "", "", float(total)])
    row += 1
    ws.cell(row=row, column=8).number_format = "#,##0.00"
    ws.cell(row=row, column=1).font = Font(bold=True)
    for col, w in zip("ABCDEFGHIJ", (10, 20, 10, 28, 15, 7, 12, 14, 14, 9)):
        ws.column_dimensions[col].width = w
    ws.freeze_panes = "A5"
    buf = io.BytesIO()
    wb.save(buf)
    return _deterministic_zip(buf.getvalue())
