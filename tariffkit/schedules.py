"""24-hour schedules (*døgnskemaer*) → weekly ATA hours → function levels, with findings and
the consequences for each citizen and offer (*genindplacering*).

Reading: the offers' workbooks (``.xlsx`` with a header block per citizen, as written by
:func:`write_template`, or a flat sheet), CSV with Danish headers, or Parquet in the
``schedules`` contract. CPR numbers are pseudonymised on reading with the same key as
``import-dss`` and never kept.

Computation (all vectorised; no Python loop over lines):

    weekly ATA minutes of a line = minutes × times per week × staff ÷ citizens sharing
    hours_registered = Σ over ATA-paragraph lines of registered weekly minutes / 60
    hours_assessed   = the same with the caseworker's minutes, where the schedule is assessed
                       (a line without assessed minutes in an assessed schedule keeps its
                       registered minutes); null when no line is assessed
    hours_counted    = hours_assessed when present, else hours_registered
    new_level        = the band holding hours_counted (lower bound inclusive, upper exclusive);
                       above the top band: the top level, and the hours above it are 5+
                       supplement hours
"""

from __future__ import annotations

import io as _io
import re
from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from tariffkit.danish import MONEY
from tariffkit.errors import DataError
from tariffkit.rates import parse_phase_in  # noqa: F401  (one home for rates; re-exported)
from tariffkit.tariffs import Structure

# Danish headers → contract columns (case and trailing dots ignored).
SCHEDULE_HEADERS = {
    "cpr-nr": "cpr",
    "cpr": "cpr",
    "cprnr": "cpr",
    "cpr-nummer": "cpr",
    "tilbudsnr": "offer_id",
    "tilbud": "offer_id",
    "tilbudsnummer": "offer_id",
    "aktivitetsnr": "line_no",
    "aktivitet nr": "line_no",
    "nr": "line_no",
    "beskrivelse": "description",
    "aktivitet": "description",
    "paragraf": "paragraph",
    "lovgrundlag": "paragraph",
    "starttidspunkt": "start_time",
    "start": "start_time",
    "tidspunkt": "start_time",
    "kl": "start_time",
    "minutter": "minutes",
    "tid (minutter)": "minutes",
    "varighed": "minutes",
    "hyppighed": "frequency",
    "frekvens": "frequency",
    "normering": "staffing",
    "vurderede minutter": "assessed_minutes",
    "vurderet tid": "assessed_minutes",
    "minutter efter vurdering": "assessed_minutes",
    "bemærkning": "comment",
    "bemærkninger": "comment",
    "kommentar": "comment",
    "vurderet paragraf": "assessed_paragraph",
    "ny paragraf": "assessed_paragraph",
    "ny §": "assessed_paragraph",
    "ny": "assessed_paragraph",
    "skal drøftes": "to_discuss",
    "drøftes": "to_discuss",
    "kategori": "category",
    "aktivitetskategori": "category",
}

TEMPLATE_TITLE = "Døgnskema"
TEMPLATE_COLUMNS = [
    "Aktivitetsnr.",
    "Beskrivelse",
    "Paragraf",
    "Starttidspunkt",
    "Minutter",
    "Hyppighed",
    "Normering",
    "Vurderede minutter",
    "Vurderet paragraf",
    "Skal drøftes",
    "Bemærkning",
    "Kategori",
]
TO_DISCUSS_YES = {"ja", "x", "skal drøftes", "drøftes", "1", "sand", "true"}
TO_DISCUSS_NO = {"", "nej", "0", "falsk", "false"}
TEMPLATE_FIRST_LINE_ROW = 8  # header row 7, lines from row 8
TEMPLATE_LINES = 60
FREQUENCY_CHOICES = [
    "Alle ugens 7 dage",
    "Hverdage",
    "Weekend",
    "2 x dagligt",
    "1 gang om ugen",
    "2 gange om ugen",
    "3 gange om ugen",
    "4 gange om ugen",
    "5 gange om ugen",
    "6 gange om ugen",
    "Mandag",
    "Tirsdag",
    "Onsdag",
    "Torsdag",
    "Fredag",
    "Hver anden uge",
    "Månedligt",
    "2 gange om måneden",
]
STAFFING_CHOICES = ["1:1", "2:1", "1:2", "1:3", "1:4", "1:5", "1:6", "1:8", "1:Flere"]
PARAGRAPH_CHOICES = ["§ 85", "§ 83", "83/85", "§ 83 a", "§ 107", "§ 108", "SUL", "SUL § 138", "ABL § 105"]

# Flags on a citizen; documented in docs/commands.md and docs/concepts.md.
FLAGS = {
    "overlap": "two individual (1:1 or 2:1) activities overlap in time on the same days: the hours are overstated (BDO's overcompensation trap)",
    "over_24_hours": "more than 24 staffed hours (minutes × staff ÷ sharing) on one day of the week",
    "assessment_gap": "registered and assessed hours differ by more than the tolerance",
    "to_discuss": "the caseworker marked lines to be discussed (skal drøftes)",
    "outside_band": "the counted hours lie outside the band of the current level (service drift, or a placement that is too high)",
    "above_top_band": "hours above the top band: top level plus a 5+ supplement for the hours above it",
    "level_change": "the new level differs from the current level",
    "above_paid_level": "another municipality's citizen whose new level is above the level that municipality pays for",
    "invalid_lines": "one or more schedule lines were invalid and left out (see notes for row and column)",
    "no_placement": "a schedule without a current placement: no current level or tariff",
    "no_schedule": "a current placement without a schedule: no new level",
    "no_tariff": "no tariff for the offer and level (external offer, or a level the tariffs do not cover)",
}


def _header_key(h: str) -> str:
    return " ".join(h.strip().lower().rstrip(".:").split())


def rename_headers(df: pl.DataFrame, headers: dict[str, str], file: str) -> pl.DataFrame:
    """Danish (or contract) headers → contract names; unknown columns are dropped."""
    ren: dict[str, str] = {}
    seen: dict[str, str] = {}
    for c in df.columns:
        if c == "_row":
            continue
        target = headers.get(_header_key(c), c if c in headers.values() or c == "citizen_id" else None)
        if target is None:
            continue
        if target in seen:
            raise DataError(f"two columns mean the same ({seen[target]!r} and {c!r} are both {target})", file=file, column=c)
        seen[target] = c
        ren[c] = target
    keep = (["_row"] if "_row" in df.columns else []) + list(ren)
    return df.select(keep).rename(ren)


