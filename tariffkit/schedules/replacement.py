"""Re-placement (*genindplacering*): each citizen's new level priced with the tariffs, the list
for the negotiation with other municipalities, and the change per offer with the phase-in."""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from tariffkit.danish import MONEY
from tariffkit.money import exact, kr_of
from tariffkit.rates import phase_in_table
from tariffkit.schedules.hours import ReassignOptions, citizen_hours, over_24_hours, overlaps, tariff_lookup
from tariffkit.tariffs import Structure


def reassign(
    lines: pl.DataFrame,
    placements: pl.DataFrame | None,
    tariffs: pl.DataFrame | None,
    structure: Structure,
    options: ReassignOptions | None = None,
    problems: pl.DataFrame | None = None,
    tariffs_file: str = "tariffs",
) -> pl.DataFrame:
    """The ``reassignments`` table: one row per citizen and offer (schedule, placement or both).

    Without ``tariffs`` only levels and hours are computed (nothing is priced, no ``no_tariff``
    flag): enough for ``tariff-build``'s ``representative_hours = "mean_of_placed"``."""
    from tariffkit.contracts import REASSIGNMENTS, TARIFFS

    options = options or ReassignOptions()
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
    # exact Decimal (tariffkit.money), each figure rounded once to whole kroner, half away from zero
    supplement = kr_of(exact("_pwh") * exact("supplement_hours"))
    new_tariff = kr_of(exact("_new_level_tariff") + exact(supplement.fill_null(0)))
    df = df.with_columns(new_tariff=pl.when(pl.col("_new_level_tariff").is_not_null()).then(new_tariff).cast(MONEY))
    df = df.with_columns(annual_change=(pl.col("new_tariff") - pl.col("current_tariff")).cast(MONEY))
    # the potential in kroner a year: the weekly ATA hours the assessment took off × the price per weekly hour
    df = df.with_columns(
        potential_per_year=pl.when(pl.col("hours_assessed").is_not_null())
        .then(kr_of((exact("hours_registered") - exact("hours_assessed")) * exact("_pwh")))
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
    ph = phase_in_table(phase_in or [], None)
    # the phase-in is the municipality's own budget rule: it applies to own citizens only; other
    # municipalities' changes are not phased but negotiated (the negotiation list)
    g = g.join(ph, how="cross").with_columns(
        phased_change=kr_of(exact(pl.col("change_own").fill_null(Decimal(0))) * exact("phase_share")),
    )
    for c in ("income_current", "income_new", "change", "change_own", "change_other", "other_above_paid_level_amount", "phased_change", "potential_per_year"):
        g = g.with_columns(pl.col(c).fill_null(Decimal(0)).cast(MONEY))
    g = g.with_columns(pl.col("other_above_paid_level").fill_null(0))
    return g.select(REASSIGN_OFFERS.names).cast(REASSIGN_OFFERS.schema).sort("offer_id", "phase_year")
