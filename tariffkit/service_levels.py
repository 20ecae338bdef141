"""Service levels across offers (*serviceniveau*): weekly minutes per citizen per activity
category and offer, with the offers far from the median flagged.

Norddjurs' 2025 status (seed) found that service levels differ a lot between offers for the same
activities (accompaniment, shopping, laundry, cleaning). This is the comparison:

    minutes_per_citizen(offer, category) = Σ citizen minutes a week on the category's lines
        (minutes × times a week, the caseworker's minutes where given: what the citizens receive)
        / the offer's citizens with a schedule (all of them, so an offer that gives none counts 0)
    median(category) = the median of minutes_per_citizen over the offers with schedules
    ratio_to_median = minutes_per_citizen / median;  far_from_median when |ratio − 1| > band
        (structure ``service_level_band``, default 0.5), compared only when at least three
        offers have schedules and the median is above 0 (two offers make no norm).

A line's category is the schedule's ``Kategori`` column when filled, else the first category in
the structure's ``[activity_categories]`` whose keyword occurs in the description (case
ignored), else ``øvrige``.
"""

from __future__ import annotations

import polars as pl

from tariffkit.tariffs import Structure

OTHER = "øvrige"
MIN_OFFERS = 3


def category_expr(structure: Structure, names: list[str]) -> pl.Expr:
    """The line's activity category (see the module docstring)."""
    desc = pl.col("description").fill_null("").str.to_lowercase()
    e = pl.lit(OTHER)
    for cat, words in reversed(list(structure.activity_categories.items())):
        hit = pl.any_horizontal([desc.str.contains(w, literal=True) for w in words])
        e = pl.when(hit).then(pl.lit(cat)).otherwise(e)
    if "category" in names:
        given = pl.col("category").str.strip_chars()
        e = pl.when(given.is_not_null() & (given != "")).then(given).otherwise(e)
    return e


def service_levels(lines: pl.DataFrame | pl.LazyFrame, structure: Structure) -> pl.DataFrame:
    """The ``service_levels`` table (see the module docstring)."""
    from tariffkit.contracts import SERVICE_LEVELS

    lf = lines.lazy()
    names = lf.collect_schema().names()
    minutes = pl.coalesce(pl.col("assessed_minutes"), pl.col("minutes")) * pl.col("times_per_week")
    lf = lf.with_columns(category=category_expr(structure, names), _m=minutes)
    citizens = lf.group_by("offer_id").agg(citizens=pl.col("citizen_id").n_unique().cast(pl.Int64))
    per = lf.group_by("offer_id", "category").agg(citizens_with_activity=pl.col("citizen_id").n_unique().cast(pl.Int64), minutes_per_week=pl.col("_m").sum())
    cats = per.select("category").unique()
    grid = (
        citizens.join(cats, how="cross")
        .join(per, on=["offer_id", "category"], how="left")
        .with_columns(
            pl.col("citizens_with_activity").fill_null(0),
            pl.col("minutes_per_week").fill_null(0.0),
        )
        .with_columns(minutes_per_citizen=(pl.col("minutes_per_week") / pl.col("citizens")).round(2))
    )
    offers = pl.col("offer_id").n_unique().over("category")
    out = (
        grid.with_columns(
            offers_compared=offers.cast(pl.Int64),
            median_minutes_per_citizen=pl.col("minutes_per_citizen").median().over("category").round(2),
        )
        .with_columns(
            ratio_to_median=pl.when(pl.col("median_minutes_per_citizen") > 0).then(
                (pl.col("minutes_per_citizen") / pl.col("median_minutes_per_citizen")).round(4)
            ),
        )
        .with_columns(
            far_from_median=((pl.col("offers_compared") >= MIN_OFFERS) & ((pl.col("ratio_to_median") - 1).abs() > structure.service_level_band)).fill_null(
                False
            ),
            minutes_per_week=pl.col("minutes_per_week").round(2),
        )
    )
    return out.select(SERVICE_LEVELS.names).cast(SERVICE_LEVELS.schema).sort("category", "offer_id").collect()