def pseudonymise_column(df: pl.DataFrame, key: bytes, file: str, column_label: str = "CPR-nr.") -> pl.DataFrame:
    """Replace the ``cpr`` text column by ``citizen_id``; a value that is not a CPR number is an
    error naming the row (the value itself is never shown)."""
    from tariffkit.cpr import normalise_expr, pseudonymise

    if "cpr" not in df.columns:
        if "citizen_id" in df.columns:
            return df
        raise DataError("missing column CPR-nr. (or citizen_id)", file=file, row=1, column=column_label)
    # Work on the distinct values (a citizen has many lines): normalise, check, hash, join back.
    uniq = df.select(pl.col("cpr").unique()).with_columns(d=normalise_expr(pl.col("cpr")))  # the import's rule (tariffkit.cpr)
    bad_values = uniq.filter(pl.col("d").is_null())["cpr"]
    if bad_values.len():
        bad = df.filter(pl.col("cpr").is_in(bad_values.implode()) | pl.col("cpr").is_null())
        rows = bad["_row"] if "_row" in bad.columns else None
        raise DataError(
            f"expected a CPR number (DDMMÅÅ-XXXX), found something else ({bad.height} rows like this; value not shown)",
            file=file,
            row=int(rows[0]) if rows is not None else None,
            column=column_label,
        )
    uniq = uniq.with_columns(citizen_id=pseudonymise(uniq["d"], key)).select("cpr", "citizen_id")
    from tariffkit.cpr import scrub_frame

    # the CPR column pseudonymised, a CPR number typed into any other text (a remark, a municipality) scrubbed
    return scrub_frame(df.join(uniq, on="cpr", how="left", maintain_order="left").drop("cpr"), keep={"citizen_id", "_file"})


# --- reading ---------------------------------------------------------------------------------


def _sheet_rows(ws):
    return [list(r) for r in ws.iter_rows(values_only=True)]


def _cell_text(v) -> str | None:
    import datetime as dt

    if v is None:
        return None
    if isinstance(v, dt.time):
        return v.strftime("%H:%M")
    if isinstance(v, dt.datetime):
        return v.strftime("%H:%M") if v.date() == dt.date(1899, 12, 30) else v.strftime("%Y-%m-%d")
    if isinstance(v, float):
        if 0 < v < 1 and not v.is_integer():  # an Excel time as a fraction of a day
            m = round(v * 1440)
            return f"{m // 60:02d}:{m % 60:02d}"
        return str(int(v)) if v.is_integer() else repr(v).replace(".", ",")
    if isinstance(v, bool):
        return "true" if v else "false"
    s = str(v).strip()
    return s or None


def read_schedule_workbook(data: bytes, file: str) -> pl.DataFrame:
    """All schedule lines in a workbook, as text with ``_row`` and ``_file`` (``file[sheet]``).

    A sheet whose A1 is ``Døgnskema`` is a template sheet: CPR number in B2, offer in B3, the
    table header in row 7. Any other sheet whose first row has a ``CPR-nr.`` header is a flat
    table. Other sheets (instructions, lists) are ignored; template sheets left empty are
    skipped."""
    import zipfile

    from openpyxl import load_workbook

    try:
        wb = load_workbook(_io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise DataError(f"cannot open as an Excel workbook ({e})", file=file) from None
    frames = []
    for ws in wb.worksheets:
        rows = _sheet_rows(ws)
        label = f"{file}[{ws.title}]"
        if not rows:
            continue
        first = _cell_text(rows[0][0]) if rows[0] else None
        if first and first.strip().lower() == TEMPLATE_TITLE.lower():

            def block(r):
                return _cell_text(rows[r - 1][1]) if len(rows) >= r and len(rows[r - 1]) > 1 else None

            cpr, offer = block(2), block(3)
            if len(rows) < 7:
                continue
            header = [_cell_text(h) or "" for h in rows[6]]
            body = []
            for i, r in enumerate(rows[7:], start=TEMPLATE_FIRST_LINE_ROW):
                texts = [_cell_text(v) for v in r] + [None] * (len(header) - len(r))
                if all(t is None for t in texts[: len(header)]):
                    continue
                body.append((i, texts[: len(header)]))
            if not body:
                continue
            if not cpr:
                raise DataError("the sheet has schedule lines but no CPR number in the header block", file=label, row=2, column="CPR-nr.")
            if not offer:
                raise DataError("the sheet has schedule lines but no offer number in the header block", file=label, row=3, column="Tilbudsnr.")
            cols = {h: [t[j] for _, t in body] for j, h in enumerate(header) if h}
            df = pl.DataFrame({"_row": [i for i, _ in body], **cols}, schema={"_row": pl.Int64, **{h: pl.String for h in cols}})
            df = df.with_columns(pl.lit(cpr).alias("CPR-nr."), pl.lit(offer).alias("Tilbudsnr."), pl.lit(label).alias("_file"))
            frames.append(df)
        elif any(_header_key(_cell_text(h) or "") in ("cpr-nr", "cpr", "cprnr") for h in rows[0]):
            header = [_cell_text(h) or "" for h in rows[0]]
            body = [(i, ([_cell_text(v) for v in r] + [None] * len(header))[: len(header)]) for i, r in enumerate(rows[1:], start=2)]
            body = [(i, t) for i, t in body if any(x is not None for x in t)]
            cols = {h: [t[j] for _, t in body] for j, h in enumerate(header) if h}
            df = pl.DataFrame({"_row": [i for i, _ in body], **cols}, schema={"_row": pl.Int64, **{h: pl.String for h in cols}})
            frames.append(df.with_columns(pl.lit(label).alias("_file")))
    wb.close()
    if not frames:
        raise DataError("no schedule found: expected sheets from `tariffkit reassign --template` (A1 = Døgnskema) or a sheet with a CPR-nr. column", file=file)
    return pl.concat(frames, how="diagonal_relaxed")


def read_schedules(path: str, inputs, key: bytes | None) -> pl.DataFrame:
    """A schedules file (xlsx, CSV or Parquet) → text lines with contract names, ``citizen_id``,
    ``_row`` and ``_file``. Parquet must already be pseudonymised (the ``schedules`` contract)."""
    from pathlib import Path

    from tariffkit import io as tio

    file = tio.label_of(path)
    data = tio.read_bytes(path, inputs)
    kind = tio.sniff_kind(data)
    suffix = Path(str(path)).suffix.lower()
    if kind == "parquet" or suffix in (".parquet", ".pq"):
        df = tio.read_parquet_bytes(data, file)
        if "cpr" in df.columns or any(_header_key(c) == "cpr-nr" for c in df.columns):
            raise DataError("a Parquet schedules file must be pseudonymised (citizen_id, no CPR column)", file=file, column="CPR-nr.")
        df = df.with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("_row"), pl.lit(file).alias("_file"))
        return df
    if kind == "xlsx" or suffix in (".xlsx", ".xlsm"):
        if kind != "xlsx":
            raise DataError("expected an Excel .xlsx file, found something else", file=file)
        raw = read_schedule_workbook(data, file)
    else:
        raw, _ = tio.read_csv_text(data, file)
        raw = raw.with_columns(pl.lit(file).alias("_file"))
    files = raw["_file"]
    df = rename_headers(raw.drop("_file"), SCHEDULE_HEADERS, file).with_columns(_file=files)
    if key is None and "cpr" in df.columns:
        raise DataError("the schedules carry CPR numbers; a pseudonymisation key is needed (`key_file` or $TARIFFKIT_KEY)", file=file)
    return pseudonymise_column(df, key or b"", file)


