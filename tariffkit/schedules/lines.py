"""Parsing schedule lines: text or typed lines → typed lines (times per week, days, staff,
minutes), with the lines that cannot be read kept apart as problems."""

from __future__ import annotations

import re

import polars as pl

from tariffkit.errors import DataError
from tariffkit.schedules.columns import TO_DISCUSS_NO, TO_DISCUSS_YES

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
    WEEK_MINUTES = 7 * 1440  # a line cannot take more of the citizen's time than the week has
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
        (
            "frequency",
            pc("minutes_num") * pc("times_per_week") > WEEK_MINUTES,
            "expected a frequency the week has room for (minutes × times a week is more than the 10,080 minutes of a week)",
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
        said = pl.lit(reason) if reason.endswith("found an empty value") else pl.lit(reason + ", found '") + value.fill_null("") + pl.lit("'")
        reason_expr = pl.when(bad.fill_null(False)).then(said).otherwise(reason_expr)
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
