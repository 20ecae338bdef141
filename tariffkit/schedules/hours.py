"""Hours, levels and findings: each line's weekly ATA minutes, each citizen's hours and level,
the overlaps of lines in time, more than 24 hours in a day, the tariffs looked up."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from tariffkit.errors import DataError
from tariffkit.tariffs import Structure

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
_STRIDE = 1 << 14  # each citizen's minutes in one sort: gid × 16,384 + minute (a week and its copy stay below it)


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
        base = pl.col("gid") * _STRIDE
        occ = occ.select("_ind", "_float", "_daily", start=base + pl.col("a"), end=base + pl.col("b")).sort("start")

        def latest_end(cond: pl.Expr) -> pl.Expr:
            return pl.when(cond).then(pl.col("end")).cum_max().forward_fill().shift(1)

        def after(earlier: pl.Expr) -> pl.Expr:  # starts before the end of an earlier one of that kind, one of the two individual
            return (ind & (pl.col("start") < latest_end(earlier))) | (pl.col("start") < latest_end(earlier & ind))

        return occ.filter(pairs(after).fill_null(False)).select(gid=pl.col("start") // _STRIDE)

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
