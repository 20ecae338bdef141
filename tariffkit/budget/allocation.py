"""Activity-based allocation (*aktivitetsbaseret tildeling*) with a transition, against the old
frame budgets."""

from __future__ import annotations

import polars as pl

from tariffkit.errors import DataError, UsageError
from tariffkit.money import exact, kr_of
from tariffkit.periods import days_between, merged_periods
from tariffkit.rates import phase_in_table


def activity_allocation(
    payments: pl.DataFrame,
    tariffs: pl.DataFrame,
    frame: pl.DataFrame,
    year: int,
    *,
    mode: str = "activity",
    phase_in: list[tuple[int, float]] | None = None,
    days_per_year: int = 365,
) -> pl.DataFrame:
    """Each internal offer's activity budget = Σ over its citizens of days at each level × the
    level's daily tariff (annual / days per year) in ``year``, compared with the old frame budget.

    Days come from the payments: each citizen's service periods on the offer, clipped to the year
    (union of periods per citizen and level, so two lines for one day count once). ``hybrid``:
    only the ATA part of the tariff follows activity; the fixed part stays a frame
    (fixed part × budgeted places share, i.e. the frame's fixed share is kept).
    """
    import datetime as dt

    from tariffkit.contracts import ALLOCATION
    from tariffkit.history import lines_in_force

    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    p = (
        lines_in_force(payments)[0]
        .collect()
        .filter((pl.col("provider") == "internal") & pl.col("level").is_not_null() & (pl.col("service_to") >= start) & (pl.col("service_from") <= end))
    )
    p = p.with_columns(
        f=pl.max_horizontal(pl.col("service_from"), pl.lit(start)),
        t=pl.min_horizontal(pl.col("service_to"), pl.lit(end)),
    )
    # union of periods per citizen, offer, level: two lines for one day count it once
    seg = merged_periods(p.select("offer_id", "citizen_id", "level", "f", "t"), ["offer_id", "citizen_id", "level"], "f", "t")
    days = (
        seg.with_columns(days=days_between("f", "t")).group_by("offer_id", "level").agg(pl.col("days").sum(), pl.col("citizen_id").n_unique().alias("citizens"))
    )
    t = tariffs.filter((pl.col("tariff_kind") == "level") & (pl.col("year") == year)).select(
        "offer_id", pl.col("level").cast(pl.Int16), "annual_tariff", "fixed_part"
    )
    common = t.filter(pl.col("offer_id") == "*")
    days = days.with_columns(pl.col("level").cast(pl.Int16))
    if common.height:
        j = days.join(common.drop("offer_id"), on="level", how="left")
    else:
        j = days.join(t, on=["offer_id", "level"], how="left")
    missing = j.filter(pl.col("annual_tariff").is_null())
    if missing.height:
        r = missing.row(0, named=True)
        raise DataError(
            f"offer {r['offer_id']} has citizens on level {r['level']} in {year}, but the tariffs have no such level", file="tariffs", column="level"
        )
    follows = pl.col("annual_tariff") if mode == "activity" else (pl.col("annual_tariff") - pl.col("fixed_part"))
    # exact Decimal (tariffkit.money): the daily tariff × days is not rounded; the offer's sum is,
    # once, to whole kroner
    j = j.with_columns(amount=exact(follows) * exact("days") / exact(pl.lit(days_per_year)))
    act = j.group_by("offer_id").agg(activity_budget=kr_of(pl.col("amount").sum()), citizens=pl.col("citizens").sum(), days=pl.col("days").sum())
    fr = frame.select("offer_id", exact("frame_budget"), *([exact("fixed_frame")] if "fixed_frame" in frame.columns else []))
    zero = exact(pl.lit(0))
    out = fr.join(act, on="offer_id", how="full", coalesce=True).with_columns(
        exact(pl.col("activity_budget").fill_null(0)),
        pl.col("citizens").fill_null(0),
        pl.col("days").fill_null(0),
        pl.col("frame_budget").fill_null(zero),
    )
    if mode == "hybrid":
        if "fixed_frame" not in out.columns:
            raise UsageError("`allocation` hybrid needs the fixed part of each offer's frame")
        out = out.with_columns(activity_budget=pl.col("activity_budget") + pl.col("fixed_frame").fill_null(zero))
    ph = phase_in_table(phase_in or [], year)
    out = (
        out.with_columns(change=pl.col("activity_budget") - pl.col("frame_budget"))
        .join(ph, how="cross")
        .with_columns(
            phased_change=exact(kr_of(pl.col("change") * exact("phase_share"))),
        )
        .with_columns(new_budget=pl.col("frame_budget") + pl.col("phased_change"), mode=pl.lit(mode), year=pl.lit(year, dtype=pl.Int32))
    )
    money = ["frame_budget", "activity_budget", "change", "phased_change", "new_budget"]
    out = out.with_columns([kr_of(c) for c in money])
    return out.select(ALLOCATION.names).cast(ALLOCATION.schema).sort("phase_year", "offer_id")


def frame_budgets(costs: pl.DataFrame, tariffs: pl.DataFrame, year: int, basis: str = "budget") -> pl.DataFrame:
    """The old frame budget per offer: the year's cost basis on ``basis`` (default: the budget in
    the finance system). ``fixed_frame``: the fixed share of it, for the hybrid model (the
    non-ATA costs, as tariff-build splits them)."""
    c = costs.filter((pl.col("year") == year) & (pl.col("basis") == basis) & (pl.col("group") != "carried_result"))
    if c.height == 0:
        raise DataError(f"no {basis} cost lines for {year}: the old frame budget is not known", file="costs", column="basis")
    return (
        c.group_by("offer_id")
        .agg(
            frame_budget=pl.col("amount").sum(),
            fixed_frame=pl.col("amount").filter(~pl.col("follows_ata")).sum(),
        )
        .sort("offer_id")
    )