def placements_from_payments(payments: pl.DataFrame) -> pl.DataFrame:
    """Current placements from DSS: citizens with an actual line covering the latest month of
    actual spending, at the level of their latest such line (own citizens)."""
    p = payments.filter((pl.col("kind") == "actual") & pl.col("level").is_not_null())
    if p.height == 0:
        raise DataError("no actual payment lines with a level: cannot tell the current levels", file="payments", column="level")
    last = p.select(pl.col("service_to").max()).item()
    month_start = last.replace(day=1)
    cur = p.filter((pl.col("service_to") >= month_start) & (pl.col("service_from") <= last) & (pl.col("amount") > 0))
    cur = cur.sort("citizen_id", "offer_id", "service_from", "source_row").group_by("citizen_id", "offer_id", maintain_order=True).agg(pl.col("level").last())
    return cur.select("citizen_id", "offer_id", pl.col("level").cast(pl.Int16), origin=pl.lit("own"), municipality=pl.lit(None, dtype=pl.String))


# --- parsing lines -------------------------------------------------------------------------------


def parse_lines(df: pl.DataFrame, shared_citizens: int = 3) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Text (or typed) schedule lines → typed lines with ``times_per_week``, ``days``, ``staff``,
    ``share``; and the problems found (``_file``, ``_row``, ``citizen_id``, ``offer_id``,
    ``column``, ``reason``), one per bad line (its first bad column)."""
    for c, default in (
        ("description", None),
        ("start_time", None),
        ("assessed_minutes", None),
        ("comment", None),
        ("line_no", None),
        ("assessed_paragraph", None),
        ("to_discuss", None),
        ("category", None),
    ):
        if c not in df.columns:
            df = df.with_columns(pl.lit(default, dtype=pl.String).alias(c))
    missing = [c for c in ("offer_id", "paragraph", "minutes", "frequency", "staffing") if c not in df.columns]
    if missing:
        names = {"offer_id": "Tilbudsnr.", "paragraph": "Paragraf", "minutes": "Minutter", "frequency": "Hyppighed", "staffing": "Normering"}
        raise DataError(
            f"missing column {names[missing[0]]} ({missing[0]}); a schedule needs Tilbudsnr., Paragraf, Minutter, Hyppighed and Normering",
            file=df["_file"][0] if df.height else "schedules",
            row=1,
            column=names[missing[0]],
        )
    text_cols = ("line_no", "offer_id", "paragraph", "minutes", "frequency", "staffing", "assessed_minutes", "start_time", "assessed_paragraph", "to_discuss")
    df = df.with_columns(pl.col(c).cast(pl.String) for c in text_cols)
    txt = {c: pl.col(c).str.strip_chars() for c in text_cols}
    blank = {c: e.is_null() | (e == "") for c, e in txt.items()}
    # Frequency, staffing, paragraph and start time take few distinct values: parse each once
    # (tariffkit.notation: the notation as offers and BDO write it).
    from tariffkit import notation

    fv = df.select(pl.col("frequency").unique())["frequency"].to_list()
    fr = [notation.frequency(v) for v in fv]
    freq = pl.DataFrame(
        {
            "frequency": fv,
            "times_per_week": [None if r is None else r[0] for r in fr],
            "days": [None if r is None else notation.day_class(r[1]) for r in fr],
            "day_mask": [None if r is None or r[1] is None else sum(1 << d for d in r[1]) for r in fr],
        },
        schema={"frequency": pl.String, "times_per_week": pl.Float64, "days": pl.String, "day_mask": pl.Int16},
    )
    sv = df.select(pl.col("staffing").unique())["staffing"].to_list()
    sr = [notation.staffing(v, shared_citizens) for v in sv]
    stf = pl.DataFrame(
        {"staffing": sv, "staff": [None if r is None else r[0] for r in sr], "share": [None if r is None else r[1] for r in sr]},
        schema={"staffing": pl.String, "staff": pl.Float64, "share": pl.Float64},
    )
    pv = df.select(pl.col("paragraph").unique())["paragraph"].to_list()
    pr = [notation.paragraph(v) for v in pv]
    par = pl.DataFrame(
        {
            "paragraph": pv,
            "paragraph_norm": [None if r is None else r[0] for r in pr],
            "paragraph_also": [None if r is None or not r[1] else ", ".join(r[1]) for r in pr],
        },
        schema={"paragraph": pl.String, "paragraph_norm": pl.String, "paragraph_also": pl.String},
    )
    # the caseworker's paragraph for a line (BDO: "Ny § 83", financed elsewhere), read by the same rule
    av = df.select(pl.col("assessed_paragraph").unique())["assessed_paragraph"].to_list()
    ar = [None if v is None or not v.strip() else notation.paragraph(re.sub(r"^\s*ny\s+", "", v, flags=re.I)) for v in av]
    apar = pl.DataFrame(
        {"assessed_paragraph": av, "assessed_paragraph_norm": [None if r is None else r[0] for r in ar]},
        schema={"assessed_paragraph": pl.String, "assessed_paragraph_norm": pl.String},
    )
    st = pl.col("start_time").str.strip_chars().str.replace(r"^(\d):", "0$1:").str.replace(r"\.", ":")
    sta = df.select(pl.col("start_time").unique()).with_columns(
        start=pl.coalesce(st.str.to_time("%H:%M", strict=False), st.str.to_time("%H:%M:%S", strict=False))
    )

    def lookup(table: pl.DataFrame, key: str, col: str) -> pl.Expr:
        t = table.filter(pl.col(key).is_not_null())
        return pl.col(key).replace_strict(t[key], t[col], default=None, return_dtype=table.schema[col]).alias(col)

    typed = df.with_columns(
        lookup(freq, "frequency", "times_per_week"),
        lookup(freq, "frequency", "days"),
        lookup(freq, "frequency", "day_mask"),
        lookup(stf, "staffing", "staff"),
        lookup(stf, "staffing", "share"),
        lookup(par, "paragraph", "paragraph_norm"),
        lookup(par, "paragraph", "paragraph_also"),
        lookup(sta, "start_time", "start"),
        lookup(apar, "assessed_paragraph", "assessed_paragraph_norm"),
    ).with_columns(
        offer_id=txt["offer_id"],
        line_no_num=txt["line_no"].cast(pl.Int32, strict=False),
        minutes_num=txt["minutes"].cast(pl.Int32, strict=False).pipe(lambda m: pl.when(m >= 0).then(m)),
        assessed_num=txt["assessed_minutes"].cast(pl.Int32, strict=False).pipe(lambda m: pl.when(m >= 0).then(m)),
        to_discuss_flag=pl.when(txt["to_discuss"].str.to_lowercase().fill_null("").is_in(list(TO_DISCUSS_YES)))
        .then(True)
        .when(txt["to_discuss"].str.to_lowercase().fill_null("").is_in(list(TO_DISCUSS_NO)))
        .then(False),
    )
    pc = pl.col
    checks = [
        ("offer_id", blank["offer_id"], "expected an offer number, found an empty value"),
        ("line_no", ~blank["line_no"] & pc("line_no_num").is_null(), "expected a whole activity number"),
        ("paragraph", blank["paragraph"], "expected a paragraph like § 85, found an empty value"),
        ("paragraph", pc("paragraph_norm").is_null(), "expected a paragraph like § 85, 83/85, SUL or SUL § 138"),
        ("minutes", blank["minutes"], "expected minutes (a whole number), found an empty value"),
        ("minutes", pc("minutes_num").is_null(), "expected minutes as a whole number of at least 0 (negative or decimal minutes are not allowed)"),
        ("minutes", pc("minutes_num") > 1440, "expected at most 1440 minutes (one day) per activity"),
        ("frequency", blank["frequency"], "expected a frequency, found an empty value"),
        (
            "frequency",
            pc("times_per_week").is_null(),
            "expected a frequency: Alle ugens 7 dage, Hverdage, Weekend, a weekday (Fredag), 2 x dagligt, 2 gange ugentligt, Månedligt, hver anden uge or a number per week",
        ),
        ("staffing", blank["staffing"], "expected a staffing, found an empty value"),
        ("staffing", pc("staff").is_null(), "expected a staffing like 1:1, 1:3, 2:1 or 1:Flere"),
        ("assessed_minutes", ~blank["assessed_minutes"] & pc("assessed_num").is_null(), "expected assessed minutes as a whole number of at least 0"),
        ("start_time", ~blank["start_time"] & pc("start").is_null(), "expected a start time like 07:30"),
        ("assessed_paragraph", ~blank["assessed_paragraph"] & pc("assessed_paragraph_norm").is_null(), "expected a paragraph like § 85 or Ny § 83"),
        ("to_discuss", pc("to_discuss_flag").is_null(), "expected ja, x or nothing (skal drøftes)"),
    ]
    labels = {
        "offer_id": "Tilbudsnr.",
        "line_no": "Aktivitetsnr.",
        "paragraph": "Paragraf",
        "minutes": "Minutter",
        "frequency": "Hyppighed",
        "staffing": "Normering",
        "assessed_minutes": "Vurderede minutter",
        "start_time": "Starttidspunkt",
        "assessed_paragraph": "Vurderet paragraf",
        "to_discuss": "Skal drøftes",
    }
    any_bad = pl.any_horizontal([bad.fill_null(False) for _, bad, _ in checks])
    typed = typed.with_columns(_bad=any_bad)
    flagged = typed.filter(pl.col("_bad"))
    col_expr = pl.lit(None, dtype=pl.String)
    reason_expr = pl.lit(None, dtype=pl.String)
    for col, bad, reason in reversed(checks):
        value = pl.col(col).cast(pl.String).str.replace_all(r"\d{6}-?\d{4}", "(a CPR-shaped value, not shown)").str.slice(0, 40)
        col_expr = pl.when(bad.fill_null(False)).then(pl.lit(f"{labels[col]} ({col})")).otherwise(col_expr)
        reason_expr = pl.when(bad.fill_null(False)).then(pl.lit(reason + ", found ") + pl.lit("'") + value.fill_null("") + pl.lit("'")).otherwise(reason_expr)
    problems = flagged.select("_file", "_row", "citizen_id", "offer_id", col_expr.alias("column"), reason_expr.alias("reason"))
    good = typed.filter(~pl.col("_bad")).select(
        "_file",
        "_row",
        "citizen_id",
        "offer_id",
        pl.col("line_no_num").alias("line_no"),
        "description",
        pl.col("paragraph_norm").alias("paragraph"),
        "paragraph_also",
        "start",
        pl.col("minutes_num").alias("minutes"),
        pl.col("assessed_num").alias("assessed_minutes"),
        "times_per_week",
        "days",
        "day_mask",
        "staff",
        "share",
        pl.col("assessed_paragraph_norm").alias("assessed_paragraph"),
        pl.col("to_discuss_flag").alias("to_discuss"),
        pl.col("category").cast(pl.String),
    )
    return good, problems


# --- hours, levels and findings -----------------------------------------------------------------


@dataclass(frozen=True)
class ReassignOptions:
    tolerance: float = 0.10  # relative gap registered vs assessed that is flagged
    year: int | None = None


def level_expr(hours: pl.Expr, structure: Structure) -> pl.Expr:
    """Band holding ``hours`` (lower bound inclusive, upper exclusive); above the top: top."""
    e = pl.lit(structure.levels[-1].level, dtype=pl.Int16)
    for lv in reversed(structure.levels[:-1]):
        e = pl.when(hours < lv.max_hours).then(pl.lit(lv.level, dtype=pl.Int16)).otherwise(e)
    return e


def line_time(lines: pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
    """Per schedule line, both measures of time a day (BDO's "Tid pr. dag"):

    - ``citizen_minutes_per_day`` = minutes × times a week / 7: what the citizen receives, the
      line in full, time shared with others included (BDO's column; 60 minutes at weekends = 17);
    - ``staff_minutes_per_day`` = that × staff ÷ citizens sharing: what the offer must staff;

    and the same with the caseworker's minutes (``*_assessed``; the registered minutes where
    the line was not shortened)."""
    counted = pl.coalesce(pl.col("assessed_minutes"), pl.col("minutes"))
    per_day = pl.col("times_per_week") / 7
    staff = pl.col("staff") / pl.col("share")
    return lines.lazy().with_columns(
        citizen_minutes_per_day=(pl.col("minutes") * per_day).round(4),
        staff_minutes_per_day=(pl.col("minutes") * per_day * staff).round(4),
        citizen_minutes_per_day_assessed=(counted * per_day).round(4),
        staff_minutes_per_day_assessed=(counted * per_day * staff).round(4),
    )


def citizen_hours(lines: pl.DataFrame | pl.LazyFrame, structure: Structure) -> pl.LazyFrame:
    """Per citizen and offer: registered, assessed and counted weekly ATA hours on the
    structure's ``level_measure``, both measures in full (``staff_hours_*``, ``citizen_hours_*``:
    all paragraphs and the ATA part, counted as the level is: the caseworker's minutes and
    paragraph where the citizen is assessed), other paragraphs' hours, the new level and 5+
    supplement hours."""
    ata_pars = list(structure.ata_paragraphs)
    also = pl.col("paragraph_also") if "paragraph_also" in lines.collect_schema().names() else pl.lit(None, pl.String)
    names = lines.collect_schema().names()
    assessed_par = pl.col("assessed_paragraph") if "assessed_paragraph" in names else pl.lit(None, pl.String)
    to_discuss = pl.col("to_discuss").fill_null(False) if "to_discuss" in names else pl.lit(False)
    staff_w = pl.col("times_per_week") * pl.col("staff") / pl.col("share")  # staff time: shared time divided
    citizen_w = pl.col("times_per_week")  # citizen time: every line in full
    lf = (
        lines.lazy()
        .with_columns(
            # a combined line (83/85) counts towards the level when any of its paragraphs is an ATA paragraph
            ata=pl.col("paragraph").is_in(ata_pars) | also.str.split(", ").list.eval(pl.element().is_in(ata_pars)).list.any().fill_null(False),
            w=staff_w if structure.level_measure == "staff" else citizen_w,
            _ws=staff_w,
            _wc=citizen_w,
            _to_discuss=to_discuss,
        )
        .with_columns(
            # after the assessment a line counts where the caseworker put it (BDO: "Ny § 83" is financed elsewhere)
            ata_assessed=pl.when(assessed_par.is_not_null()).then(assessed_par.is_in(ata_pars)).otherwise(pl.col("ata")),
            _moved=assessed_par.is_not_null(),
        )
    )
    counted = pl.coalesce(pl.col("assessed_minutes"), pl.col("minutes"))
    # the per-line products once (a sum of a product masked by 0/1 is cheaper than filtered sums)
    lf = lf.with_columns(
        _reg=pl.col("minutes") * pl.col("w"),
        _ass=counted * pl.col("w"),
        _cs=counted * pl.col("_ws"),
        _cc=counted * pl.col("_wc"),
        _a=pl.col("ata").cast(pl.Float64),
        _aa=pl.col("ata_assessed").cast(pl.Float64),
    )
    reg, ass = pl.col("_reg"), pl.col("_ass")
    g = lf.group_by("citizen_id", "offer_id").agg(
        hours_registered=((reg * pl.col("_a")).sum() / 60).round(6),
        _assessed=((ass * pl.col("_aa")).sum() / 60).round(6),
        _is_assessed=(pl.col("assessed_minutes").is_not_null() | pl.col("_moved")).any(),
        hours_other=(
            pl.when((pl.col("assessed_minutes").is_not_null() | pl.col("_moved")).any())
            .then((ass * (1 - pl.col("_aa"))).sum())
            .otherwise((reg * (1 - pl.col("_a"))).sum())
            / 60
        ).round(6),
        # both measures, counted as the level is (a line not assessed counts as registered)
        staff_hours_all=(pl.col("_cs").sum() / 60).round(6),
        staff_hours_ata=((pl.col("_cs") * pl.col("_aa")).sum() / 60).round(6),
        citizen_hours_all=(pl.col("_cc").sum() / 60).round(6),
        citizen_hours_ata=((pl.col("_cc") * pl.col("_aa")).sum() / 60).round(6),
        lines_to_discuss=pl.col("_to_discuss").sum().cast(pl.Int64),
        # citizen time as BDO prints it ("Tid pr. dag"): every line in full for the citizen, all
        # paragraphs, time shared with others included: minutes × times a week / 7
        citizen_minutes_per_day=(pl.col("minutes") * pl.col("times_per_week") / 7).sum().round(2),
        _citizen_assessed=(counted * pl.col("times_per_week") / 7).sum().round(2),
    )
    return (
        g.with_columns(
            hours_assessed=pl.when(pl.col("_is_assessed")).then(pl.col("_assessed")),
            citizen_minutes_per_day_assessed=pl.when(pl.col("_is_assessed")).then(pl.col("_citizen_assessed")),
        )
        .with_columns(
            hours_counted=pl.coalesce(pl.col("hours_assessed"), pl.col("hours_registered")),
        )
        .with_columns(
            new_level=level_expr(pl.col("hours_counted"), structure),
            supplement_hours=_supplement_hours(pl.col("hours_counted"), structure),
        )
        .with_columns(
            # the assessment's potential as BDO reports it: citizen time registered − assessed, minutes a day
            potential_minutes_per_day=pl.when(pl.col("_is_assessed")).then((pl.col("citizen_minutes_per_day") - pl.col("_citizen_assessed")).round(2)),
        )
        .drop("_assessed", "_is_assessed", "_citizen_assessed")
    )


def _supplement_hours(hours: pl.Expr, structure) -> pl.Expr:
    """5+ supplement hours of a citizen with these weekly hours: the hours above the structure's
    threshold (:meth:`tariffkit.tariffs.Structure.supplement_from`) for a top-level citizen, else 0."""
    threshold = structure.supplement_from()
    if threshold is None:
        return hours.fill_null(0).cast(pl.Float64) * 0.0  # a column of zeros, as long as the hours
    top = structure.levels[-1]
    return pl.when((hours >= top.min_hours) & (hours > threshold)).then((hours - threshold).round(6)).otherwise(0.0)


WEEK = 7 * 1440
_EVERY_DAY_MASK = 127


def overlaps(lines: pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
    """Citizens (and offers) with two activities at the same time, one of them individual
    (staffing n:1): the citizen cannot receive individual time while in another activity. Two
    shared activities at the same time are not a finding (a shared meal in the common room).

    Each line with a start time is placed on the week: on each of its fixed days (a weekday
    name, weekdays, weekend, every day), from its start for its minutes, so an activity at 23:30
    for 60 minutes runs into 00:30 the next day (Sunday's into Monday's). A line **without fixed
    days** (2 gange ugentligt, månedligt) can fall on any day the offer chooses: it is checked
    against the lines on all seven days (it meets those whatever day it falls on), not against
    lines on some days only or other lines without fixed days. Lines without a start time
    cannot be placed and are not checked.

    Sort-based: occurrences are packed into one integer per citizen and minute of the week;
    sorted by start, an occurrence overlaps an earlier one when it starts before the latest end
    so far, kept apart by kind (any / individual, fixed / every day / floating) so only the pairs
    the rule names count."""
    lf = lines.lazy().filter(pl.col("start").is_not_null() & (pl.col("minutes") > 0) & pl.col("times_per_week").is_not_null())
    mask = (
        pl.col("day_mask")
        if "day_mask" in lines.collect_schema().names()
        else pl.col("days").replace_strict({"all": 127, "weekdays": 31, "weekend": 96}, default=None, return_dtype=pl.Int16)
    )
    lf = lf.select(
        "citizen_id",
        "offer_id",
        _mask=mask.cast(pl.Int32),
        _ind=pl.col("share") == 1,
        s=pl.col("start").dt.hour().cast(pl.Int64) * 60 + pl.col("start").dt.minute().cast(pl.Int64),
        m=pl.col("minutes").cast(pl.Int64),
    )
    ids = lf.select("citizen_id", "offer_id").unique(maintain_order=True).with_row_index("gid").with_columns(pl.col("gid").cast(pl.Int64)).collect().lazy()
    lf = lf.join(ids, on=["citizen_id", "offer_id"]).with_columns(
        _float=pl.col("_mask").is_null(),
        _daily=pl.col("_mask") == _EVERY_DAY_MASK,
    )
    # Two sweeps, each a sort by start with the latest end so far kept per kind of line:
    # 1. the day as a clock face (minute of the day, a line past midnight continued at 00:00):
    #    every line once. A line running every day is the same on each day, so a line meets it on
    #    the clock exactly when it meets it on some day of the week; pairs with a daily line
    #    count here (daily–daily, floating–daily, fixed days–daily).
    # 2. the week (minute of the week, Sunday running into Monday): the lines on some days only,
    #    on each of their days; pairs of them count here.
    daily, flt = pl.col("_daily").fill_null(False), pl.col("_float")
    partial = ~flt & ~daily
    ind = pl.col("_ind")

    def sweep(occ: pl.LazyFrame, span: int, pairs) -> pl.LazyFrame:
        # minutes start at 1,440 (a copy one span earlier is never negative); below 2^14 = 16,384,
        # so the citizens never meet in one sort
        occ = occ.with_columns(a=pl.col("a") + 1440, b=pl.col("b") + 1440)
        occ = pl.concat([occ, occ.filter(pl.col("b") > span + 1440).with_columns(a=pl.col("a") - span, b=pl.col("b") - span)])
        base = pl.col("gid") * 16384
        occ = occ.select("_ind", "_float", "_daily", "_partial", start=base + pl.col("a"), end=base + pl.col("b")).sort("start")

        def latest_end(cond: pl.Expr) -> pl.Expr:
            return pl.when(cond).then(pl.col("end")).cum_max().forward_fill().shift(1)

        def after(earlier: pl.Expr) -> pl.Expr:  # starts before the end of an earlier one of that kind, one of the two individual
            return (ind & (pl.col("start") < latest_end(earlier))) | (pl.col("start") < latest_end(earlier & ind))

        return occ.filter(pairs(after).fill_null(False)).select(gid=pl.col("start") // 16384)

    lf = lf.with_columns(_partial=partial, _daily=daily)
    clock = lf.with_columns(a=pl.col("s"), b=pl.col("s") + pl.col("m"))
    bit = pl.lit(2, pl.Int32).pow(pl.col("_day")).cast(pl.Int32)
    week = lf.filter(pl.col("_partial")).with_columns(_day=pl.int_ranges(0, 7, dtype=pl.Int64)).explode("_day").filter((pl.col("_mask") // bit) % 2 == 1)
    week = week.with_columns(a=pl.col("_day") * 1440 + pl.col("s")).with_columns(b=pl.col("a") + pl.col("m"))
    c_daily = pl.col("_daily")
    found = pl.concat(
        [
            sweep(clock, 1440, lambda after: after(c_daily) | (c_daily & after(pl.lit(True)))),  # any line against a daily one
            sweep(week, WEEK, lambda after: after(pl.lit(True))),  # lines on some days only, among themselves
        ]
    ).unique()
    return found.join(ids, on="gid").select("citizen_id", "offer_id")


def over_24_hours(lines: pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
    """Citizens with more than 24 staffed hours (minutes × staff ÷ sharing) on a weekday or a
    weekend day; activities without fixed days count with their daily average."""
    lf = lines.lazy().with_columns(m=pl.col("minutes") * pl.col("staff") / pl.col("share"))
    avg = pl.when(pl.col("days").is_null()).then(pl.col("m") * pl.col("times_per_week") / 7).otherwise(0.0)
    wd = pl.when(pl.col("days").is_in(["all", "weekdays"])).then(pl.col("m")).otherwise(0.0) + avg
    we = pl.when(pl.col("days").is_in(["all", "weekend"])).then(pl.col("m")).otherwise(0.0) + avg
    g = lf.group_by("citizen_id", "offer_id").agg(wd=wd.sum(), we=we.sum())
    return g.filter((pl.col("wd") > 1440) | (pl.col("we") > 1440)).select("citizen_id", "offer_id")


def tariff_lookup(tariffs: pl.DataFrame, year: int | None, file: str = "tariffs") -> pl.DataFrame:
    """The level tariffs of one year: offer_id, level, annual_tariff, price_per_weekly_hour."""
    t = tariffs.filter(pl.col("tariff_kind") == "level")
    years = sorted(set(t["year"].to_list()))
    if year is None:
        if len(years) > 1:
            from tariffkit.errors import UsageError

            raise UsageError(f"the tariffs hold several years ({', '.join(map(str, years))}); choose one with `year`")
    else:
        if year not in years:
            raise DataError(f"no tariffs for {year} (the file has {', '.join(map(str, years)) or 'none'})", file=file, column="year")
        t = t.filter(pl.col("year") == year)
    return t.select("offer_id", pl.col("level").cast(pl.Int16), "annual_tariff", "price_per_weekly_hour")


def reassign(
    lines: pl.DataFrame,
    placements: pl.DataFrame | None,
    tariffs: pl.DataFrame | None,
    structure: Structure,
    options: ReassignOptions = ReassignOptions(),
    problems: pl.DataFrame | None = None,
    tariffs_file: str = "tariffs",
) -> pl.DataFrame:
    """The ``reassignments`` table: one row per citizen and offer (schedule, placement or both).

    Without ``tariffs`` only levels and hours are computed (nothing is priced, no ``no_tariff``
    flag): enough for ``tariff-build``'s ``representative_hours = "mean_of_placed"``."""
    from tariffkit.contracts import REASSIGNMENTS, TARIFFS

    hours, ov, o24 = pl.collect_all([citizen_hours(lines, structure), overlaps(lines), over_24_hours(lines)])
    ov = ov.with_columns(_overlap=pl.lit(True))
    o24 = o24.with_columns(_over24=pl.lit(True))
    keys = ["citizen_id", "offer_id"]
    if placements is None:
        placements = pl.DataFrame(schema={"citizen_id": pl.String, "offer_id": pl.String, "level": pl.Int16, "origin": pl.String, "municipality": pl.String})
    pl_ = placements.select(*keys, pl.col("level").cast(pl.Int16).alias("current_level"), "origin", "municipality").with_columns(_placed=pl.lit(True))
    df = hours.with_columns(_scheduled=pl.lit(True)).join(pl_, on=keys, how="full", coalesce=True)
    df = df.join(ov, on=keys, how="left").join(o24, on=keys, how="left")
    if problems is not None and problems.height:
        notes = problems.group_by(keys).agg(
            _notes=(
                pl.col("_file") + pl.lit(", row ") + pl.col("_row").cast(pl.String) + pl.lit(", column ") + pl.col("column") + pl.lit(": ") + pl.col("reason")
            ).sort()
        )
        df = df.join(notes, on=keys, how="left")
    else:
        df = df.with_columns(_notes=pl.lit(None, dtype=pl.List(pl.String)))
    priced = tariffs is not None
    t = tariff_lookup(tariffs if tariffs is not None else pl.DataFrame(schema=TARIFFS.schema), options.year if priced else None, tariffs_file)
    common = t.filter(pl.col("offer_id") == "*").drop("offer_id")
    if common.height:
        cur = common.rename({"level": "current_level", "annual_tariff": "current_tariff"}).drop("price_per_weekly_hour")
        new = common.rename({"level": "new_level", "annual_tariff": "_new_level_tariff", "price_per_weekly_hour": "_pwh"})
        df = df.join(cur, on="current_level", how="left").join(new, on="new_level", how="left")
    else:
        cur = t.rename({"level": "current_level", "annual_tariff": "current_tariff"}).drop("price_per_weekly_hour")
        new = t.rename({"level": "new_level", "annual_tariff": "_new_level_tariff", "price_per_weekly_hour": "_pwh"})
        df = df.join(cur, on=["offer_id", "current_level"], how="left").join(new, on=["offer_id", "new_level"], how="left")
    supplement = (pl.col("_pwh").cast(pl.Float64) * pl.col("supplement_hours")).round(0, mode="half_away_from_zero")
    new_tariff = (pl.col("_new_level_tariff").cast(pl.Float64) + supplement.fill_null(0)).round(0, mode="half_away_from_zero")
    df = df.with_columns(new_tariff=pl.when(pl.col("_new_level_tariff").is_not_null()).then(new_tariff).cast(MONEY))
    df = df.with_columns(annual_change=(pl.col("new_tariff") - pl.col("current_tariff")).cast(MONEY))
    # the potential in kroner a year: the weekly ATA hours the assessment took off × the price per weekly hour
    df = df.with_columns(
        potential_per_year=pl.when(pl.col("hours_assessed").is_not_null())
        .then(((pl.col("hours_registered") - pl.col("hours_assessed")) * pl.col("_pwh").cast(pl.Float64)).round(0, mode="half_away_from_zero"))
        .cast(MONEY)
    )
    lv = {x.level: x for x in structure.levels}
    lo = pl.col("current_level").replace_strict({k: v.min_hours for k, v in lv.items()}, default=None, return_dtype=pl.Float64)
    hi = pl.col("current_level").replace_strict({k: v.max_hours for k, v in lv.items()}, default=None, return_dtype=pl.Float64)
    top = structure.levels[-1].level
    h = pl.col("hours_counted")
    tol = options.tolerance
    flag_exprs = [
        ("overlap", pl.col("_overlap").fill_null(False)),
        ("over_24_hours", pl.col("_over24").fill_null(False)),
        (
            "assessment_gap",
            pl.col("hours_assessed").is_not_null()
            & ((pl.col("hours_registered") - pl.col("hours_assessed")).abs() > tol * pl.col("hours_registered"))
            & (pl.col("hours_registered") > 0),
        ),
        ("outside_band", h.is_not_null() & pl.col("current_level").is_not_null() & ((h < lo) | ((h >= hi) & (pl.col("current_level") != top)))),
        ("above_top_band", h >= structure.levels[-1].max_hours),
        ("level_change", pl.col("new_level").is_not_null() & pl.col("current_level").is_not_null() & (pl.col("new_level") != pl.col("current_level"))),
        ("above_paid_level", (pl.col("origin") == "other") & (pl.col("new_level") > pl.col("current_level"))),
        ("invalid_lines", pl.col("_notes").is_not_null()),
        ("to_discuss", pl.col("lines_to_discuss").fill_null(0) > 0),
        (
            "below_minimum",
            h < pl.col("offer_id").replace_strict(structure.minimum_hours_per_offer, default=structure.minimum_hours, return_dtype=pl.Float64)
            if (structure.minimum_hours is not None or structure.minimum_hours_per_offer)
            else pl.lit(False),
        ),
        ("no_placement", pl.col("_placed").is_null()),
        ("no_schedule", pl.col("_scheduled").is_null()),
        (
            "no_tariff",
            pl.lit(priced)
            & ((pl.col("_placed").is_not_null() & pl.col("current_tariff").is_null()) | (pl.col("_scheduled").is_not_null() & pl.col("new_tariff").is_null())),
        ),
    ]
    flags = pl.concat_list([pl.when(e.fill_null(False)).then(pl.lit(name)) for name, e in flag_exprs]).list.drop_nulls()
    df = df.with_columns(flags=flags, notes=pl.col("_notes").fill_null(pl.lit([], dtype=pl.List(pl.String))))
    df = df.with_columns(origin=pl.col("origin").fill_null("own"))
    return df.select(REASSIGNMENTS.names).cast(REASSIGNMENTS.schema).sort("offer_id", "citizen_id")


