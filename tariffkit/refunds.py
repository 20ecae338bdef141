"""State refunds for very expensive single cases (*statsrefusion for særligt dyre enkeltsager*,
Serviceloven § 176): the refund recorded in the payments, and an estimate from the rules.

BDO's expense (and so HÅP's average price) excludes the refund: refund lines (kind ``refund``)
are kept apart by every command and never make a month inactive. This module estimates what the
state will refund per citizen and year:

    gross = the citizen's expense in the year (spread by days, commitments in force included,
            refunds excluded)
    estimate = Σ over the rules' thresholds of share × (min(gross, next threshold) − threshold)⁺

rounded once, to the øre, half away from zero. The thresholds and shares are set each year by
law; tariffkit has none built in: they come from a small TOML file that names its source
(``sample-data/refusion-2026.toml`` is an example with made-up numbers).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from tariffkit.errors import DataError
from tariffkit.settings_checks import check_keys


@dataclass(frozen=True)
class Threshold:
    above: Decimal  # kroner a year
    share: Decimal  # 0 … 1 of the expense above it (up to the next threshold)


@dataclass(frozen=True)
class RefundRules:
    year: int
    thresholds: tuple[Threshold, ...]
    name: str = ""
    source: str = ""


def parse_rules(d: dict, file: str = "refund rules") -> RefundRules:
    """The refund TOML: ``year``, ``source`` (required: where the numbers come from), ``name``,
    and ``[[thresholds]]`` with ``above`` (kroner) and ``share`` (0–1), increasing."""
    known = {"name", "year", "source", "thresholds"}
    check_keys(d, known, file)
    if not isinstance(d.get("year"), int) or isinstance(d.get("year"), bool) or not 1980 <= d["year"] <= 2100:
        raise DataError("year must be a year like 2026", file=file, column="year")
    if not isinstance(d.get("source"), str) or not d["source"].strip():
        raise DataError("source must say where the thresholds come from (the year's rules are set by law)", file=file, column="source")
    raw = d.get("thresholds")
    if not isinstance(raw, list) or not raw:
        raise DataError("expected [[thresholds]] with above (kroner) and share (0–1)", file=file, column="thresholds")
    out: list[Threshold] = []
    for i, t in enumerate(raw, start=1):
        if not isinstance(t, dict) or set(t) != {"above", "share"}:
            raise DataError(f"[[thresholds]] number {i} must have exactly above and share", file=file, column="thresholds")
        for k in ("above", "share"):
            v = t[k]
            if isinstance(v, bool) or not isinstance(v, (int, float)) or (isinstance(v, float) and not math.isfinite(v)):
                raise DataError(f"[[thresholds]] number {i}: {k} must be a number, found {v!r}", file=file, column=k)
        above, share = Decimal(str(t["above"])), Decimal(str(t["share"]))
        if above < 0 or not 0 <= share <= 1:
            raise DataError(f"[[thresholds]] number {i}: above must be ≥ 0 and share between 0 and 1", file=file, column="share" if above >= 0 else "above")
        if out and above <= out[-1].above:
            raise DataError(f"[[thresholds]] number {i}: thresholds must increase", file=file, column="above")
        out.append(Threshold(above, share))
    return RefundRules(int(d["year"]), tuple(out), str(d.get("name", "")), str(d["source"]))


def estimate_of(gross: Decimal, rules: RefundRules) -> Decimal:
    """The estimated refund of one citizen's yearly gross expense (to the øre)."""
    total = Decimal(0)
    for i, t in enumerate(rules.thresholds):
        top = rules.thresholds[i + 1].above if i + 1 < len(rules.thresholds) else None
        part = (min(gross, top) if top is not None else gross) - t.above
        if part > 0:
            total += t.share * part
    from tariffkit.money import ore

    return ore(total)


def estimate(payments: pl.DataFrame | pl.LazyFrame, rules: RefundRules, *, known_at: dt.date | None = None) -> pl.DataFrame:
    """Per citizen with expense in ``rules.year``: ``gross`` (expense, refunds excluded),
    ``refund_recorded`` (the year's refund lines, as a positive amount) and
    ``refund_estimated`` by the rules; citizens with neither refund are left out."""
    from tariffkit.haap import spread_months
    from tariffkit.history import lines_in_force

    lf, _ = lines_in_force(payments, known_at)
    y0, y1 = dt.date(rules.year, 1, 1), dt.date(rules.year, 12, 31)
    s = spread_months(lf.filter((pl.col("service_to") >= y0) & (pl.col("service_from") <= y1)), ["citizen_id"])
    g = (
        s.filter(pl.col("month").dt.year() == rules.year)
        .group_by("citizen_id")
        .agg(
            gross=pl.col("ore").filter(pl.col("kind") != "refund").sum(),
            recorded=-pl.col("ore").filter(pl.col("kind") == "refund").sum(),
        )
        .collect()
        .sort("citizen_id")
    )
    rows = []
    for cid, gross, recorded in g.iter_rows():
        est = estimate_of(Decimal(gross) / 100, rules)
        if est or recorded:
            rows.append(
                {"citizen_id": cid, "year": rules.year, "gross": Decimal(gross) / 100, "refund_recorded": Decimal(recorded) / 100, "refund_estimated": est}
            )
    money = pl.Decimal(18, 2)
    return pl.DataFrame(rows, schema={"citizen_id": pl.String, "year": pl.Int32, "gross": money, "refund_recorded": money, "refund_estimated": money})
