"""Periods: service periods as whole days, both ends included, and the union of a citizen's
overlapping periods (*perioder*). One home for the rule that two lines covering the same day
count that day once (docs/concepts.md, HÅP (days) and the activity-based allocation)."""

from __future__ import annotations

import polars as pl


def days_between(start: str | pl.Expr, end: str | pl.Expr) -> pl.Expr:
    """The days from ``start`` to ``end``, both included (1 January–31 January is 31 days)."""
    s = pl.col(start) if isinstance(start, str) else start
    e = pl.col(end) if isinstance(end, str) else end
    return (e - s).dt.total_days() + 1


def merged_periods(frame: pl.DataFrame | pl.LazyFrame, keys: list[str], start: str, end: str):
    """The union of each key's periods: overlapping or touching periods (one ends the day before
    the next starts) become one block; the rows are ``keys``, ``start`` and ``end`` per block.
    Lazy in, lazy out; eager in, eager out."""
    return (
        frame.sort([*keys, start])
        .with_columns(_prev_end=pl.col(end).cum_max().shift(1).over(keys))
        .with_columns(_new=(pl.col("_prev_end").is_null() | (pl.col(start) > pl.col("_prev_end") + pl.duration(days=1))).cast(pl.Int32))
        .with_columns(_block=pl.col("_new").cum_sum().over(keys))
        .group_by([*keys, "_block"])
        .agg(pl.col(start).min(), pl.col(end).max())
        .drop("_block")
    )