def negotiation_list(result: pl.DataFrame) -> pl.DataFrame:
    """Other municipalities' citizens whose schedule puts them on another level than the one paid
    for, per paying municipality: the basis for the tariff negotiations (*takstforhandlinger*)."""
    r = result.filter(
        (pl.col("origin") == "other")
        & pl.col("new_level").is_not_null()
        & pl.col("current_level").is_not_null()
        & (pl.col("new_level") != pl.col("current_level"))
    )
    return r.select(
        pl.col("municipality").alias("paying_municipality"),
        "citizen_id",
        "offer_id",
        pl.col("current_level").alias("paid_level"),
        pl.col("new_level").alias("assessed_level"),
        "current_tariff",
        "new_tariff",
        pl.col("annual_change").alias("yearly_difference"),
    ).sort("paying_municipality", "offer_id", "citizen_id")


def by_offer(result: pl.DataFrame, phase_in: list[tuple[int | None, float]]) -> pl.DataFrame:
    """Per offer (and phase-in year): citizens, income at current and new levels, the change,
    split by origin, and the phased change (the offer's budget moves by share × change)."""
    from tariffkit.contracts import REASSIGN_OFFERS

    r = result.filter(pl.col("current_tariff").is_not_null() & pl.col("new_tariff").is_not_null())
    own, other = pl.col("origin") == "own", pl.col("origin") == "other"
    ch = pl.col("annual_change")
    g = (
        result.group_by("offer_id")
        .agg(
            citizens=pl.len(),
            citizens_own=own.sum(),
            citizens_other=other.sum(),
            moved_up=(pl.col("new_level") > pl.col("current_level")).sum(),
            moved_down=(pl.col("new_level") < pl.col("current_level")).sum(),
            not_priced=(pl.col("current_tariff").is_null() | pl.col("new_tariff").is_null()).sum(),
            potential_minutes_per_day=pl.col("potential_minutes_per_day").sum().round(2),
            potential_per_year=pl.col("potential_per_year").sum(),
            lines_to_discuss=pl.col("lines_to_discuss").fill_null(0).sum(),
            **{
                c: pl.col(c).fill_null(0).sum().round(6)
                for c in ("hours_counted", "staff_hours_all", "staff_hours_ata", "citizen_hours_all", "citizen_hours_ata")
            },
            below_minimum=pl.col("flags").list.contains("below_minimum").sum().cast(pl.Int64),
        )
        .join(
            r.group_by("offer_id").agg(
                income_current=pl.col("current_tariff").sum(),
                income_new=pl.col("new_tariff").sum(),
                change=ch.sum(),
                change_own=ch.filter(own).sum(),
                change_other=ch.filter(other).sum(),
                other_above_paid_level=(other & (pl.col("new_level") > pl.col("current_level"))).sum(),
                other_above_paid_level_amount=ch.filter(other & (pl.col("new_level") > pl.col("current_level"))).sum(),
            ),
            on="offer_id",
            how="left",
        )
    )
    phases = phase_in or [(None, 1.0)]
    ph = pl.DataFrame({"phase_year": [y for y, _ in phases], "phase_share": [s for _, s in phases]}, schema={"phase_year": pl.Int32, "phase_share": pl.Float64})
    # the phase-in is the municipality's own budget rule: it applies to own citizens only; other
    # municipalities' changes are not phased but negotiated (the negotiation list)
    g = g.join(ph, how="cross").with_columns(
        phased_change=(pl.col("change_own").fill_null(Decimal(0)).cast(pl.Float64) * pl.col("phase_share")).round(0, mode="half_away_from_zero").cast(MONEY),
    )
    for c in ("income_current", "income_new", "change", "change_own", "change_other", "other_above_paid_level_amount", "phased_change", "potential_per_year"):
        g = g.with_columns(pl.col(c).fill_null(Decimal(0)).cast(MONEY))
    g = g.with_columns(pl.col("other_above_paid_level").fill_null(0))
    return g.select(REASSIGN_OFFERS.names).cast(REASSIGN_OFFERS.schema).sort("offer_id", "phase_year")


# --- the template ------------------------------------------------------------------------------


def write_template(sheets: int = 1) -> bytes:
    """An .xlsx template: instructions, one sheet per citizen with a header block and drop-down
    lists (data validation) for frequency, staffing and paragraph, and a hidden list sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    guide = wb.active
    guide.title = "Vejledning"
    text = [
        "Døgnskema: vejledning",
        "",
        "Udfyld ét ark pr. borger (kopiér arket 'Borger 1' for flere borgere). Skriv CPR-nr. og tilbudsnr. i hovedet.",
        "Registrér kun ansigt-til-ansigt-tid (ATA): hver aktivitet, hvor en medarbejder støtter borgeren.",
        "Minutter: hele minutter pr. gang. Hyppighed og normering vælges fra listen.",
        "Normering: 1:1 = én medarbejder til borgeren; 1:3 = én medarbejder deler tiden mellem tre borgere; 2:1 = to medarbejdere til borgeren.",
        "Paragraf: § 85 m.fl. tæller med i funktionsniveauet; § 83 (praktisk hjælp) og SUL § 138 (sygepleje) registreres, men finansieres andetsteds.",
        "Vurderede minutter udfyldes af myndighedsrådgiveren (tom = ikke vurderet). Vurderet paragraf: hvis linjen hører under en anden paragraf (fx Ny § 83), så tæller den ikke i niveauet efter vurderingen. Skal drøftes: ja, hvis linjen skal drøftes.",
        "Undgå overlap: en individuel aktivitet (1:1, 2:1) på samme tid som en anden aktivitet markeres, også hen over midnat (23:30 + 60 min rammer 00:00). En aktivitet uden faste dage (fx 2 gange ugentligt) tjekkes mod de aktiviteter, der ligger alle ugens 7 dage.",
        "Tid pr. dag: minutter × antal gange om ugen / 7, som BDO opgør det (60 min i weekenden = 17 min pr. dag). tariffkit viser både borgertid (hele linjen for borgeren, også delt tid) og personaletid (delt tid divideret med antal borgere); strukturens level_measure siger, hvilken der placerer niveauet.",
        "Kategori (valgfri): fx ledsagelse, indkøb, tøjvask, rengøring; bruges til at sammenligne serviceniveauet mellem tilbud (tom = ud fra beskrivelsen).",
        "Indlæs: tariffkit reassign døgnskemaer.xlsx --structure levels.toml --tariffs takster.parquet --placements placeringer.csv -o genindplacering.parquet",
    ]
    for i, t in enumerate(text, start=1):
        guide.cell(row=i, column=1, value=t)
    guide["A1"].font = Font(bold=True, size=14)
    guide.column_dimensions["A"].width = 120
    lists = wb.create_sheet("Lister")
    for j, (title, values) in enumerate(
        (("Hyppighed", FREQUENCY_CHOICES), ("Normering", STAFFING_CHOICES), ("Paragraf", PARAGRAPH_CHOICES), ("Skal drøftes", ["ja"])), start=1
    ):
        lists.cell(row=1, column=j, value=title)
        for i, v in enumerate(values, start=2):
            lists.cell(row=i, column=j, value=v)
    lists.sheet_state = "hidden"
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    last = TEMPLATE_FIRST_LINE_ROW + TEMPLATE_LINES - 1
    for n in range(1, sheets + 1):
        ws = wb.create_sheet(f"Borger {n}")
        ws["A1"] = TEMPLATE_TITLE
        ws["A1"].font = Font(bold=True, size=14)
        for r, label in ((2, "CPR-nr."), (3, "Tilbudsnr."), (4, "Udfyldt af"), (5, "Dato")):
            ws.cell(row=r, column=1, value=label).font = Font(bold=True)
            ws.cell(row=r, column=2).fill = PatternFill("solid", fgColor="FFF2CC")
        for j, h in enumerate(TEMPLATE_COLUMNS, start=1):
            c = ws.cell(row=7, column=j, value=h)
            c.font = Font(bold=True)
            c.fill = head_fill
            c.alignment = Alignment(wrap_text=True, vertical="top")
        for col, width in zip("ABCDEFGHIJKL", (13, 40, 12, 14, 10, 20, 11, 12, 14, 10, 40, 16)):
            ws.column_dimensions[col].width = width
        ws.freeze_panes = "A8"

        def dv_list(ref: str, col_letter: str, values: list[str], prompt: str) -> None:
            dv = DataValidation(type="list", formula1=f"=Lister!${col_letter}$2:${col_letter}${len(values) + 1}", allow_blank=True)
            dv.errorStyle = "warning"  # other values (e.g. '4 gange om måneden') are allowed after a warning
            dv.error = "Vælg fra listen, eller skriv fx '4 gange om ugen'."
            dv.prompt = prompt
            dv.showErrorMessage = True
            dv.showInputMessage = True
            ws.add_data_validation(dv)
            dv.add(ref)

        dv_list(f"F{TEMPLATE_FIRST_LINE_ROW}:F{last}", "A", FREQUENCY_CHOICES, "Hvor ofte?")
        dv_list(f"G{TEMPLATE_FIRST_LINE_ROW}:G{last}", "B", STAFFING_CHOICES, "1:1, 1:n eller 2:1")
        dv_list(f"C{TEMPLATE_FIRST_LINE_ROW}:C{last}", "C", PARAGRAPH_CHOICES, "Lovgrundlag")
        dv_list(f"I{TEMPLATE_FIRST_LINE_ROW}:I{last}", "C", PARAGRAPH_CHOICES, "Sagsbehandlerens paragraf, hvis linjen hører under en anden (fx Ny § 83)")
        dv_list(f"J{TEMPLATE_FIRST_LINE_ROW}:J{last}", "D", ["ja"], "ja: linjen skal drøftes")
        for col in ("E", "H"):
            dv = DataValidation(type="whole", operator="between", formula1="0", formula2="1440", allow_blank=True)
            dv.error = "Hele minutter mellem 0 og 1440."
            dv.showErrorMessage = True
            ws.add_data_validation(dv)
            dv.add(f"{col}{TEMPLATE_FIRST_LINE_ROW}:{col}{last}")
        for r in range(TEMPLATE_FIRST_LINE_ROW, last + 1):
            ws.cell(row=r, column=4).number_format = "hh:mm"
    buf = _io.BytesIO()
    wb.save(buf)
    from tariffkit.xlsx import deterministic_zip

    return deterministic_zip(buf.getvalue())
